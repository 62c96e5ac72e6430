// A node's files (its key and certificates; a member's bundle), put into its container before it
// starts. Docker's putArchive runs a helper process per call: about 110 ms of the engine's CPU,
// six times the container's own creation, for every node of a lab booting on a busy machine.
// Where the engine keeps the container's writable layer on this host (overlay2, its default
// driver), the files are written into that layer directly, as putArchive leaves them; elsewhere
// (another driver, a remote engine, no permission to its directory) putArchive does it.
import type { Stats } from 'node:fs';
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { NodeFile } from '../runtime.ts';
import { privateDirs, tarOf } from './engine-io.ts';

/** A container's overlay layers on this host: its writable one, and the image's below it. */
export interface Layers {
  upper: string;
  /** Topmost first, as overlayfs searches them. */
  lowers: string[];
}

export function layersOf(info: { GraphDriver?: { Name?: string; Data?: Record<string, string> | null } }): Layers | undefined {
  const data = info.GraphDriver?.Data;
  if (info.GraphDriver?.Name !== 'overlay2' || !data?.UpperDir) return undefined;
  return { upper: data.UpperDir, lowers: (data.LowerDir ?? '').split(':').filter(Boolean) };
}

const statOf = (path: string) => stat(path).catch(() => undefined);

/** Directory `dir` of the container in its writable layer, parents first. overlayfs shows the
 *  upper layer's metadata for a directory both layers have, so one the image has is made with
 *  the image's mode and owner; a new one 0755, or 0700 when it holds private files only. */
async function ensureDir(layers: Layers, dir: string, privates: Set<string>, made: Set<string>): Promise<void> {
  if (dir === '/' || made.has(dir)) return;
  await ensureDir(layers, dirname(dir), privates, made);
  const target = join(layers.upper, dir);
  if (!(await statOf(target))) {
    let image: Stats | undefined;
    for (const lower of layers.lowers) {
      image = await statOf(join(lower, dir));
      if (image) break;
    }
    await mkdir(target);
    await chmod(target, image ? image.mode & 0o7777 : privates.has(dir) ? 0o700 : 0o755);
    if (image) await chown(target, image.uid, image.gid);
  }
  made.add(dir);
}

/** The files written into the container's writable layer (paths absolute in the container). */
export async function writeIntoLayer(layers: Layers, files: NodeFile[]): Promise<void> {
  if (!(await statOf(layers.upper))?.isDirectory()) throw new Error(`no layer at ${layers.upper}`);
  const privates = new Set(privateDirs(files));
  const made = new Set<string>();
  for (const file of files) {
    await ensureDir(layers, dirname(file.path), privates, made);
    const target = join(layers.upper, file.path);
    await writeFile(target, file.content);
    await chmod(target, file.mode ?? 0o644); // whatever the umask
  }
}

/** Puts the files into the created container `name`: into its layer where it can, else with
 *  putArchive (which also writes over anything written before a failure). */
export async function putNodeFiles(docker: Docker, name: string, files: NodeFile[]): Promise<void> {
  const container = docker.getContainer(name);
  const layers = layersOf(await container.inspect());
  if (layers) {
    try {
      return await writeIntoLayer(layers, files);
    } catch {
      // Not ours to write (another user, another machine's engine): the engine does it.
    }
  }
  await container.putArchive(await tarOf(files), { path: '/' });
}
