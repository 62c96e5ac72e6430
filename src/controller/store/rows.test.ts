import { describe, expect, it } from 'vitest';
import { LogicalPortSchema, SecurityGroupSchema, logicalState } from '../../model/index.ts';
import { wanUplink, wanUplinkState } from '../../model/test-fixtures.ts';
import {
  macBindingFromRow,
  macBindingToRow,
  nodeFromRow,
  nodeToRow,
  portFromRow,
  portToRow,
  routerFromRows,
  routerToRows,
  securityGroupFromRows,
  securityGroupToRows,
  switchFromRow,
  switchToRow,
} from './rows.ts';

describe('NvStore rows', () => {
  it('maps optional properties to 0-or-1 sets and back', () => {
    const node = { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11', underlayMac: '02:00:00:00:00:11' } as const;
    expect(nodeToRow(node)).toEqual({
      name: 'hv1',
      role: 'hypervisor',
      encap: 'geneve',
      underlay_ip: '172.30.0.11',
      underlay_mac: ['02:00:00:00:00:11'],
      mgmt_ip: [],
    });
    expect(nodeFromRow(nodeToRow(node) as never)).toEqual(node);
    const port = { name: 'p1', switch: 'web', mac: '02:00:00:00:01:01' };
    expect(portToRow(port)).toEqual({
      name: 'p1',
      switch: 'web',
      mac: '02:00:00:00:01:01',
      ip: [],
      node: [],
      security_groups: [],
      port_security: [],
      qos_rate: [],
      qos_burst: [],
    });
    expect(portFromRow(portToRow(port) as never)).toEqual(port);
    const ls = { name: 'web', vni: 5001, replication: 'source', encap: 'vxlan', subnet: '10.0.1.0/24' } as const;
    expect(switchFromRow(switchToRow(ls) as never)).toEqual(ls);
    expect(switchToRow(ls)).toMatchObject({ l2_gateway_node: [], l2_gateway_network: [], l2_gateway_vlan: [], l2_gateway_nic: [] });
  });

  it("carries a switch's L2 gateway in four optional columns, and reads rows written before them", () => {
    const ls = {
      name: 'web',
      vni: 5001,
      replication: 'source',
      encap: 'geneve',
      l2Gateway: { node: 'gw1', network: 'dc', vlan: 10, nic: 'eth2' },
    } as const;
    expect(switchToRow(ls)).toMatchObject({
      l2_gateway_node: ['gw1'],
      l2_gateway_network: ['dc'],
      l2_gateway_vlan: [10],
      l2_gateway_nic: ['eth2'],
    });
    expect(switchFromRow(switchToRow(ls) as never)).toEqual(ls);
    const untagged = { ...ls, l2Gateway: { node: 'gw1', network: 'dc', nic: 'eth2' } };
    expect(switchFromRow(switchToRow(untagged) as never)).toEqual(untagged);
    expect(switchFromRow({ name: 'web', vni: 1, replication: 'source', encap: 'geneve', subnet: [] })).toEqual({
      name: 'web',
      vni: 1,
      replication: 'source',
      encap: 'geneve',
    });
    expect(logicalState([], [ls], []).switches).toEqual([
      { name: 'web', vni: 5001, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', vlan: 10, nic: 'eth2' } },
    ]);
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
      routers: [],
    });
  });

  it('writes a router as its row plus a row per interface, gateway and route, keeping their order', () => {
    const router = {
      name: 'edge',
      distributed: false,
      interfaces: [
        { switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' },
        { switch: 'app', ip: '10.0.2.1/24', mac: '0a:00:00:00:02:01' },
      ],
      uplink: wanUplink({ snat: true }),
      routes: [
        { prefix: '10.50.0.0/16', nextHop: '10.0.2.254' },
        { prefix: '0.0.0.0/0', nextHop: '203.0.113.1' },
      ],
    };
    const rows = routerToRows(router);
    expect(rows.router).toEqual({
      name: 'edge',
      uplink_network: ['wan'],
      uplink_ip: ['203.0.113.2'],
      uplink_prefix: [24],
      uplink_mac: ['0a:00:00:00:ff:01'],
      uplink_snat: [true],
      distributed: [false],
    });
    expect(rows.interfaces[1]).toEqual({
      router: 'edge',
      switch: 'app',
      ip: '10.0.2.1',
      prefix: 24,
      mac: '0a:00:00:00:02:01',
      position: 1,
    });
    expect(rows.gateways).toEqual([
      { router: 'edge', node: 'gw2', nic: 'eth2', priority: 0 },
      { router: 'edge', node: 'gw1', nic: 'eth3', priority: 1 },
    ]);
    expect(rows.routes).toEqual([
      { router: 'edge', prefix: '10.50.0.0/16', next_hop: '10.0.2.254', position: 0 },
      { router: 'edge', prefix: '0.0.0.0/0', next_hop: '203.0.113.1', position: 1 },
    ]);
    // Read back from rows in any order, beside another router's rows.
    const zz = {
      name: 'zz',
      distributed: true,
      interfaces: [{ switch: 'web', ip: '10.0.1.2/24', mac: '0a:00:00:00:01:09' }],
      routes: [{ prefix: '10.60.0.0/16', nextHop: '10.0.1.9' }],
    };
    const other = routerToRows(zz);
    const back = routerFromRows(
      rows.router as never,
      [...other.interfaces, ...rows.interfaces].reverse() as never,
      [...rows.gateways].reverse() as never,
      [...other.routes, ...rows.routes].reverse() as never,
    );
    expect(JSON.stringify(back)).toBe(JSON.stringify(router));
    expect(routerFromRows(other.router as never, other.interfaces as never, [], other.routes as never)).toEqual(zz);
    expect(other.router).toMatchObject({ uplink_network: [], uplink_snat: [], distributed: [true] });
    expect(logicalState([], [], [], [router]).routers).toEqual([
      {
        name: 'edge',
        distributed: false,
        interfaces: [
          { switch: 'web', mac: '0a:00:00:00:01:01', ip: '10.0.1.1/24' },
          { switch: 'app', mac: '0a:00:00:00:02:01', ip: '10.0.2.1/24' },
        ],
        uplink: wanUplinkState(),
        routes: router.routes,
      },
    ]);
  });

  it('reads a router row written before schema 1.5.0 as distributed, without routes', () => {
    const old = { name: 'old', uplink_network: [], uplink_ip: [], uplink_prefix: [], uplink_mac: [], uplink_snat: [] };
    const iface = { router: 'old', switch: 'web', ip: '10.0.1.1', prefix: 24, mac: '0a:00:00:00:01:01', position: 0 };
    expect(routerFromRows(old, [iface], [])).toEqual({
      name: 'old',
      distributed: true,
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
      routes: [],
    });
    expect(routerFromRows({ ...old, distributed: [] }, [], [], []).distributed).toBe(true);
  });

  it("keeps a learned MAC binding's switch in logical_switch", () => {
    const b = { switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' };
    expect(macBindingToRow(b)).toEqual({ logical_switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' });
    expect(macBindingFromRow({ logical_switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' })).toEqual(b);
  });

  it("keeps a port's groups as a set, its port security and QoS in optional columns, and reads rows written before them", () => {
    const port = LogicalPortSchema.parse({
      name: 'p1',
      switch: 'web',
      mac: '02:00:00:00:01:01',
      securityGroups: ['web', 'admin'],
      portSecurity: false,
      qos: { rate: '10mbit', burst: '1mbit' },
    });
    expect(portToRow(port)).toMatchObject({
      security_groups: ['admin', 'web'],
      port_security: [false],
      qos_rate: ['10mbit'],
      qos_burst: ['1mbit'],
    });
    // The replica may hand a set's members in any order.
    expect(portFromRow({ ...portToRow(port), security_groups: ['web', 'admin'] } as never)).toEqual(port);
    const rateOnly = { name: 'p2', switch: 'web', mac: '02:00:00:00:01:02', qos: { rate: '500kbit' } };
    expect(portFromRow(portToRow(rateOnly) as never)).toEqual(rateOnly);
    expect(portFromRow({ name: 'p3', switch: 'web', mac: '02:00:00:00:01:03', ip: [], node: [] })).toEqual({
      name: 'p3',
      switch: 'web',
      mac: '02:00:00:00:01:03',
    });
  });

  it('writes a security group as its row plus a row per rule, keeping their order and spelling', () => {
    const group = SecurityGroupSchema.parse({
      name: 'web',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '8000-8080', remote: 'admin' },
        { direction: 'egress', protocol: 'udp', ports: '53', remote: '10.0.0.0/8', action: 'drop' },
        { direction: 'ingress', protocol: 'icmp', action: 'reject' },
      ],
    });
    const rows = securityGroupToRows(group);
    expect(rows.group).toEqual({ name: 'web' });
    expect(rows.rules).toEqual([
      {
        group: 'web',
        position: 0,
        direction: 'ingress',
        protocol: 'tcp',
        port_min: [8000],
        port_max: [8080],
        remote: 'admin',
        action: 'allow',
      },
      {
        group: 'web',
        position: 1,
        direction: 'egress',
        protocol: 'udp',
        port_min: [53],
        port_max: [53],
        remote: '10.0.0.0/8',
        action: 'drop',
      },
      {
        group: 'web',
        position: 2,
        direction: 'ingress',
        protocol: 'icmp',
        port_min: [],
        port_max: [],
        remote: '0.0.0.0/0',
        action: 'reject',
      },
    ]);
    const other = securityGroupToRows(SecurityGroupSchema.parse({ name: 'db', rules: [{ direction: 'ingress' }] }));
    const back = securityGroupFromRows(rows.group as never, [...other.rules, ...rows.rules].reverse() as never);
    expect(JSON.stringify(back)).toBe(JSON.stringify(group));
    expect(back.rules[1]!.ports).toBe(53);
    expect(securityGroupFromRows({ name: 'admin' }, rows.rules as never)).toEqual({ name: 'admin', rules: [] });
  });
});
