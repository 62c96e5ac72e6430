import { describe, expect, it } from 'vitest';
import {
  LogicalPortSchema,
  LogicalRouterSchema,
  LogicalRouterUpdateSchema,
  LogicalSwitchSchema,
  TransportNodeSchema,
} from './resources.ts';
import { wanUplink } from './test-fixtures.ts';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);

describe('store object schemas', () => {
  it('applies the topology defaults (hypervisor, geneve, source replication)', () => {
    expect(TransportNodeSchema.parse({ name: 'hv1', underlayIp: '172.30.0.11' })).toEqual({
      name: 'hv1',
      role: 'hypervisor',
      encap: 'geneve',
      underlayIp: '172.30.0.11',
    });
    expect(LogicalSwitchSchema.parse({ name: 'web', vni: 5001 })).toEqual({
      name: 'web',
      vni: 5001,
      replication: 'source',
      encap: 'geneve',
    });
  });

  it('lower-cases MACs so the (switch, mac) index sees one spelling', () => {
    expect(LogicalPortSchema.parse({ name: 'p1', switch: 'web', mac: '02:AB:00:00:00:01' }).mac).toBe('02:ab:00:00:00:01');
  });

  it('reports every issue with its path', () => {
    const r = LogicalPortSchema.safeParse({ name: 'P 1', switch: 'web', mac: '01:00:5e:00:00:01', ip: '10.0.0.256', extra: true });
    expect(issues(r)).toEqual([
      ['name', 'a name matching [a-z][a-z0-9-]{0,30}'],
      ['mac', 'a unicast MAC address like 02:00:00:00:01:13'],
      ['ip', 'an IPv4 address like 10.0.1.11'],
      ['', 'Unrecognized key: "extra"'],
    ]);
    expect(issues(TransportNodeSchema.safeParse({ name: 'hv1', role: 'router', encap: 'stt' }))).toEqual([
      ['role', 'a role: hypervisor, service-node, l2-gateway, l3-gateway'],
      ['encap', 'an encap: geneve, vxlan, gre'],
      ['underlayIp', 'an IPv4 address like 10.0.1.11'],
    ]);
  });

  it('bounds VNIs to 1..16777215 integers and wants subnets with host bits zero', () => {
    for (const vni of [0, 16_777_216, 1.5, '5001'])
      expect(issues(LogicalSwitchSchema.safeParse({ name: 'x', vni }))).toEqual([['vni', 'a VNI from 1 to 16777215']]);
    expect(LogicalSwitchSchema.safeParse({ name: 'x', vni: 16_777_215, subnet: '10.0.1.0/24' }).success).toBe(true);
    expect(issues(LogicalSwitchSchema.safeParse({ name: 'x', vni: 1, subnet: '10.0.1.1/24' }))).toEqual([
      ['subnet', 'an IPv4 subnet like 10.0.1.0/24, host bits zero'],
    ]);
    expect(LogicalSwitchSchema.safeParse({ name: 'x', vni: 1, subnet: '10.0.1.1/32' }).success).toBe(true);
  });

  it('validates an L2 gateway: VLAN 1..4094 or none, an interface name', () => {
    const base = { name: 'x', vni: 1 };
    expect(LogicalSwitchSchema.parse({ ...base, l2Gateway: { node: 'gw1', network: 'dc', vlan: 10, nic: 'eth2' } }).l2Gateway).toEqual({
      node: 'gw1',
      network: 'dc',
      vlan: 10,
      nic: 'eth2',
    });
    expect(LogicalSwitchSchema.safeParse({ ...base, l2Gateway: { node: 'gw1', network: 'dc', nic: 'eth2' } }).success).toBe(true);
    expect(issues(LogicalSwitchSchema.safeParse({ ...base, l2Gateway: { node: 'gw1', network: 'dc', vlan: 4095, nic: 'a b' } }))).toEqual([
      ['l2Gateway.vlan', 'a VLAN from 1 to 4094'],
      ['l2Gateway.nic', 'an interface name like eth2 (1 to 15 characters, no / or spaces)'],
    ]);
  });

  it('takes a router: interfaces with address/prefix, an uplink with gateways in order, snat off by default', () => {
    const body = {
      name: 'edge',
      interfaces: [
        { switch: 'web', ip: '10.0.1.1/24', mac: '0A:00:00:00:01:01' },
        { switch: 'db', ip: '10.0.2.1/24', mac: '0a:00:00:00:02:01' },
      ],
      uplink: wanUplink(),
    };
    expect(LogicalRouterSchema.parse(body)).toEqual({
      ...body,
      distributed: true,
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }, body.interfaces[1]],
      uplink: { ...body.uplink, snat: false },
      routes: [],
    });
    expect(LogicalRouterSchema.parse({ name: 'lonely' })).toEqual({ name: 'lonely', distributed: true, interfaces: [], routes: [] });
    expect(LogicalRouterUpdateSchema.safeParse({ interfaces: [] }).success).toBe(true);
  });

  it('refuses a router that cannot hold together, with a path to each issue', () => {
    const r = LogicalRouterSchema.safeParse({
      name: 'edge',
      interfaces: [
        { switch: 'web', ip: '10.0.1.0/24', mac: '0a:00:00:00:01:01' },
        { switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:02' },
        { switch: 'db', ip: '10.0.0.1/16', mac: '0a:00:00:00:01:03' },
      ],
      uplink: {
        network: 'wan',
        ip: '203.0.113.2',
        mac: '0a:00:00:00:ff:01',
        gateways: [
          { node: 'gw1', nic: 'eth2' },
          { node: 'gw1', nic: 'eth2' },
        ],
      },
    });
    expect(issues(r)).toEqual([
      ['interfaces.0.ip', 'an IPv4 address with its prefix length like 10.0.1.1/24, not the subnet or broadcast address'],
      ['uplink.ip', 'an IPv4 address with its prefix length like 10.0.1.1/24, not the subnet or broadcast address'],
      ['interfaces.1.switch', 'a second interface on switch web (one per switch)'],
      ['uplink.gateways.1.node', 'gateway gw1 is listed twice'],
      ['interfaces.2.ip', "10.0.0.1/16 overlaps 10.0.1.1/24 (interfaces.1.ip): a router's subnets must not overlap"],
    ]);
    expect(
      issues(
        LogicalRouterSchema.safeParse({
          name: 'e',
          uplink: { network: 'wan', ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:01', gateways: [] },
        }),
      ),
    ).toEqual([['uplink.gateways', 'at least one l3-gateway']]);
  });

  it('takes static routes to a host of one of its subnets, in the order given, and a centralized router', () => {
    const routes = [
      { prefix: '10.50.0.0/16', nextHop: '10.0.2.254' },
      { prefix: '0.0.0.0/0', nextHop: '203.0.113.1' },
      { prefix: '10.0.1.128/25', nextHop: '10.0.2.9' },
    ];
    const r = LogicalRouterSchema.parse({ ...ROUTED, distributed: false, routes });
    expect(r.distributed).toBe(false);
    expect(r.routes).toEqual(routes);
  });

  it('refuses routes it cannot follow, naming each route', () => {
    const r = LogicalRouterSchema.safeParse({
      ...ROUTED,
      routes: [
        { prefix: '10.50.0.1/16', nextHop: '10.0.2.254' },
        { prefix: '10.50.0.0/16', nextHop: '10.9.0.1' },
        { prefix: '10.50.0.0/16', nextHop: '10.0.1.1' },
        { prefix: '10.0.2.0/24', nextHop: '10.0.2.255' },
        { prefix: '10.60.0.0/16', nextHop: '203.0.113.2' },
        { prefix: '10.70.0.0/16', nextHop: '10.0.2' },
      ],
    });
    expect(issues(r)).toEqual([
      ['routes.0.prefix', 'an IPv4 subnet like 10.0.1.0/24, host bits zero'],
      ['routes.5.nextHop', 'an IPv4 address like 10.0.1.11'],
      [
        'routes.1.nextHop',
        "route 10.50.0.0/16: next hop 10.9.0.1 is not a host of the router's subnets (10.0.1.0/24, 10.0.2.0/24, 203.0.113.0/24)",
      ],
      ['routes.2.prefix', 'route 10.50.0.0/16: a second route to 10.50.0.0/16 (routes.1): one route per prefix'],
      ['routes.2.nextHop', "route 10.50.0.0/16: next hop 10.0.1.1 is the router's own address (interfaces.0.ip)"],
      ['routes.3.prefix', 'route 10.0.2.0/24: the router is on 10.0.2.0/24 itself (interfaces.1.ip)'],
      [
        'routes.3.nextHop',
        "route 10.0.2.0/24: next hop 10.0.2.255 is not a host of the router's subnets (10.0.1.0/24, 10.0.2.0/24, 203.0.113.0/24)",
      ],
      ['routes.4.nextHop', "route 10.60.0.0/16: next hop 203.0.113.2 is the router's own address (uplink.ip)"],
    ]);
    expect(issues(LogicalRouterSchema.safeParse({ ...ROUTED, distributed: 'no', routes: [{ prefix: '10.80.0.0/16' }] }))).toEqual([
      ['distributed', 'true or false'],
      ['routes.0.nextHop', 'an IPv4 address like 10.0.1.11'],
    ]);
    expect(issues(LogicalRouterUpdateSchema.safeParse({ routes: [{ prefix: '10.9.0.0/16', nextHop: '10.9.0.1' }] }))).toEqual([
      ['routes.0.nextHop', "route 10.9.0.0/16: next hop 10.9.0.1 is not a host of the router's subnets (none)"],
    ]);
  });
});

/** A router on 10.0.1.0/24 and 10.0.2.0/24 with an uplink on 203.0.113.0/24. */
const ROUTED = {
  name: 'edge',
  interfaces: [
    { switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' },
    { switch: 'db', ip: '10.0.2.1/24', mac: '0a:00:00:00:02:01' },
  ],
  uplink: wanUplink(),
};
