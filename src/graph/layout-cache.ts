// ELK's answers kept on disk, so that drawing the same thing again in another process (a docs
// build, CI, a user changing colours, a live lab of the same shape as its file) skips ELK: one
// file per answer under .cache/graph/placements/, named by the sha256 of ELK's input, written
// beside and renamed (two processes at once each read a whole file), the newest few kept. A file
// that cannot be read or parsed counts as absent; layout.ts checks what it holds against the
// input and has ELK's answer written over it. Node only (files), like elk-node.ts.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../util/paths.ts';
import { nodeElk } from './elk-node.ts';
import type { LayoutOptions, PlacementStore } from './layout.ts';

export const PLACEMENTS_DIR = join(projectRoot, '.cache/graph/placements');
/** Enough for every built-in topology in each view and a few files of one's own. */
const KEEP = 50;

const fileOf = (dir: string, input: string) => join(dir, `${createHash('sha256').update(input).digest('hex')}.json`);

/** The store of ELK's answers in `dir`, keeping the `keep` most recently used. */
export function placementStore(dir = PLACEMENTS_DIR, keep = KEEP): PlacementStore {
  return {
    async get(input) {
      const file = fileOf(dir, input);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return undefined;
      }
      // Used now: the newest (what is kept is what is used, not what was written first).
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
    async set(input, answer) {
      const file = fileOf(dir, input);
      const staging = `${file}.${process.pid}`;
      await mkdir(dir, { recursive: true });
      await writeFile(staging, JSON.stringify(answer));
      await rename(staging, file);
      await prune(dir, keep);
    },
  };
}

/** Removes all but the `keep` newest answers (and stagings left by a process that died). */
async function prune(dir: string, keep: number): Promise<void> {
  const names = await readdir(dir);
  if (names.length <= keep) return;
  const dated = await Promise.all(
    names.map(async (name) => ({
      name,
      at: await stat(join(dir, name)).then(
        (s) => s.mtimeMs,
        () => Infinity,
      ),
    })),
  );
  dated.sort((a, b) => b.at - a.at);
  // Another process may prune at the same time: a file already gone is fine.
  await Promise.all(dated.slice(keep).map(({ name }) => unlink(join(dir, name)).catch(() => {})));
}

/** How Node lays out: ELK from V8's code cache, its answers kept on disk. */
export const nodeLayout: LayoutOptions = { elk: nodeElk, store: placementStore() };
