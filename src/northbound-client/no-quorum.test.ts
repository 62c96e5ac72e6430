import { afterEach, describe, expect, it } from 'vitest';
import { NO_QUORUM_MESSAGE } from '../model/index.ts';
import { memberClient, northbound, NorthboundError, unwrap } from './index.ts';
import { replies, testMember, type Reply, type TestMember } from './test-member.ts';

const members: TestMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});
async function member(answer: (request: string, body: unknown) => Reply, at?: { host: string; port: number }): Promise<TestMember> {
  const m = await testMember(answer, at);
  members.push(m);
  return m;
}
const NO_QUORUM: Reply = [503, { error: 'no quorum', detail: 'ctrl1: the store member has no quorum', applied: 'no' }];
const sw = { name: 'web', vni: 5001 };

describe('a cluster without quorum', () => {
  it('is reported by name from the member that said it, after asking it alone for noQuorumMs', async () => {
    const m = await member(() => NO_QUORUM);
    const started = Date.now();
    const outcome = await northbound(['127.0.0.1'], { port: m.port, noQuorumMs: 600 }).logicalSwitches.create(sw);
    const ms = Date.now() - started;
    expect(outcome).toEqual({
      kind: 'no-quorum',
      applied: 'no',
      detail: 'ctrl1: the store member has no quorum',
      message: `${NO_QUORUM_MESSAGE} (POST /api/v1/logical-switches: 127.0.0.1: ${JSON.stringify(NO_QUORUM[1])})`,
    });
    // Within its patience, not the 60 s deadline; asked again every 250 ms meanwhile.
    expect(ms).toBeGreaterThanOrEqual(600);
    expect(ms).toBeLessThan(2000);
    expect(m.seen.length).toBeGreaterThanOrEqual(3);
    const error = await northbound(['127.0.0.1'], { port: m.port, noQuorumMs: 0 })
      .logicalSwitches.delete('web')
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NorthboundError);
    expect((error as Error).message).toMatch(/^controller cluster has no quorum: a majority of its members is lost or cut off \(DELETE /);
  });

  it('does not fall through to the other members: they would say the same, or time out', async () => {
    const saying = await member(() => NO_QUORUM);
    // A second member of the cluster at another loopback address: it would answer 201 if asked.
    const other = await member(() => [201, sw], { host: '127.0.0.2', port: saying.port });
    const outcome = await northbound(['127.0.0.1', '127.0.0.2'], { port: saying.port, noQuorumMs: 300 }).logicalSwitches.create(sw);
    expect(outcome).toMatchObject({ kind: 'no-quorum' });
    expect(saying.seen.length).toBeGreaterThanOrEqual(2);
    expect(other.seen).toHaveLength(0);
  });

  it('goes to the member that answers when the first one does not, and stays with it through its "no quorum"', async () => {
    const m = await member(replies(NO_QUORUM, NO_QUORUM, [201, sw]));
    // 127.0.0.2 refuses the connection (nothing listens there on this port).
    const client = northbound(['127.0.0.2', '127.0.0.1'], { port: m.port });
    await expect(client.logicalSwitches.create(sw)).resolves.toMatchObject({ kind: 'created', value: sw });
    expect(m.seen.map((s) => s.request)).toEqual(Array(3).fill('POST /api/v1/logical-switches'));
  });

  it('rides out a moment without quorum (an election) on the same member', async () => {
    const m = await member(replies(NO_QUORUM, [200, { items: [sw] }]));
    await expect(northbound(['127.0.0.1'], { port: m.port }).logicalSwitches.list()).resolves.toMatchObject({ kind: 'ok', value: [sw] });
    expect(m.seen).toHaveLength(2);
  });

  it("a member's client, asked once, names it too", async () => {
    const m = await member(() => NO_QUORUM);
    const outcome = await memberClient('127.0.0.1', { port: m.port }).logicalSwitches.update('web', { vni: 5001 });
    expect(outcome).toMatchObject({
      kind: 'no-quorum',
      applied: 'no',
      message: expect.stringMatching(/^controller cluster has no quorum: .* → 503: /),
    });
  });
});
