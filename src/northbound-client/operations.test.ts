import { afterEach, describe, expect, it } from 'vitest';
import { memberClient, northbound } from './index.ts';
import { testMember, type Reply, type TestMember } from './test-member.ts';

const members: TestMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});

async function member(answer: (request: string) => Reply): Promise<TestMember> {
  const m = await testMember(answer);
  members.push(m);
  return m;
}

const nodeStatus = { node: 'hv1', member: 'ctrl1', connected: { ovsdb: true, openflow: true }, tunnels: [] };
const portStatus = { port: 'web 1', switch: 'web', vni: 5001, member: 'ctrl1', plugged: false, up: false, flows: [] };
const statistics = { port: 'web 1', member: 'ctrl1', plugged: false };

describe('operations reads', () => {
  it('ask for a node status, a port status and its statistics, and parse them by the contract', async () => {
    const m = await member((request) => {
      if (request === 'GET /api/v1/transport-nodes/hv1/status') return [200, nodeStatus];
      if (request === 'GET /api/v1/logical-ports/web%201/status') return [200, portStatus];
      if (request === 'GET /api/v1/logical-ports/web%201/statistics') return [200, statistics];
      return [404, { error: 'not found', detail: 'transport node "hv9" not found' }];
    });
    const api = northbound(['127.0.0.1'], { port: m.port });
    await expect(api.transportNodeStatus('hv1')).resolves.toEqual({ kind: 'ok', value: nodeStatus });
    await expect(api.logicalPortStatus('web 1')).resolves.toEqual({ kind: 'ok', value: portStatus });
    await expect(api.logicalPortStatistics('web 1')).resolves.toEqual({ kind: 'ok', value: statistics });
    await expect(api.transportNodeStatus('hv9')).resolves.toMatchObject({ kind: 'not-found', detail: 'transport node "hv9" not found' });
  });

  it('call an answer outside the contract a failure', async () => {
    const m = await member(() => [200, { node: 'hv1' }]);
    const outcome = await memberClient('127.0.0.1', { port: m.port }).transportNodeStatus('hv1');
    expect(outcome).toMatchObject({ kind: 'failed', status: 200 });
  });

  it("a member's client asks it once, within its timeout", async () => {
    const started = Date.now();
    const outcome = await memberClient('192.0.2.1', { timeoutMs: 200 }).logicalPortStatus('web1');
    expect(outcome).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('192.0.2.1') });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
