// The controller as it ships into member containers: one ESM file bundled by esbuild for
// Debian's Node.js 18 (what the node image has), the process beside it that lays out graphs, the store schema, and the web console (its
// browser script bundled by esbuild, its page and its style sheet; served by the members at `/`).
// Each bundle is rebuilt only when a source file is newer than it (src/util/build-cache.ts).
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { NodeFile } from '../../runtime/runtime.ts';
import { CONSOLE_DIR, CONSOLE_FILES, LAYOUT_PROCESS_FILE } from '../../model/index.ts';
import { cachedBuild } from '../../util/build-cache.ts';
import { projectRoot } from '../../util/paths.ts';

/** Files every member needs: the bundled controller, the store's schema and the console. */
export interface ControllerAssets {
  files: NodeFile[];
}

const ENTRY = join(projectRoot, 'src/controller/member.ts');
const SCHEMA = join(projectRoot, 'src/controller/store/nvstore.ovsschema');
const BUNDLE = join(projectRoot, '.cache/controller/member.mjs');
/** The process that lays out the console's graphs beside the member (ELK in it). */
const LAYOUT_ENTRY = join(projectRoot, 'src/graph/layout-process-main.ts');
const LAYOUT_BUNDLE = join(projectRoot, '.cache/controller/graph-layout.mjs');
/** Where they go in a member's container: the member finds the layout process beside itself. */
const MEMBER_DIR = '/opt/nvlab/controller';
const CONSOLE_SOURCES = join(projectRoot, 'src/console');
/** The console's scripts (the entry and the chunks split off it), as JSON: name → contents. */
const CONSOLE_SCRIPTS = join(projectRoot, '.cache/console/scripts.json');

/** One program for Debian's Node.js 18, in one ESM file. */
function nodeBundle(entry: string, file: string): Promise<string> {
  return cachedBuild(file, async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node18',
      logLevel: 'error',
      // Some dependencies are CommonJS and call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __nvlabRequire } from 'node:module'; const require = __nvlabRequire(import.meta.url);" },
    });
    return result.outputFiles[0]?.text ?? '';
  });
}

export const buildControllerBundle = (): Promise<string> => nodeBundle(ENTRY, BUNDLE);

/** The web console's scripts, for the browser: src/console/main.ts and what it imports
 *  (CONSOLE_FILES.script), the worker that lays out its graph (CONSOLE_FILES.layoutWorker), and
 *  the chunks esbuild splits off them (what both use, what they import lazily). */
export async function buildConsoleScripts(): Promise<Record<string, string>> {
  const json = await cachedBuild(CONSOLE_SCRIPTS, async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: {
        [basename(CONSOLE_FILES.script, '.js')]: join(CONSOLE_SOURCES, 'main.ts'),
        [basename(CONSOLE_FILES.layoutWorker, '.js')]: join(CONSOLE_SOURCES, 'layout-worker.ts'),
      },
      bundle: true,
      splitting: true,
      outdir: join(projectRoot, '.cache/console/out'),
      chunkNames: 'console-[hash]',
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      logLevel: 'error',
    });
    return JSON.stringify(Object.fromEntries(result.outputFiles.map((f) => [basename(f.path), f.text])));
  });
  return JSON.parse(json) as Record<string, string>;
}

/** The console's files, by name, as the members serve them. */
export async function buildConsole(): Promise<Record<string, string>> {
  const [html, scripts, style] = await Promise.all([
    readFile(join(CONSOLE_SOURCES, CONSOLE_FILES.html), 'utf8'),
    buildConsoleScripts(),
    readFile(join(CONSOLE_SOURCES, CONSOLE_FILES.style), 'utf8'),
  ]);
  return { [CONSOLE_FILES.html]: html, [CONSOLE_FILES.style]: style, ...scripts };
}

export async function controllerAssets(): Promise<ControllerAssets> {
  const [bundle, layout, schema, web] = await Promise.all([
    buildControllerBundle(),
    nodeBundle(LAYOUT_ENTRY, LAYOUT_BUNDLE),
    readFile(SCHEMA, 'utf8'),
    buildConsole(),
  ]);
  return {
    files: [
      { path: `${MEMBER_DIR}/member.mjs`, content: bundle },
      { path: `${MEMBER_DIR}/${LAYOUT_PROCESS_FILE}`, content: layout },
      { path: '/opt/nvlab/nvstore.ovsschema', content: schema },
      ...Object.entries(web).map(([name, content]) => ({ path: `${CONSOLE_DIR}/${name}`, content })),
    ],
  };
}
