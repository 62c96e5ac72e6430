import { describe, expect, it } from 'vitest';
import { LabStatusSchema, type Status } from '../../model/index.ts';
import { geneveTunnel, programmedNode, web1Status } from '../../model/status-fixtures.ts';
import { memberFor, memberStatuses, referenceStatus, type MemberAnswer } from '../../northbound-client/index.ts';
import { assembleLabStatus } from './assemble.ts';

const status = (member: string, leader: boolean, masterOf: string[]): Status => ({
  member,
  store: { connected: true, synced: true, available: true, leader, role: leader ? 'leader' : 'follower' },
  members: [
    { name: 'ctrl1', expires: 2, live: true },
    { name: 'ctrl2', expires: 2, live: true },
    { name: 'ctrl3', expires: 1, live: false },
  ],
  masterships: [
    { node: 'hv1', member: 'ctrl1', generation: 2 },
    { node: 'hv2', member: 'ctrl2', generation: 5 },
    { node: 'hv3', member: 'ctrl3', generation: 1 },
  ],
  masterOf,
});

const members: MemberAnswer[] = [
  { name: 'ctrl2', ip: '172.31.0.3', running: true, status: { kind: 'ok', value: status('ctrl2', true, ['hv2']) } },
  { name: 'ctrl1', ip: '172.31.0.2', running: true, status: { kind: 'ok', value: status('ctrl1', false, ['hv1']) } },
  { name: 'ctrl3', ip: '172.31.0.4', running: false, status: undefined },
];

const node = (name: string) =>
  programmedNode(name, 'ctrl1', 2, { flows: 20, groups: 2 }, [geneveTunnel('hv2', '172.30.0.11', { link: 'up' })]);

const port = web1Status('ctrl1', []);

describe('nvlab status, put together', () => {
  it("takes the leader's view of the cluster, and asks each node's master, or any member that answers", () => {
    const reference = referenceStatus(members)!;
    expect(reference.member).toBe('ctrl2');
    expect(memberFor('hv1', reference, members)?.name).toBe('ctrl1');
    expect(memberFor('hv3', reference, members)?.name).toBe('ctrl2'); // its master is down
    expect(memberFor(undefined, reference, members)?.name).toBe('ctrl2');
    expect(referenceStatus([members[2]!])).toBeUndefined();
  });

  it('gives each member: address, running, live, Raft role, the nodes it masters, or why it did not answer', () => {
    expect(memberStatuses(members, referenceStatus(members)!)).toEqual([
      { name: 'ctrl2', ip: '172.31.0.3', running: true, live: true, raft: 'leader', masterOf: ['hv2'] },
      { name: 'ctrl1', ip: '172.31.0.2', running: true, live: true, raft: 'follower', masterOf: ['hv1'] },
      { name: 'ctrl3', ip: '172.31.0.4', running: false, live: false, masterOf: ['hv3'], error: 'its container is not running' },
    ]);
  });

  it('is the stable JSON shape: members, nodes and ports by name, failures with their message', () => {
    const lab = assembleLabStatus(
      'demo',
      memberStatuses(members, referenceStatus(members)!),
      [
        { node: 'hv10', role: 'hypervisor', status: { kind: 'ok', value: node('hv10') } },
        { node: 'hv2', role: 'hypervisor', status: { kind: 'unreachable', message: 'no answer' } },
        { node: 'hv1', role: 'hypervisor', status: { kind: 'ok', value: node('hv1') } },
      ],
      [{ port: 'web1', status: { kind: 'ok', value: port } }],
    );
    expect(LabStatusSchema.parse(lab)).toEqual(lab);
    expect(lab.members.map((m) => m.name)).toEqual(['ctrl1', 'ctrl2', 'ctrl3']);
    expect(lab.nodes.map((n) => n.node)).toEqual(['hv1', 'hv2', 'hv10']);
    expect(lab.nodes[0]).toEqual({ ...node('hv1'), role: 'hypervisor' });
    expect(lab.nodes[1]).toEqual({ node: 'hv2', role: 'hypervisor', error: 'no answer' });
    expect(lab.ports).toEqual([port]);
  });
});
