import { describe, expect, test } from 'vitest';
import { mapLimit } from './pool.ts';

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
