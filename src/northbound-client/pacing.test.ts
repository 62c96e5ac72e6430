import { describe, expect, it } from 'vitest';
import { BatchSize, MemberPace, PACING, Window, pacingOptions } from './pacing.ts';

describe('a member’s time-out of silence', () => {
  it('is 5 s for a member that answers at once or says it works every second', () => {
    const pace = new MemberPace();
    expect(pace.timeoutMs()).toBe(5000);
    for (const ms of [20, 1000, 1000, 300]) pace.answered(ms);
    expect(pace.timeoutMs()).toBe(5000);
  });

  it('grows with the longest silence of its recent answers, and shrinks back as they get quick', () => {
    const pace = new MemberPace(pacingOptions({ history: 3 }));
    pace.answered(2500);
    expect(pace.timeoutMs()).toBe(10_000);
    pace.answered(40);
    pace.answered(40);
    expect(pace.timeoutMs()).toBe(10_000);
    pace.answered(40);
    expect(pace.timeoutMs()).toBe(5000);
  });

  it('never passes its bound, however silent the member was', () => {
    const pace = new MemberPace();
    pace.answered(40_000);
    expect(pace.timeoutMs()).toBe(PACING.maxSilenceMs);
  });
});

describe('the window of requests in flight (AIMD)', () => {
  const options = pacingOptions({ window: { initial: 4, min: 1, max: 6 } });

  it('lets in as many as it holds and queues the others in order', async () => {
    const w = new Window(options);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(() => w.acquire()));
    const queued = [4, 5].map((n) => w.acquire().then(() => order.push(n)));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    w.release('answered', 10, 0);
    w.release('answered', 10, 0);
    await Promise.all(queued);
    expect(order).toEqual([4, 5]);
  });

  it('grows by one per window of good answers, up to its bound', () => {
    const w = new Window(options);
    const round = () => {
      for (let i = 0; i < w.limit; i++) void w.acquire();
      for (let i = 0, n = w.limit; i < n; i++) w.release('answered', 50, 0);
    };
    round();
    expect(w.limit).toBe(5);
    round();
    round();
    round();
    expect(w.limit).toBe(6);
  });

  it('halves once for requests that met the same congestion (503, no answer, or an answer slower than 3 s)', () => {
    const w = new Window(options);
    for (let i = 0; i < 4; i++) void w.acquire();
    w.release('congested', 200, 1000);
    w.release('congested', 200, 1100);
    w.release('answered', 4000, 1500);
    expect(w.limit).toBe(2);
    // Later congestion halves again, down to the least.
    w.release('answered', 3500, 5000);
    expect(w.limit).toBe(1);
    void w.acquire();
    w.release('congested', 100, 9000);
    expect(w.limit).toBe(1);
  });
});

describe('the size of a batch', () => {
  const options = pacingOptions({ batch: { initial: 200, min: 25, max: 1000, targetMs: 1000 } });

  it('moves toward the number of writes the cluster does in the target time, at most doubling or halving', () => {
    const b = new BatchSize(options);
    b.took(200, 250);
    expect(b.next).toBe(400);
    b.took(400, 500);
    expect(b.next).toBe(800);
    b.took(800, 1000);
    expect(b.next).toBe(800);
    b.took(800, 1600);
    expect(b.next).toBe(500);
    b.took(500, 10_000);
    expect(b.next).toBe(250);
  });

  it('stays within its bounds, learns nothing from a short last batch that went fast, and halves on a failure', () => {
    const b = new BatchSize(options);
    b.took(200, 100);
    b.took(400, 100);
    b.took(800, 100);
    expect(b.next).toBe(1000);
    b.took(10, 20);
    expect(b.next).toBe(1000);
    b.failed();
    b.failed();
    expect(b.next).toBe(250);
    for (let i = 0; i < 6; i++) b.failed();
    expect(b.next).toBe(25);
  });
});
