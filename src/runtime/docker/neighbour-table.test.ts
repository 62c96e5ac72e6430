import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { enlargeNeighbourTable, NEIGHBOUR_LIMITS } from './neighbour-table.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neigh-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const set = (values: Record<string, number>) => Promise.all(Object.entries(values).map(([k, v]) => writeFile(join(dir, k), `${v}\n`)));
const read = async (k: string) => Number((await readFile(join(dir, k), 'utf8')).trim());

describe('the host ARP table', () => {
  test("the kernel's defaults are raised, and said so", async () => {
    await set({ gc_thresh1: 128, gc_thresh2: 512, gc_thresh3: 1024 });
    expect(await enlargeNeighbourTable(dir)).toMatch(/gc_thresh3 1024 → 65536, gc_thresh2 512 → 32768, gc_thresh1 128 → 8192/);
    for (const [k, v] of Object.entries(NEIGHBOUR_LIMITS)) expect(await read(k)).toBe(v);
  });

  test('a limit already larger is kept, and nothing to do says nothing', async () => {
    await set({ gc_thresh1: 8192, gc_thresh2: 100_000, gc_thresh3: 200_000 });
    expect(await enlargeNeighbourTable(dir)).toBeUndefined();
    expect(await read('gc_thresh3')).toBe(200_000);
  });

  test('a host where they cannot be read or written is left as it is', async () => {
    expect(await enlargeNeighbourTable(join(dir, 'absent'))).toBeUndefined();
  });
});
