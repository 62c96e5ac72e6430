// What goes to and comes from the Docker engine's raw streams: multiplexed exec output, tar
// archives of node files, label filters.
import { pack } from 'tar-stream';
import type { NodeFile } from '../runtime.ts';

/** Splits Docker's multiplexed stdout/stderr framing (non-TTY containers) from a whole buffer. */
export function demuxBuffer(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + size);
    (kind === 2 ? err : out).push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** Directories holding, among the files given, private ones (a node's keys and token) and no
 *  others below them: made 0700, so that not even their names show to others. */
export function privateDirs(files: NodeFile[]): string[] {
  const ancestors = (path: string): string[] => (dirOf(path) === '' ? [] : [dirOf(path), ...ancestors(dirOf(path))]);
  const open = new Set(files.filter((f) => ((f.mode ?? 0o644) & 0o077) !== 0).flatMap((f) => ancestors(f.path)));
  const dirs = new Set(files.filter((f) => ((f.mode ?? 0o644) & 0o077) === 0).map((f) => dirOf(f.path)));
  return [...dirs].filter((d) => d !== '' && !open.has(d)).sort();
}

/** A tar archive of the files, paths relative to / (what Docker's putArchive takes); a directory
 *  of private files only is made 0700 (privateDirs). */
export async function tarOf(files: NodeFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const dir of privateDirs(files)) archive.entry({ name: dir.replace(/^\/+/, ''), type: 'directory', mode: 0o700 });
  for (const file of files) {
    archive.entry({ name: file.path.replace(/^\/+/, ''), mode: file.mode ?? 0o644 }, file.content);
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

export function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === '' ? key : `${key}=${value}`));
}
