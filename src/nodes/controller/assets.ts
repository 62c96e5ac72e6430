// The controller as it ships into member containers: one ESM file bundled by esbuild for
// Debian's Node.js 18 (what the node image has), plus the store schema. Rebuilt only when a
// source file is newer than the bundle.
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeFile } from '../../runtime/runtime.ts';
import { projectRoot } from '../../util/paths.ts';

/** Files every member needs: the bundled controller and the store's schema. */
export interface ControllerAssets {
  files: NodeFile[];
}

const ENTRY = join(projectRoot, 'src/controller/member.ts');
const SCHEMA = join(projectRoot, 'src/controller/store/nvstore.ovsschema');
const BUNDLE = join(projectRoot, '.cache/controller/member.mjs');

async function newestUnder(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestUnder(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

async function bundleIsFresh(): Promise<boolean> {
  try {
    const built = (await stat(BUNDLE)).mtimeMs;
    return built >= (await newestUnder(join(projectRoot, 'src'))) && built >= (await stat(join(projectRoot, 'package.json'))).mtimeMs;
  } catch {
    return false;
  }
}

export async function buildControllerBundle(): Promise<string> {
  if (await bundleIsFresh()) return readFile(BUNDLE, 'utf8');
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    logLevel: 'error',
    // Some dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __nvlabRequire } from 'node:module'; const require = __nvlabRequire(import.meta.url);" },
  });
  const text = result.outputFiles[0]?.text ?? '';
  await mkdir(join(projectRoot, '.cache/controller'), { recursive: true });
  const staging = `${BUNDLE}.${process.pid}`;
  await writeFile(staging, text);
  await rename(staging, BUNDLE);
  return text;
}

export async function controllerAssets(): Promise<ControllerAssets> {
  const [bundle, schema] = await Promise.all([buildControllerBundle(), readFile(SCHEMA, 'utf8')]);
  return {
    files: [
      { path: '/opt/nvlab/controller/member.mjs', content: bundle },
      { path: '/opt/nvlab/nvstore.ovsschema', content: schema },
    ],
  };
}
