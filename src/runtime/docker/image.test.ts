import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nodeImageTag } from './image.ts';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'nvlab-image-'));
  await mkdir(join(root, 'image'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

describe('nodeImageTag', () => {
  const base = { Dockerfile: 'FROM x\n', '.dockerignore': '*\n', 'image/nvlab-node': 'echo 1\n' };

  test('is stable for the same inputs', async () => {
    expect(await nodeImageTag(await tree(base))).toBe(await nodeImageTag(await tree(base)));
    expect(await nodeImageTag(await tree(base))).toMatch(/^nvlab\/node:[0-9a-f]{12}$/);
  });

  test('changes when the Dockerfile or a copied file changes', async () => {
    const tag = await nodeImageTag(await tree(base));
    expect(await nodeImageTag(await tree({ ...base, Dockerfile: 'FROM y\n' }))).not.toBe(tag);
    expect(await nodeImageTag(await tree({ ...base, 'image/nvlab-node': 'echo 2\n' }))).not.toBe(tag);
  });
});
