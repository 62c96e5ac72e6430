// The transport's pacing against members played by real HTTP servers: a member that works on a
// request (and says so) is waited for however long it takes, one that falls silent is left for
// another, the time-out grows with a member's slow answers, and the requests in flight stay
// within the window. Shortened: a member may stay silent 1 s at least (5 s in use).
import { describe, expect, it } from 'vitest';
import { northbound } from './index.ts';
import { useMembers, type Reply } from './test-member.ts';

const member = useMembers();

const sw = { name: 'web', vni: 5001 };
const after = (ms: number, reply: Reply) => new Promise<Reply>((r) => setTimeout(() => r(reply), ms));
const pacing = { minSilenceMs: 1000 };
const timed = async <T>(f: () => Promise<T>) => {
  const started = Date.now();
  const value = await f();
  return { value, ms: Date.now() - started };
};

describe('a paced transport', () => {
  it('waits for a member that says it works, however long past its time-out of silence, and sends nothing again', async () => {
    const m = await member(() => after(2500, [201, sw]), { progressMs: 200 });
    const client = northbound(['127.0.0.1'], { port: m.port, pacing });
    const { value, ms } = await timed(() => client.logicalSwitches.create(sw));
    expect(value).toMatchObject({ kind: 'created', value: sw });
    expect(ms).toBeGreaterThan(2000);
    expect(m.seen).toHaveLength(1);
    expect(m.headers[0]!['x-nvlab-progress']).toBe('1');
  });

  it('leaves a member that stays silent past its time-out for another one', async () => {
    const silent = await member(() => after(5000, [201, sw]));
    const other = await member(() => [201, sw], { host: '127.0.0.2', port: silent.port });
    const client = northbound(['127.0.0.1', '127.0.0.2'], { port: silent.port, pacing });
    const { value, ms } = await timed(() => client.logicalSwitches.create(sw));
    expect(value).toMatchObject({ kind: 'created', value: sw });
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThan(2500);
    expect([silent.seen.length, other.seen.length]).toEqual([1, 1]);
  });

  it('gives a member as many times longer as its recent answers kept the client waiting without a word', async () => {
    const delays = [800, 2500];
    const m = await member(() => after(delays.shift() ?? 0, [200, { items: [] }]));
    const client = northbound(['127.0.0.1'], { port: m.port, pacing, deadlineMs: 20_000 });
    // 0.8 s of silence: within the least time-out (1 s), and now the member may take 4 × 0.8 s.
    expect((await client.logicalSwitches.list()).kind).toBe('ok');
    const slower = await timed(() => client.logicalSwitches.list());
    expect(slower.value.kind).toBe('ok');
    expect(slower.ms).toBeGreaterThan(2000);
    expect(m.seen).toHaveLength(2);
  });

  it('keeps its requests in flight within its window', async () => {
    let inFlight = 0;
    let most = 0;
    const m = await member(async () => {
      most = Math.max(most, ++inFlight);
      const reply = await after(50, [201, sw]);
      inFlight--;
      return reply;
    });
    const client = northbound(['127.0.0.1'], { port: m.port, pacing: { window: { initial: 3, min: 1, max: 3 } } });
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => client.logicalSwitches.create(sw)));
    expect(outcomes.every((o) => o.kind === 'created')).toBe(true);
    expect(m.seen).toHaveLength(12);
    expect(most).toBe(3);
  });
});
