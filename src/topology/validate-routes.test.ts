// A router's kind and static routes in a topology file: what the plan carries, and every problem
// at once at its line and column.
import { describe, expect, it } from 'vitest';
import { formatIssue } from './issues.ts';
import { parseTopology } from './load.ts';
import { planLab } from './plan.ts';
import { issuesOf, issuesThrownBy, lines } from './test-helpers.ts';

const LAB = [
  'name: lab',
  'transport-nodes: { hv1: hypervisor, gw1: l3-gateway }',
  'physical-networks: { wan: { subnet: 203.0.113.0/24 } }',
  'logical-switches:',
  '  web: { subnet: 10.0.1.0/24 }',
  '  db: { subnet: 192.168.20.0/24 }',
  'logical-routers:',
];

describe("a router's kind and static routes in a topology file", () => {
  it('takes a centralized router with an uplink and routes, and a router without an uplink (distributed)', () => {
    const src = lines(
      ...LAB,
      '  core:',
      '    distributed: false',
      '    switches: { web: 10.0.1.1 }',
      '    uplink: { network: wan, ip: 203.0.113.2, gateways: [gw1] }',
      '    routes:',
      '      - { prefix: 10.50.0.0/16, next-hop: 10.0.1.254 }',
      '      - { prefix: 0.0.0.0/0, next-hop: 203.0.113.1 }',
      '  inner:',
      '    switches: { db: 192.168.20.1 }',
      '    routes: [{ prefix: 10.60.0.0/16, next-hop: 192.168.20.254 }]',
    );
    const plan = planLab(parseTopology(src, 'lab.yaml').topology);
    expect(plan.routers.map((r) => ({ name: r.name, distributed: r.distributed, routes: r.routes }))).toEqual([
      {
        name: 'core',
        distributed: false,
        routes: [
          { prefix: '10.50.0.0/16', nextHop: '10.0.1.254' },
          { prefix: '0.0.0.0/0', nextHop: '203.0.113.1' },
        ],
      },
      { name: 'inner', distributed: true, routes: [{ prefix: '10.60.0.0/16', nextHop: '192.168.20.254' }] },
    ]);
  });

  it('reports next hops outside every subnet of the router or its own, a prefix routed twice or one it is on', () => {
    const src = lines(
      ...LAB,
      '  core:',
      '    switches: { web: 10.0.1.1, db: 192.168.20.1 }',
      '    uplink: { network: wan, ip: 203.0.113.2, gateways: [gw1] }',
      '    routes:',
      '      - { prefix: 10.50.0.0/16, next-hop: 10.9.0.1 }',
      '      - { prefix: 10.50.0.0/16, next-hop: 192.168.20.1 }',
      '      - { prefix: 10.0.1.0/24, next-hop: 10.0.1.9 }',
      '      - { prefix: 10.70.0.0/16, next-hop: 10.0.1.0 }',
      '      - { prefix: 0.0.0.0/0, next-hop: 203.0.113.1 }',
    );
    expect(issuesOf(src).map(formatIssue)).toEqual([
      "lab.yaml:12:43: logical-routers.core.routes[0].next-hop: router core's route 10.50.0.0/16: next hop 10.9.0.1 is not a host of the router's subnets (10.0.1.0/24, 192.168.20.0/24, 203.0.113.0/24) (expected a neighbour's address on one of the router's subnets)",
      "lab.yaml:13:19: logical-routers.core.routes[1].prefix: router core's route 10.50.0.0/16: a second route to 10.50.0.0/16 (logical-routers.core.routes[0] (line 12)): one route per prefix (expected a prefix routed once, on none of the router's own subnets)",
      "lab.yaml:13:43: logical-routers.core.routes[1].next-hop: router core's route 10.50.0.0/16: next hop 192.168.20.1 is the router's own address (its interface on switch db) (expected a neighbour's address on one of the router's subnets)",
      "lab.yaml:14:19: logical-routers.core.routes[2].prefix: router core's route 10.0.1.0/24: the router is on 10.0.1.0/24 itself (its interface on switch web) (expected a prefix routed once, on none of the router's own subnets)",
      "lab.yaml:15:43: logical-routers.core.routes[3].next-hop: router core's route 10.70.0.0/16: next hop 10.0.1.0 is not a host of the router's subnets (10.0.1.0/24, 192.168.20.0/24, 203.0.113.0/24) (expected a neighbour's address on one of the router's subnets)",
    ]);
  });

  it('refuses a centralized router without an uplink, by name, with exit code 2', () => {
    const src = lines(...LAB, '  core:', '    distributed: false', '    switches: { web: 10.0.1.1, db: 192.168.20.1 }');
    const issues = issuesThrownBy(() => parseTopology(src, 'lab.yaml'), 'the file was accepted');
    expect(issues.map(formatIssue)).toEqual([
      'lab.yaml:9:18: logical-routers.core.distributed: router core: distributed: false needs an uplink (its gateways route it) (expected an uplink on l3 gateways, or distributed: true)',
    ]);
    expect(() => parseTopology(src, 'lab.yaml')).toThrow(expect.objectContaining({ code: 'INVALID_TOPOLOGY', exitCode: 2 }));
  });

  it('reports a prefix with host bits, wrong types and keys', () => {
    const src = lines(
      ...LAB,
      '  core:',
      '    distributed: yes',
      '    switches: { web: 10.0.1.1 }',
      '    routes:',
      '      - { prefix: 10.50.0.1/16, next-hop: 10.0.1.254 }',
      '      - { prefix: 10.60.0.0/16, nexthop: 10.0.1.254 }',
      '      - 10.70.0.0/16',
    );
    expect(issuesOf(src).map(formatIssue)).toEqual([
      'lab.yaml:9:18: logical-routers.core.distributed: wrong type: got "yes" (expected true or false)',
      'lab.yaml:12:19: logical-routers.core.routes[0].prefix: invalid value "10.50.0.1/16" (expected an IPv4 subnet like 10.0.1.0/24, host bits zero)',
      'lab.yaml:13:9: logical-routers.core.routes[1].next-hop: missing key "next-hop" (expected an IPv4 address like 10.0.1.11)',
      'lab.yaml:13:33: logical-routers.core.routes[1].nexthop: unknown key "nexthop" (expected one of prefix, next-hop)',
      'lab.yaml:14:9: logical-routers.core.routes[2]: wrong type: got "10.70.0.0/16" (expected { prefix: SUBNET, next-hop: ADDRESS })',
    ]);
  });

  it('leaves next hops alone when a switch of the router is missing, but not its own addresses', () => {
    const src = lines(
      ...LAB,
      '  core:',
      '    switches: { web: 10.0.1.1, nope: 10.9.0.1 }',
      '    routes:',
      '      - { prefix: 10.50.0.0/16, next-hop: 10.9.0.254 }',
      '      - { prefix: 10.60.0.0/16, next-hop: 10.0.1.1 }',
    );
    expect(issuesOf(src).map(formatIssue)).toEqual([
      'lab.yaml:9:32: logical-routers.core.switches.nope: router core has an interface on nope, which is not a logical switch (expected a logical switch: web, db)',
      "lab.yaml:12:43: logical-routers.core.routes[1].next-hop: router core's route 10.60.0.0/16: next hop 10.0.1.1 is the router's own address (its interface on switch web) (expected a neighbour's address on one of the router's subnets)",
    ]);
  });
});
