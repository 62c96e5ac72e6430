#!/usr/bin/env node
// Starts the CLI from an esbuild bundle of src/ (fast start-up), rebuilt whenever a source file
// is newer than it, so an edit never runs stale code.
import { readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.cache', 'cli');
const entry = join(outdir, 'main.js');

function newest(dir) {
  let latest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    latest = Math.max(latest, item.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(entry).mtimeMs;
  } catch {
    return 0;
  }
}

if (builtAt() < Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs)) {
  const { build } = await import('esbuild');
  // Build beside the target and swap it in, so two CLIs starting at once never see half a build.
  const staging = `${outdir}.${process.pid}`;
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  const { rmSync } = await import('node:fs');
  rmSync(outdir, { recursive: true, force: true });
  try {
    renameSync(staging, outdir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another CLI won the race; use its build
  }
}
await import(pathToFileURL(entry).href);
