// The console's graph from the API's answers (the same builders as `nvlab graph LAB`): the two
// worlds and the mapping, tunnels once per pair with the state either end gives them (a node cut
// off takes its tunnels down with it), members by their lease, the active gateway.
import { describe, expect, it } from 'vitest';
import type { Status, TransportNodeStatus } from '../model/index.ts';
import { geneveTunnel, programmedNode } from '../model/status-fixtures.ts';
import { liveGraph } from './live-graph.ts';
import { emptyReadings, type LabReadings, type NodeReading } from './readings.ts';

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
        distributed: false,
        interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
        uplink: {
          network: 'internet',
          ip: '203.0.113.2/24',
          mac: '0a:00:00:00:ff:01',
          snat: true,
          gateways: [{ node: 'gw1', nic: 'eth2' }],
        },
        routes: [],
      },
    ],
  };
  r.portStats.set('web1', { at, value: { port: 'web1', member: 'ctrl1', node: 'hv1', plugged: true } });
  r.nodeStatus = new Map(Object.entries(nodes));
  return r;
}

const allUp = () => ({
  hv1: { at: 1, value: up('hv1') },
  hv2: { at: 1, value: up('hv2') },
  gw1: { at: 1, value: up('gw1') },
});
const stateOf = (g: ReturnType<typeof liveGraph>, id: string) => [...g.nodes, ...g.edges].find((x) => x.id === id)?.state;
const tunnels = (g: ReturnType<typeof liveGraph>) =>
  Object.fromEntries(g.edges.filter((e) => e.kind === 'tunnel').map((e) => [e.id, e.state]));

describe("the console's live graph", () => {
  it('draws both worlds and the mapping, each tunnel once, members by their lease', () => {
    const g = liveGraph(readings(allUp()), 'both');
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
    expect(g.nodes.find((n) => n.id === 'member:ctrl1')!.attrs).toMatchObject({ raft: 'leader', masterOf: 'hv1' });
    expect([stateOf(g, 'port:web1'), stateOf(g, 'port:web9')]).toEqual(['up', 'down']);
    // The mapping: a port on its node (an unbound one on none), the router on its active gateway.
    expect(g.edges.filter((e) => e.kind === 'placement').map((e) => [e.id, e.state, e.attrs.active])).toEqual([
      ['placement:port:web1:hv1', undefined, undefined],
      ['placement:router:edge:gw1', 'up', true],
    ]);
    expect(g.edges.find((e) => e.kind === 'uplink')).toMatchObject({ from: 'router:edge', to: 'network:internet', label: '203.0.113.2' });
  });

  it('one view alone: no mapping, and no edge to what the view leaves out', () => {
    const physical = liveGraph(readings(allUp()), 'physical');
    expect(physical.nodes.every((n) => n.world === 'physical')).toBe(true);
    expect(physical.edges.some((e) => e.kind === 'placement' || e.kind === 'uplink')).toBe(false);
    const logical = liveGraph(readings(allUp()), 'logical');
    expect(logical.nodes.map((n) => n.kind).sort()).toEqual(['port', 'port', 'router', 'switch']);
    expect(logical.edges.map((e) => e.kind).sort()).toEqual(['interface', 'port', 'port']);
  });

  it('a node its member cannot read: down, and every tunnel it has, drawn as last read, down with it; the router loses its gateway', () => {
    const cut: NodeReading = { at: 2, value: { ...up('hv2'), flows: undefined, groups: undefined } };
    const g = liveGraph(readings({ ...allUp(), hv2: cut }), 'both');
    expect(stateOf(g, 'transport-node:hv2')).toBe('down');
    expect(tunnels(g)).toEqual({ 'tunnel:gw1:hv1:geneve': 'up', 'tunnel:gw1:hv2:geneve': 'down', 'tunnel:hv1:hv2:geneve': 'down' });
    expect(g.nodes.find((n) => n.id === 'transport-node:hv2')!.attrs.error).toBe('its switch does not answer');
    // No status at all (the member could not say): the node and its tunnels are not known.
    const gone = liveGraph(readings({ ...allUp(), hv2: { at: 3, error: '500 internal: boom' } }), 'both');
    expect(stateOf(gone, 'transport-node:hv2')).toBe('unknown');
    expect(tunnels(gone)).toEqual({
      'tunnel:gw1:hv1:geneve': 'up',
      'tunnel:gw1:hv2:geneve': 'unknown',
      'tunnel:hv1:hv2:geneve': 'unknown',
    });
    const gwDown = liveGraph(
      readings({
        ...allUp(),
        gw1: { at: 3, value: { ...up('gw1'), connected: { ovsdb: false, openflow: false }, tunnels: [] } },
      }),
      'both',
    );
    expect(gwDown.edges.find((e) => e.id === 'placement:router:edge:gw1')).toMatchObject({ attrs: { active: false } });
    expect(stateOf(gwDown, 'router:edge')).toBe('down');
  });

  it('a tunnel whose BFD is down at one end is down, with why', () => {
    const g = liveGraph(readings({ ...allUp(), hv1: { at: 1, value: up('hv1', { bfdTo: 'hv2', bfdState: 'down' }) } }), 'both');
    expect(tunnels(g)['tunnel:hv1:hv2:geneve']).toBe('down');
    expect(g.edges.find((e) => e.id === 'tunnel:hv1:hv2:geneve')!.attrs['hv1 bfd']).toBe('down (not forwarding)');
  });
});
