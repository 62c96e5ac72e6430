import { afterEach, describe, expect, it } from 'vitest';
import type { Status } from '../model/index.ts';
import { clusterMembers } from './index.ts';
import { testMember, type TestMember } from './test-member.ts';

const running: TestMember[] = [];
afterEach(async () => Promise.all(running.splice(0).map((m) => m.close())));

const status = (member: string, role: 'leader' | 'follower', masterOf: string[]): Status => ({
  member,
  store: { connected: true, synced: true, available: true, leader: role === 'leader', role },
  members: [
    { name: 'ctrl1', expires: 2, live: true },
    { name: 'ctrl2', expires: 1, live: false },
  ],
  masterships: [
    { node: 'hv1', member: 'ctrl1', generation: 3 },
    { node: 'hv2', member: 'ctrl2', generation: 1 },
  ],
  masterOf,
});

describe('GET /api/v1/members, as a member puts it together', () => {
  it("asks every member at once: the leader's view of leases, each one's Raft role, and why one did not answer", async () => {
    const leader = await testMember(() => [200, status('ctrl1', 'leader', ['hv1'])]);
    running.push(leader);
    // ctrl2's address is loopback too, but nothing listens there on that port.
    const members = new Map([
      ['ctrl1', '127.0.0.1'],
      ['ctrl2', '127.0.0.2'],
    ]);
    const answer = await clusterMembers(members, { port: leader.port, timeoutMs: 300 });
    expect(answer).toEqual([
      { name: 'ctrl1', ip: '127.0.0.1', live: true, raft: 'leader', masterOf: ['hv1'] },
      { name: 'ctrl2', ip: '127.0.0.2', live: false, masterOf: ['hv2'], error: expect.stringMatching(/127\.0\.0\.2/) },
    ]);
    expect(leader.seen.map((s) => s.request)).toEqual(['GET /api/v1/status']);
  });

  it('with no member answering, each is shown down with its reason', async () => {
    const answer = await clusterMembers(new Map([['ctrl1', '127.0.0.2']]), { port: 9, timeoutMs: 200 });
    expect(answer).toEqual([{ name: 'ctrl1', ip: '127.0.0.2', live: false, masterOf: [], error: expect.any(String) }]);
  });
});
