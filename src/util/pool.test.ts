import { describe, expect, test } from 'vitest';
import { findLimit, mapLimit } from './pool.ts';

describe('mapLimit', () => {
  test('keeps order and never exceeds the limit', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (ms, i) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running -= 1;
      return i * 10;
    });
    expect(result).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
  });

  test('starts nothing new after a failure and throws the first error', async () => {
    const started: number[] = [];
    await expect(
      mapLimit([0, 1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 1) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([0, 1]);
  });

  test('handles an empty list', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe('findLimit', () => {
  test('finds an item the test holds for, never exceeds the limit, and starts nothing new once found', async () => {
    let inFlight = 0;
    let most = 0;
    const tested: number[] = [];
    const items = Array.from({ length: 100 }, (_, i) => i);
    const found = await findLimit(items, 4, async (i) => {
      tested.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return i === 10;
    });
    expect(found).toBe(10);
    expect(most).toBe(4);
    expect(tested.length).toBeLessThan(16);
  });

  test('none holding, or no items, is undefined', async () => {
    expect(await findLimit([1, 2, 3], 2, async () => false)).toBeUndefined();
    expect(await findLimit([], 2, async () => true)).toBeUndefined();
  });
});
