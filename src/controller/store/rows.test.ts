import { describe, expect, it } from 'vitest';
import { logicalState, nodeFromRow, nodeToRow, portFromRow, portToRow, switchFromRow, switchToRow } from './rows.ts';

describe('NvStore rows', () => {
  it('maps optional properties to 0-or-1 sets and back', () => {
    const node = { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11', underlayMac: '02:00:00:00:00:11' } as const;
    expect(nodeToRow(node)).toEqual({ name: 'hv1', role: 'hypervisor', encap: 'geneve', underlay_ip: '172.30.0.11', underlay_mac: ['02:00:00:00:00:11'], mgmt_ip: [] });
    expect(nodeFromRow(nodeToRow(node) as never)).toEqual(node);
    const port = { name: 'p1', switch: 'web', mac: '02:00:00:00:01:01' };
    expect(portToRow(port)).toEqual({ name: 'p1', switch: 'web', mac: '02:00:00:00:01:01', ip: [], node: [] });
    expect(portFromRow(portToRow(port) as never)).toEqual(port);
    const ls = { name: 'web', vni: 5001, replication: 'source', encap: 'vxlan', subnet: '10.0.1.0/24' } as const;
    expect(switchFromRow(switchToRow(ls) as never)).toEqual(ls);
    expect(switchToRow(ls)).toMatchObject({ l2_gateway_node: [], l2_gateway_network: [], l2_gateway_vlan: [], l2_gateway_nic: [] });
  });

  it('carries a switch\'s L2 gateway in four optional columns, and reads rows written before them', () => {
    const ls = { name: 'web', vni: 5001, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', network: 'dc', vlan: 10, nic: 'eth2' } } as const;
    expect(switchToRow(ls)).toMatchObject({ l2_gateway_node: ['gw1'], l2_gateway_network: ['dc'], l2_gateway_vlan: [10], l2_gateway_nic: ['eth2'] });
    expect(switchFromRow(switchToRow(ls) as never)).toEqual(ls);
    const untagged = { ...ls, l2Gateway: { node: 'gw1', network: 'dc', nic: 'eth2' } };
    expect(switchFromRow(switchToRow(untagged) as never)).toEqual(untagged);
    expect(switchFromRow({ name: 'web', vni: 1, replication: 'source', encap: 'geneve', subnet: [] })).toEqual({ name: 'web', vni: 1, replication: 'source', encap: 'geneve' });
    expect(logicalState([], [ls], []).switches).toEqual([{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', vlan: 10, nic: 'eth2' } }]);
  });

  it('gives the pipeline exactly its LogicalState shape, sorted by name', () => {
    const s = logicalState(
      [
        { name: 'hv2', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.12', mgmtIp: '172.31.0.12' },
        { name: 'hv1', role: 'service-node', encap: 'gre', underlayIp: '172.30.0.11' },
      ],
      [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.0.1.0/24' }],
      [
        { name: 'p2', switch: 'web', mac: '02:00:00:00:01:02', node: 'hv2' },
        { name: 'p1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.1' },
      ],
    );
    expect(s).toEqual({
      nodes: [
        { name: 'hv1', role: 'service-node', encap: 'gre', underlayIp: '172.30.0.11' },
        { name: 'hv2', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.12' },
      ],
      switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }],
      ports: [
        { name: 'p1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.1' },
        { name: 'p2', switch: 'web', mac: '02:00:00:00:01:02', node: 'hv2' },
      ],
    });
  });
});
