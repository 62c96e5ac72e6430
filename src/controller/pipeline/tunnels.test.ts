import { describe, expect, it } from 'vitest';
import { desiredTunnels, tunnelName } from './tunnels.ts';
import { hv, smallLab } from './test-fixtures.ts';
import type { LogicalState } from '../../model/index.ts';

const pairs = (s: LogicalState, node: string) => desiredTunnels(s, node).map((t) => `${t.remoteNode}/${t.encap}/${t.name}`);

describe('desiredTunnels', () => {
  it('3 hypervisors, 2 switches: exactly the pairs that share a switch', () => {
    const lab = smallLab();
    expect(pairs(lab, 'hv1')).toEqual(['hv2/geneve/tun-hv2-gnv', 'hv3/vxlan/tun-hv3-vxl']);
    expect(pairs(lab, 'hv2')).toEqual(['hv1/geneve/tun-hv1-gnv']);
    expect(pairs(lab, 'hv3')).toEqual(['hv1/vxlan/tun-hv1-vxl']);
    expect(pairs(lab, 'hv4')).toEqual([]); // hosts no switch
    expect(pairs(lab, 'nope')).toEqual([]);
  });

  it('carries the remote underlay address and MAC', () => {
    expect(desiredTunnels(smallLab(), 'hv2')).toEqual([
      { name: 'tun-hv1-gnv', remoteNode: 'hv1', remoteIp: '192.0.2.1', remoteMac: '02:00:00:00:01:01', encap: 'geneve' },
    ]);
    expect(desiredTunnels(smallLab(), 'hv1')[1]).not.toHaveProperty('remoteMac');
  });

  it('unbound ports and ports on unknown nodes make no tunnels', () => {
    const lab = smallLab();
    lab.ports = [...lab.ports, { name: 'x', switch: 'web', mac: '02:00:00:00:00:99', node: 'ghost' }];
    expect(pairs(lab, 'hv1')).toEqual(['hv2/geneve/tun-hv2-gnv', 'hv3/vxlan/tun-hv3-vxl']);
  });

  it('two encaps towards one node: one tunnel per encap, named with it', () => {
    const lab = smallLab();
    lab.ports = [...lab.ports, { name: 'db-f', switch: 'db', mac: '02:00:00:00:00:10', node: 'hv2' }];
    expect(pairs(lab, 'hv1')).toEqual(['hv2/geneve/tun-hv2-gnv', 'hv2/vxlan/tun-hv2-vxl', 'hv3/vxlan/tun-hv3-vxl']);
    expect(pairs(lab, 'hv2')).toEqual(['hv1/geneve/tun-hv1-gnv', 'hv1/vxlan/tun-hv1-vxl', 'hv3/vxlan/tun-hv3-vxl']);
  });

  it('same result whatever the input order', () => {
    const lab = smallLab();
    const shuffled: LogicalState = {
      nodes: [...lab.nodes].reverse(),
      switches: [...lab.switches].reverse(),
      ports: [...lab.ports].reverse(),
    };
    for (const n of ['hv1', 'hv2', 'hv3']) expect(desiredTunnels(shuffled, n)).toEqual(desiredTunnels(lab, n));
  });

  it('service-node replication: hypervisors also tunnel to every service node, service nodes to every hypervisor with such a switch', () => {
    const lab: LogicalState = {
      nodes: [
        hv('hv1', '192.0.2.1'),
        hv('hv2', '192.0.2.2'),
        hv('hv3', '192.0.2.3'),
        { name: 'sn2', role: 'service-node', encap: 'geneve', underlayIp: '192.0.2.12' },
        { name: 'sn1', role: 'service-node', encap: 'geneve', underlayIp: '192.0.2.11' },
      ],
      switches: [
        { name: 'big', vni: 7, replication: 'service-node', encap: 'geneve' },
        { name: 'src', vni: 8, replication: 'source', encap: 'geneve' },
      ],
      ports: [
        { name: 'p1', switch: 'big', mac: '02:00:00:00:00:01', node: 'hv1' },
        { name: 'p2', switch: 'big', mac: '02:00:00:00:00:02', node: 'hv2' },
        { name: 'q3', switch: 'src', mac: '02:00:00:00:00:03', node: 'hv3' },
      ],
    };
    expect(pairs(lab, 'hv1')).toEqual(['hv2/geneve/tun-hv2-gnv', 'sn1/geneve/tun-sn1-gnv', 'sn2/geneve/tun-sn2-gnv']);
    expect(pairs(lab, 'sn1')).toEqual(['hv1/geneve/tun-hv1-gnv', 'hv2/geneve/tun-hv2-gnv']);
    expect(pairs(lab, 'hv3')).toEqual([]); // its only switch replicates at the source, alone
  });
});

describe('tunnelName', () => {
  it('tun-<node>-<encap> when it fits, else cut and hashed, always at most 15 characters', () => {
    expect(tunnelName('hv1', 'geneve')).toBe('tun-hv1-gnv');
    expect(tunnelName('hypervi', 'gre')).toBe('tun-hypervi-gre'); // exactly 15
    const long = tunnelName('hypervisor-rack7-slot12', 'geneve');
    expect(long).toMatch(/^tun-h[0-9a-f]{6}-gnv$/);
    expect(long).toHaveLength(15);
    expect(tunnelName('hypervisor-rack7-slot13', 'geneve')).not.toBe(long);
    expect(tunnelName('hypervisor-rack7-slot12', 'geneve')).toBe(long);
  });

  it('with an encap: a short tag, still at most 15 characters', () => {
    expect(tunnelName('hv2', 'geneve')).toBe('tun-hv2-gnv');
    expect(tunnelName('hv2', 'vxlan')).toBe('tun-hv2-vxl');
    expect(tunnelName('hv2', 'gre')).toBe('tun-hv2-gre');
    for (const n of ['hypervisor-1', 'a-very-long-transport-node-name', 'x'.repeat(40)]) {
      for (const e of ['geneve', 'vxlan', 'gre'] as const) expect(tunnelName(n, e).length).toBeLessThanOrEqual(15);
    }
    expect(tunnelName('hypervisor-1', 'geneve')).not.toBe(tunnelName('hypervisor-2', 'geneve'));
  });
});
