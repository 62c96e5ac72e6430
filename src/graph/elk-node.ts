// ELK for Node, compiled from V8's code cache: elkjs's bundle is 1.6 MB of JavaScript, and
// compiling it takes about a fifth of a second in every process that draws. The cache is written
// once per elkjs and Node version into .cache/graph/, after a first layout, so it also holds the
// functions a layout runs (V8 compiles those lazily otherwise). A cache V8 refuses (another
// Node, other flags) is simply written again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { projectRoot } from '../util/paths.ts';
import type { ElkEngine } from './layout.ts';

const require = createRequire(join(projectRoot, 'package.json'));
const SOURCE = require.resolve('elkjs/lib/elk.bundled.js');
const VERSION = (require('elkjs/package.json') as { version: string }).version;
const CACHE = join(projectRoot, '.cache/graph', `elk-${VERSION}-node${process.version}-${process.arch}.v8cache`);

let engine: Promise<ElkEngine> | undefined;

async function load(): Promise<ElkEngine> {
  const [source, cached] = await Promise.all([readFile(SOURCE, 'utf8'), readFile(CACHE).catch(() => undefined)]);
  // The bundle is CommonJS: run it as Node would, in a function given its module.
  const script = new Script(`(function (exports, require, module) {${source}\n})`, {
    filename: SOURCE,
    ...(cached ? { cachedData: cached } : {}),
  });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: { exports: unknown }) => void)(
    module.exports,
    createRequire(SOURCE),
    module,
  );
  const Elk = module.exports as new () => ElkEngine;
  const elk = new Elk();
  if (cached && !script.cachedDataRejected) return elk;
  let saved = false;
  return {
    async layout(graph) {
      const laid = await elk.layout(graph);
      if (!saved) {
        saved = true;
        await save(script.createCachedData()).catch(() => {}); // only time lost if it cannot
      }
      return laid;
    },
  };
}

async function save(data: Buffer): Promise<void> {
  await mkdir(dirname(CACHE), { recursive: true });
  const staging = `${CACHE}.${process.pid}`;
  await writeFile(staging, data);
  await rename(staging, CACHE);
}

/** ELK from the code cache (loaded once per process). */
export function nodeElk(): Promise<ElkEngine> {
  engine ??= load();
  return engine;
}
