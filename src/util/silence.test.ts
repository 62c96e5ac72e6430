import { describe, expect, it } from 'vitest';
import { Silence, awakeTimeout } from './silence.ts';

describe('Silence', () => {
  const clock = () => {
    let t = 1000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('counts the time since the peer was last heard, tick by tick', () => {
    const c = clock();
    const s = new Silence(100, c.now);
    const step = () => {
      c.advance(100);
      return s.tick();
    };
    for (let i = 0; i < 5; i++) step();
    expect(step()).toBe(600);
    s.heard();
    expect(step()).toBe(100);
  });

  it('does not count a stall of this process against the peer', () => {
    const c = clock();
    const s = new Silence(100, c.now);
    c.advance(100);
    expect(s.tick()).toBe(100);
    c.advance(16_000); // this process did not run: the tick comes 15.9 s late
    expect(s.tick()).toBe(200);
    // Still silent once the process runs again: counted as before.
    c.advance(100);
    expect(s.tick()).toBe(300);
  });

  it('says to probe once per silent stretch', () => {
    const c = clock();
    const s = new Silence(100, c.now);
    const probes = () => {
      c.advance(100);
      return s.probe(s.tick(), 300);
    };
    expect([probes(), probes(), probes(), probes(), probes()]).toEqual([false, false, true, false, false]);
    s.heard();
    expect([probes(), probes(), probes()]).toEqual([false, false, true]);
  });

  it('a late tick within one period is no stall', () => {
    const c = clock();
    const s = new Silence(100, c.now);
    c.advance(190);
    expect(s.tick()).toBe(190);
  });
});

describe('awakeTimeout', () => {
  it('fires after its time, and not when cancelled', async () => {
    const fired: string[] = [];
    const t0 = performance.now();
    awakeTimeout(100, () => fired.push(`a ${performance.now() - t0}`));
    awakeTimeout(100, () => fired.push('b')).cancel();
    await new Promise((r) => setTimeout(r, 300));
    expect(fired).toHaveLength(1);
    const ms = Number(fired[0]!.split(' ')[1]);
    expect(ms).toBeGreaterThanOrEqual(95);
    expect(ms).toBeLessThan(250);
  });

  it('does not count a stall of this process', async () => {
    // Ticks of 100 ms: a busy test host delaying a tick by less than that is no stall.
    let fired = false;
    awakeTimeout(1000, () => (fired = true));
    const end = performance.now() + 2000;
    while (performance.now() < end); // this process stands still for twice the time-out
    await new Promise((r) => setTimeout(r, 300));
    expect(fired).toBe(false);
    for (let waited = 0; !fired && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(true);
  });
});
