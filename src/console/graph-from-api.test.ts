// The console's graph from the API's answers: the two worlds and the mapping, tunnels once per
// pair with the state either end gives them (a node that cannot be read takes its tunnels down
// with it, drawn as they were when last read), members by their lease, the active gateway.
import { describe, expect, it } from 'vitest';
import type { Status, TransportNodeStatus } from '../model/index.ts';
import { geneveTunnel, programmedNode } from '../model/status-fixtures.ts';
import { graphFromApi } from './graph-from-api.ts';
import { emptyReadings, nodeHealth, type LabReadings, type NodeReading } from './readings.ts';

const IPS: Record<string, string> = { hv1: '172.30.0.11', hv2: '172.30.0.12', gw1: '172.30.0.21' };

const status: Status = {
  member: 'ctrl1',
  store: { connected: true, synced: true, available: true, role: 'leader' },
  members: [
    { name: 'ctrl1', expires: 2, live: true },
    { name: 'ctrl2', expires: 1, live: false },
  ],
  masterships: [{ node: 'hv1', member: 'ctrl1', generation: 1 }],
};

const up = (node: string, extra: { bfdTo?: string; bfdState?: string } = {}): TransportNodeStatus =>
  programmedNode(
    node,
    'ctrl1',
    1,
    { flows: 20, groups: 1 },
    Object.keys(IPS)
      .filter((r) => r !== node)
      .map((r) =>
        geneveTunnel(r, IPS[r]!, {
          link: 'up',
          ...(r === extra.bfdTo || node === 'gw1' || r === 'gw1'
            ? { bfd: { state: r === extra.bfdTo ? extra.bfdState! : 'up', forwarding: r !== extra.bfdTo } }
            : {}),
        }),
      ),
  );

function readings(nodes: Record<string, NodeReading>): LabReadings {
  const r = emptyReadings();
  const at = 1;
  r.status = { at, value: status };
  r.nodes = {
    at,
    value: Object.keys(IPS).map((name) => ({
      name,
      role: name === 'gw1' ? 'l3-gateway' : 'hypervisor',
      encap: 'geneve',
      underlayIp: IPS[name]!,
    })),
  };
  r.switches = { at, value: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.0.1.0/24' }] };
  r.ports = {
    at,
    value: [
      { name: 'web1', switch: 'web', mac: '02:00:00:00:01:11', ip: '10.0.1.11', node: 'hv1' },
      { name: 'web9', switch: 'web', mac: '02:00:00:00:01:19' },
    ],
  };
  r.routers = {
    at,
    value: [
      {
        name: 'edge',
        interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
        uplink: {
          network: 'internet',
          ip: '203.0.113.2/24',
          mac: '0a:00:00:00:ff:01',
          snat: true,
          gateways: [{ node: 'gw1', nic: 'eth2' }],
        },
      },
    ],
  };
  r.portStats.set('web1', { at, value: { port: 'web1', member: 'ctrl1', node: 'hv1', plugged: true } });
  r.nodeStatus = new Map(Object.entries(nodes));
  return r;
}

const allUp = () => ({
  hv1: { at: 1, value: up('hv1'), lastUp: up('hv1') },
  hv2: { at: 1, value: up('hv2'), lastUp: up('hv2') },
  gw1: { at: 1, value: up('gw1'), lastUp: up('gw1') },
});
const stateOf = (g: ReturnType<typeof graphFromApi>, id: string) => [...g.nodes, ...g.edges].find((x) => x.id === id)?.state;
const tunnels = (g: ReturnType<typeof graphFromApi>) =>
  Object.fromEntries(g.edges.filter((e) => e.kind === 'tunnel').map((e) => [e.id, e.state]));

describe("the console's graph from the API", () => {
  it('draws both worlds and the mapping, each tunnel once, members by their lease', () => {
    const g = graphFromApi(readings(allUp()));
    expect(g.nodes.map((n) => n.id).sort()).toEqual(
      [
        'member:ctrl1',
        'member:ctrl2',
        'network:management',
        'network:underlay',
        'network:internet',
        'transport-node:hv1',
        'transport-node:hv2',
        'transport-node:gw1',
        'switch:web',
        'port:web1',
        'port:web9',
        'router:edge',
      ].sort(),
    );
    expect(tunnels(g)).toEqual({ 'tunnel:gw1:hv1:geneve': 'up', 'tunnel:gw1:hv2:geneve': 'up', 'tunnel:hv1:hv2:geneve': 'up' });
    expect([stateOf(g, 'member:ctrl1'), stateOf(g, 'member:ctrl2')]).toEqual(['up', 'down']);
    expect(g.nodes.find((n) => n.id === 'member:ctrl1')!.attrs).toMatchObject({ raft: 'leader', masterOf: 1 });
    expect([stateOf(g, 'port:web1'), stateOf(g, 'port:web9')]).toEqual(['up', 'down']);
    // The mapping: a port on its node (an unbound one on none), the router on its active gateway.
    expect(g.edges.filter((e) => e.kind === 'placement').map((e) => [e.id, e.state, e.attrs.active])).toEqual([
      ['placement:port:web1:hv1', undefined, undefined],
      ['placement:router:edge:gw1', 'up', true],
    ]);
    expect(g.edges.find((e) => e.kind === 'uplink')).toMatchObject({ from: 'router:edge', to: 'network:internet', label: '203.0.113.2' });
  });

  it('one view alone: no mapping, and no edge to what the view leaves out', () => {
    const physical = graphFromApi(readings(allUp()), 'physical');
    expect(physical.nodes.every((n) => n.world === 'physical')).toBe(true);
    expect(physical.edges.some((e) => e.kind === 'placement' || e.kind === 'uplink')).toBe(false);
    const logical = graphFromApi(readings(allUp()), 'logical');
    expect(logical.nodes.map((n) => n.kind).sort()).toEqual(['port', 'port', 'router', 'switch']);
    expect(logical.edges.map((e) => e.kind).sort()).toEqual(['interface', 'port', 'port']);
  });

  it('a node its member cannot read: down, and every tunnel it has, drawn as last read, down with it; the router loses its gateway', () => {
    const cut: NodeReading = { at: 2, value: { ...up('hv2'), flows: undefined, groups: undefined }, lastUp: up('hv2') };
    const g = graphFromApi(readings({ ...allUp(), hv2: cut }));
    expect(stateOf(g, 'transport-node:hv2')).toBe('down');
    expect(tunnels(g)).toEqual({ 'tunnel:gw1:hv1:geneve': 'up', 'tunnel:gw1:hv2:geneve': 'down', 'tunnel:hv1:hv2:geneve': 'down' });
    expect(g.edges.find((e) => e.id === 'tunnel:hv1:hv2:geneve')!.attrs.status).toBe('hv2: its switch does not answer');
    // Its status gone altogether (the member lost its session): its tunnels are still drawn.
    const gone = graphFromApi(readings({ ...allUp(), hv2: { at: 3, error: '500 internal: boom', lastUp: up('hv2') } }));
    expect(tunnels(gone)).toEqual(tunnels(g));
    const gwDown = graphFromApi(
      readings({
        ...allUp(),
        gw1: { at: 3, value: { ...up('gw1'), connected: { ovsdb: false, openflow: false }, tunnels: [] }, lastUp: up('gw1') },
      }),
    );
    expect(gwDown.edges.find((e) => e.id === 'placement:router:edge:gw1')).toMatchObject({ state: 'down', attrs: { active: false } });
  });

  it('a tunnel whose BFD is down at one end is down, with why', () => {
    const g = graphFromApi(readings({ ...allUp(), hv1: { at: 1, value: up('hv1', { bfdTo: 'hv2', bfdState: 'down' }) } }));
    expect(tunnels(g)['tunnel:hv1:hv2:geneve']).toBe('down');
    expect(g.edges.find((e) => e.id === 'tunnel:hv1:hv2:geneve')!.attrs.status).toBe('BFD down');
  });

  it('judges a node by what its member reads', () => {
    expect(nodeHealth(undefined)).toEqual({ state: 'unknown', text: 'not read yet' });
    expect(nodeHealth({ at: 1, error: 'no answer (no answer within 5 s)' })).toEqual({
      state: 'down',
      text: 'no status: no answer (no answer within 5 s)',
    });
    expect(nodeHealth({ at: 1, value: { ...up('hv1'), connected: { ovsdb: true, openflow: false } } }).text).toBe(
      'connected by OVSDB only',
    );
    expect(nodeHealth({ at: 1, value: up('hv1') })).toEqual({ state: 'up', text: 'connected' });
  });
});
