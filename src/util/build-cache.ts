// Builds kept under .cache/ (esbuild bundles): reused while no source file of the project, nor
// package.json, is newer than the kept file; else made again and kept.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { projectRoot } from './paths.ts';

async function newestUnder(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestUnder(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

async function isFresh(file: string): Promise<boolean> {
  try {
    const built = (await stat(file)).mtimeMs;
    return built >= (await newestUnder(join(projectRoot, 'src'))) && built >= (await stat(join(projectRoot, 'package.json'))).mtimeMs;
  } catch {
    return false;
  }
}

/** The kept build in `file` when it is fresh, else `make`'s, kept there: written beside and
 *  renamed, so two commands at once read a whole file or build their own. A read-only install
 *  cannot keep it and builds it each time. */
export async function cachedBuild(file: string, make: () => Promise<string>): Promise<string> {
  if (await isFresh(file)) return readFile(file, 'utf8');
  const text = await make();
  const staging = `${file}.${process.pid}`;
  await mkdir(dirname(file), { recursive: true })
    .then(() => writeFile(staging, text))
    .then(() => rename(staging, file))
    .catch(() => {});
  return text;
}
