import { describe, expect, test } from 'vitest';
import { Turns } from './turns.ts';

const busy = (ms: number) => {
  for (const end = performance.now() + ms; performance.now() < end;);
};

describe('Turns', () => {
  test('runs jobs in order and gives back what each returns or throws', async () => {
    const turns = new Turns();
    const order: number[] = [];
    const results = await Promise.allSettled([
      turns.run(() => (order.push(1), 'a')),
      turns.run(() => {
        order.push(2);
        throw new Error('b');
      }),
      turns.run(() => (order.push(3), 'c')),
    ]);
    expect(order).toEqual([1, 2, 3]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b', 'c']);
  });

  test('yields to the event loop between slices: a timer due meanwhile fires before the queue is through', async () => {
    const turns = new Turns(10);
    const events: string[] = [];
    // The timer is set by the first job, so it is due while the queue runs; set before, it could
    // fire ahead of the first slice on a loaded machine (timers come before setImmediate's phase).
    const jobs = Array.from({ length: 20 }, (_, i) =>
      turns.run(() => {
        if (i === 0) setTimeout(() => events.push('timer'), 0);
        busy(5);
        events.push(`job${i}`);
      }),
    );
    await Promise.all(jobs);
    const timer = events.indexOf('timer');
    expect(timer).toBeGreaterThan(0);
    expect(timer).toBeLessThan(events.length - 1);
    // No slice ran much more than its 10 ms: at most 3 jobs of 5 ms each before the timer.
    expect(timer).toBeLessThanOrEqual(3);
  });
});
