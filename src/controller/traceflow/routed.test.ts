// A trace routed on through a router: what the plan says of it, the ARP answers and kept router
// ports a gateway gets, the passes a gateway's counters split into, and the router's step the
// observed path infers between them.
import { describe, expect, it } from 'vitest';
import type { LogicalPort, LogicalRouter, LogicalSwitch } from '../../model/index.ts';
import { smallLab } from '../pipeline/test-fixtures.ts';
import { observedPasses } from './observe.ts';
import { observedPath } from './observed-path.ts';
import type { NodePass } from './passes.ts';
import type { Place } from './places.ts';
import { planTrace, type TracePlan } from './plan.ts';
import { routerPass } from './router-pass.ts';
import { deriveShadows, type ShadowRecords } from './shadow.ts';

const sw = (name: string, vni: number): LogicalSwitch => ({ name, vni, replication: 'source', encap: 'geneve' });
const switches = [sw('app', 5003), sw('db', 5004), sw('other', 5005)];
const ports: LogicalPort[] = [
  { name: 'app1', switch: 'app', mac: '02:00:00:00:03:11', ip: '10.0.3.11', node: 'hv1' },
  { name: 'db1', switch: 'db', mac: '02:00:00:00:04:11', ip: '10.0.4.11', node: 'hv2' },
  { name: 'other1', switch: 'other', mac: '02:00:00:00:05:11', ip: '10.0.5.11', node: 'hv2' },
];
const edge: LogicalRouter = {
  name: 'edge',
  distributed: false,
  routes: [],
  interfaces: [
    { switch: 'app', ip: '10.0.3.1/24', mac: '0a:00:00:00:03:01' },
    { switch: 'db', ip: '10.0.4.1/24', mac: '0a:00:00:00:04:01' },
  ],
  uplink: { network: 'internet', ip: '203.0.113.2/24', mac: '0a:00:00:00:71:02', snat: true, gateways: [{ node: 'gw1', nic: 'eth2' }] },
};
const resources = { ports, switches, routers: [edge] };
const www = { network: 'internet', ip: '203.0.113.80', mac: '02:42:cb:00:71:50' };

describe('planTrace, routed on', () => {
  it('a unicast to another switch the router joins: to the router, routed on to the port', () => {
    const plan = planTrace({ from: 'app1', to: 'db1', proto: 'icmp' }, resources);
    expect(plan.frame.ethDst).toBe('0a:00:00:00:03:01');
    expect(plan.routed).toEqual({ ip: '10.0.4.11', mac: '02:00:00:00:04:11' });
    expect(plan.isolated).toBeUndefined();
  });

  it('to a host behind the uplink: with the source NAT address', () => {
    const plan = planTrace({ from: 'app1', to: 'www', proto: 'udp:53', hosts: { www } }, resources);
    expect(plan.routed).toEqual({ ip: '203.0.113.80', mac: www.mac, snat: '203.0.113.2' });
  });

  it('an ARP, a broadcast or a router address: not routed on; a router address is delivered at the router', () => {
    expect(planTrace({ from: 'app1', to: 'db1', proto: 'arp' }, resources).routed).toBeUndefined();
    expect(planTrace({ from: 'app1', to: 'db1', proto: 'icmp', frame: 'broadcast' }, resources).routed).toBeUndefined();
    const own = planTrace({ from: 'app1', to: '10.0.4.1', proto: 'icmp' }, resources);
    expect(own).toMatchObject({ target: 'edge' });
    expect(own.routed).toBeUndefined();
  });

  it('a switch no router joins: flooded to an unknown MAC, isolated, never routed', () => {
    const plan = planTrace({ from: 'app1', to: 'other1', proto: 'icmp' }, resources);
    expect(plan.frame.ethDst).toBe('06:6e:76:00:00:01');
    expect(plan.routed).toBeUndefined();
    expect(plan.isolated).toBe('other1 is on switch other, and no router or gateway joins it to switch app');
  });
});

const places = new Map<number, Place>([
  [1, { kind: 'router-port', router: 'edge', switch: 'db' }],
  [2, { kind: 'router-port', router: 'edge', switch: 'app' }],
  [3, { kind: 'router-port', router: 'edge', uplink: true }],
  [5, { kind: 'tunnel', remote: 'hv1', encap: 'geneve' }],
  [7, { kind: 'tunnel', remote: 'hv2', encap: 'geneve' }],
]);

describe('routerPass', () => {
  it("keeps the router's ports and answers its ARP for the next hop on each, as the next hop would", () => {
    const pass = routerPass(places, [edge], { ip: '10.0.4.11', mac: '02:00:00:00:04:11' }, 7)!;
    expect([...pass.ports].sort()).toEqual([1, 2, 3]);
    expect(pass.answers).toHaveLength(3);
    const db = pass.answers[0]!;
    expect(db.match).toContainEqual({ field: 'arp_tpa', value: '10.0.4.11' });
    expect(db.match).toContainEqual({ field: 'in_port', value: 1 });
    const actions = db.instructions[0]!.type === 'apply_actions' ? db.instructions[0]!.actions : [];
    expect(actions).toContainEqual({ type: 'set_field', field: { field: 'arp_tpa', value: '10.0.4.1' } });
    expect(actions).toContainEqual({ type: 'set_field', field: { field: 'eth_dst', value: '0a:00:00:00:04:01' } });
    expect(actions.at(-1)).toMatchObject({ type: 'output' });
    expect(routerPass(places, [edge], undefined, 7)).toBeUndefined();
  });

  it('a shadow keeps its output to a kept router port, and takes out the others', () => {
    const flow = (port: number) => ({
      tableId: 10,
      priority: 110,
      cookie: 0x300138an,
      match: [{ field: 'metadata' as const, value: 0x138an }],
      instructions: [{ type: 'apply_actions' as const, actions: [{ type: 'output' as const, port }] }],
    });
    const derive = (routerPorts?: Set<number>) =>
      deriveShadows({ flows: [flow(2)] as never, groups: [], tunnelPorts: new Set(), routerPorts, ports: [], mark: 'ip', trace: 1 });
    expect(derive(new Set([2])).flows.find((f) => f.table === 10)).toMatchObject({ effects: [{ kind: 'router', port: 2 }], onVni: 0x138a });
    expect(derive().flows.find((f) => f.table === 10)).toMatchObject({ effects: [{ kind: 'deliver', port: 2 }] });
  });
});

describe('a gateway the packet came back to out of a router', () => {
  it('counts two passes: in from the tunnel into the router, and out of the router on into the tunnel', () => {
    const records: ShadowRecords = {
      groups: [],
      flows: [
        { cookie: 1n, table: 0, real: { cookie: 0x11n, priority: 100 }, inPort: 5, tunnelId: 0x138b, metadata: 0x138b, effects: [] },
        { cookie: 2n, table: 10, real: { cookie: 0x12n, priority: 110 }, onVni: 0x138b, effects: [{ kind: 'router', port: 2 }] },
        { cookie: 3n, table: 0, real: { cookie: 0x13n, priority: 100 }, inPort: 1, metadata: 0x138c, effects: [] },
        {
          cookie: 4n,
          table: 10,
          real: { cookie: 0x14n, priority: 100 },
          onVni: 0x138c,
          effects: [{ kind: 'tunnel', port: 7, vni: 0x138c }],
        },
      ],
    };
    const counters = { flows: new Map([1n, 2n, 3n, 4n].map((c) => [c, 1n])), groups: new Map() };
    const passes = observedPasses('gw1', records, counters, { places });
    expect(passes.map((p) => [p.entry, p.rules.map((r) => r.cookie), p.exits])).toEqual([
      [
        { kind: 'tunnel', remote: 'hv1', encap: 'geneve', vni: 0x138b },
        [0x11n, 0x12n],
        [{ kind: 'router-port', router: 'edge', switch: 'app' }],
      ],
      [
        { kind: 'router-port', router: 'edge', switch: 'db' },
        [0x13n, 0x14n],
        [{ kind: 'tunnel', remote: 'hv2', encap: 'geneve', vni: 0x138c }],
      ],
    ]);
  });

  it("infers the router's step between them, as the prediction shows it", () => {
    const plan: TracePlan = {
      source: { node: 'gw1', entry: { kind: 'port', port: 'app1' }, via: { vmPort: 'app1' } },
      target: 'db1',
      frame: { ethSrc: ports[0]!.mac, ethDst: '0a:00:00:00:03:01', payload: { kind: 'icmp', src: '10.0.3.11', dst: '10.0.4.11' } },
      routed: { ip: '10.0.4.11', mac: ports[1]!.mac },
    };
    const passes: NodePass[] = [
      { node: 'gw1', entry: { kind: 'port', port: 'app1' }, rules: [], exits: [{ kind: 'router-port', router: 'edge', switch: 'app' }] },
      { node: 'gw1', entry: { kind: 'router-port', router: 'edge', switch: 'db' }, rules: [], exits: [{ kind: 'port', port: 'db1' }] },
    ];
    const path = observedPath(passes, smallLab(), plan);
    expect(path.delivered).toBe(true);
    expect(path.hops.map((h) => `${h.component} ${h.observation} ${h.detail}`)).toEqual([
      'port received sent by port app1',
      "logical-router forwarded into router edge's interface on switch app",
      'logical-router received router edge takes it in on its interface on switch app',
      'logical-router forwarded routed towards 10.0.4.11 out of its interface on switch db, TTL 63',
      "logical-router received from router edge's interface on switch db",
      'port delivered to port db1',
    ]);
  });
});
