import { describe, expect, it } from 'vitest';
import { act, bucket, inst } from '../../openflow/index.ts';
import { desiredFlows, desiredState } from './flows.ts';
import {
  cookieKind,
  floodAllGroupId,
  floodLocalGroupId,
  isPipelineGroup,
  routerFailoverGroupId,
  routerPortGateGroupId,
  uplinkGateInGroupId,
  uplinkGateOutGroupId,
} from './ids.ts';
import { CookieKind, From, Priority, Table } from './layout.ts';
import { installed, reconcile } from './reconcile.ts';
import { expectedPorts, gateEncap, routerInterfaces } from './routers.ts';
import { simulate } from './simulate.ts';
import { find, group, md, routedLab } from './test-fixtures.ts';
import { desiredTunnels, switchHosts } from './tunnels.ts';
import type { NodeFacts } from './types.ts';
import { type LogicalState, type StateRouter, MAX_ROUTERS_PER_SWITCH, routerPortId, routerUplinkId } from '../../model/index.ts';

const tun = (vni: number, port: number) => [act.setField({ field: 'tunnel_id', value: BigInt(vni) }), act.output(port)];

const WEB_MAC = '0a:00:00:00:01:01';
const DB_MAC = '0a:00:00:00:02:01';
const UP_MAC = '0a:00:00:00:ff:01';
const BCAST = 'ff:ff:ff:ff:ff:ff';

const edge = (gateways = ['gw1', 'gw2']): StateRouter => ({
  name: 'edge',
  distributed: false,
  interfaces: [
    { switch: 'web', mac: WEB_MAC, ip: '10.0.0.1/24' },
    { switch: 'db', mac: DB_MAC, ip: '10.1.0.1/24' },
  ],
  uplink: { ip: '203.0.113.2/24', mac: UP_MAC, gateways: gateways.map((node) => ({ node, nic: 'eth2' })) },
});

/** The routed lab all on Geneve: web (VNI 100) on hv1 + hv2, db (VNI 200) on hv1; router edge on
 *  both, gateways gw1 then gw2. */
const routerLab = (routers: StateRouter[] = [edge()]): LogicalState => routedLab(routers);

// Ports on a gateway: router ports 1.., the uplink 20, the NIC 30; tunnels 11.. by remote.
const gwFacts = (extra: Record<string, number> = {}): NodeFacts => ({
  vmPorts: new Map([
    [routerPortId('edge', 'web'), 1],
    [routerPortId('edge', 'db'), 2],
    [routerUplinkId('edge'), 20],
    ...Object.entries(extra),
  ]),
  tunnelPorts: new Map([
    ['tun-gw1-gnv', 11],
    ['tun-gw2-gnv', 12],
    ['tun-hv1-gnv', 13],
    ['tun-hv2-gnv', 14],
    ['tun-gw3-gnv', 15],
  ]),
  physicalPorts: new Map([
    ['eth2', 30],
    ['br-int', 0xfffffffe],
  ]),
});
const hv1Facts = (): NodeFacts => ({
  vmPorts: new Map([
    ['web-a', 1],
    ['db-d', 2],
  ]),
  tunnelPorts: new Map([
    ['tun-gw1-gnv', 11],
    ['tun-gw2-gnv', 12],
    ['tun-hv2-gnv', 14],
  ]),
});

describe('logical routers: where they live', () => {
  it('every gateway of a router carries its switches: tunnels to every node of them, all with BFD, and between the gateways', () => {
    const lab = routerLab();
    expect(switchHosts(lab).get('web')).toEqual(['gw1', 'gw2', 'hv1', 'hv2']);
    expect(switchHosts(lab).get('db')).toEqual(['gw1', 'gw2', 'hv1']);
    expect(desiredTunnels(lab, 'hv1').map((t) => `${t.name}${t.bfd ? '+bfd' : ''}`)).toEqual([
      'tun-gw1-gnv+bfd',
      'tun-gw2-gnv+bfd',
      'tun-hv2-gnv',
    ]);
    expect(desiredTunnels(lab, 'gw2').map((t) => `${t.name}${t.bfd ? '+bfd' : ''}`)).toEqual([
      'tun-gw1-gnv+bfd',
      'tun-hv1-gnv+bfd',
      'tun-hv2-gnv+bfd',
    ]);
    expect(desiredTunnels(lab, 'gw3')).toEqual([]); // an l3-gateway no router uses
  });

  it("gateways watch each other even without a switch in common: a tunnel of the first gateway's encap", () => {
    const lab = routerLab([
      {
        name: 'solo',
        distributed: false,
        interfaces: [],
        uplink: {
          ip: '203.0.113.2/24',
          mac: UP_MAC,
          gateways: [
            { node: 'gw1', nic: 'eth2' },
            { node: 'gw3', nic: 'eth2' },
          ],
        },
      },
    ]);
    lab.nodes = lab.nodes.map((n) => (n.name === 'gw1' ? { ...n, encap: 'vxlan' as const } : n));
    expect(gateEncap(lab, lab.routers![0]!)).toBe('vxlan');
    expect(desiredTunnels(lab, 'gw3')).toEqual([
      { name: 'tun-gw1-vxl', remoteNode: 'gw1', remoteIp: '192.0.2.31', encap: 'vxlan', bfd: true },
    ]);
    expect(desiredTunnels(lab, 'gw1').map((t) => t.name)).toEqual(['tun-gw3-vxl']);
    expect(desiredTunnels(lab, 'hv1').every((t) => !t.bfd)).toBe(true);
  });

  it('a router without an uplink has no gateway: nothing carries it', () => {
    const lab = routerLab([{ name: 'edge', distributed: false, interfaces: [{ switch: 'web', mac: WEB_MAC, ip: '10.0.0.1/24' }] }]);
    expect(switchHosts(lab).get('web')).toEqual(['hv1', 'hv2']);
    expect(routerInterfaces(lab)).toEqual([]);
    expect(desiredFlows(lab, 'hv1', hv1Facts()).groups.some((g) => g.groupType === 'fast_failover')).toBe(false);
  });

  it('names router ports as the lab plugs them in: lrp:<router>:<switch> and lru:<router>', () => {
    expect(routerPortId('edge', 'web')).toBe('lrp:edge:web');
    expect(routerUplinkId('edge')).toBe('lru:edge');
  });

  it('what a gateway must report before it counts as programmed', () => {
    expect(expectedPorts(routerLab(), 'gw2')).toEqual({ vmPorts: ['lrp:edge:db', 'lrp:edge:web', 'lru:edge'], physicalPorts: ['eth2'] });
    expect(expectedPorts(routerLab(), 'hv1')).toEqual({ vmPorts: ['db-d', 'web-a'], physicalPorts: [] });
  });
});

describe('logical routers: a hypervisor', () => {
  const d = desiredFlows(routerLab(), 'hv1', hv1Facts());

  it("sends a VM's frames to a router interface through a fast_failover group over the gateways, in priority order", () => {
    const f = find(d, Table.L2, [md(100), { field: 'reg6', value: From.VM }, { field: 'eth_dst', value: WEB_MAC }]);
    expect(f).toMatchObject({ priority: Priority.ROUTER, instructions: [inst.apply(act.group(routerFailoverGroupId(100, 0)))] });
    expect(cookieKind(f!.cookie)).toBe(CookieKind.ROUTER_UNICAST);
    expect(group(d, routerFailoverGroupId(100, 0))).toMatchObject({
      groupType: 'fast_failover',
      buckets: [bucket(tun(100, 11), { watchPort: 11 }), bucket(tun(100, 12), { watchPort: 12 })],
    });
    expect(group(d, routerFailoverGroupId(200, 0))?.buckets).toEqual([
      bucket(tun(200, 11), { watchPort: 11 }),
      bucket(tun(200, 12), { watchPort: 12 }),
    ]);
  });

  it("moves to the next gateway when the first one's tunnel is down (BFD), with no flow change", () => {
    const pkt = { inPort: 1, ethDst: WEB_MAC };
    expect(simulate(d.flows, d.groups, pkt)).toEqual([{ port: 11, tunnelId: 100n }]);
    expect(simulate(d.flows, d.groups, pkt, { deadPorts: [11] })).toEqual([{ port: 12, tunnelId: 100n }]);
    expect(simulate(d.flows, d.groups, pkt, { deadPorts: [11, 12] })).toEqual([]);
    // Broadcasts reach every gateway, like any node of the switch (ARP for the router's address).
    expect(
      simulate(d.flows, d.groups, { inPort: 1, ethDst: BCAST })
        .map((o) => o.port)
        .sort(),
    ).toEqual([11, 12, 14]);
  });
});

describe('logical routers: the first gateway', () => {
  const d = desiredFlows(routerLab(), 'gw1', gwFacts());

  it('treats router interfaces as local ports of their switches: classify, deliver, flood', () => {
    expect(find(d, Table.CLASSIFY, [{ field: 'in_port', value: 1 }])?.instructions).toEqual([
      inst.apply(act.setField({ field: 'reg6', value: From.VM })),
      inst.writeMetadata(100n),
      inst.gotoTable(Table.L2),
    ]);
    expect(find(d, Table.L2, [md(100), { field: 'eth_dst', value: WEB_MAC }])?.instructions).toEqual([inst.apply(act.output(1))]);
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([bucket([act.output(1)])]);
    expect(group(d, floodAllGroupId(200))?.buckets).toEqual([bucket([act.output(2)]), bucket(tun(200, 12)), bucket(tun(200, 13))]);
    // The router reaches a VM by its known MAC through its hypervisor's tunnel.
    expect(simulate(d.flows, d.groups, { inPort: 1, ethDst: '02:00:00:00:00:0c' })).toEqual([{ port: 14, tunnelId: 100n }]);
    expect(simulate(d.flows, d.groups, { inPort: 13, tunnelId: 100n, ethDst: WEB_MAC })).toEqual([{ port: 1, tunnelId: 100n }]);
  });

  it('is never gated: no gate groups, the uplink wired straight to the NIC', () => {
    expect(d.groups.filter((g) => g.groupId >>> 28 >= 2)).toEqual([]);
    expect(
      find(d, Table.CLASSIFY, [
        { field: 'in_port', value: 30 },
        { field: 'vlan_vid', value: 0 },
        { field: 'eth_dst', value: UP_MAC },
      ])?.instructions,
    ).toEqual([inst.apply(act.output(20))]);
    expect(find(d, Table.CLASSIFY, [{ field: 'in_port', value: 20 }])?.instructions).toEqual([inst.apply(act.output(30))]);
    expect(simulate(d.flows, d.groups, { inPort: 30, ethDst: BCAST })).toEqual([{ port: 20, tunnelId: undefined }]);
    expect(simulate(d.flows, d.groups, { inPort: 30, ethDst: BCAST, vlanVid: 0x1000 | 10 })).toEqual([]); // uplinks are untagged
    expect(simulate(d.flows, d.groups, { inPort: 30, ethDst: '02:99:00:00:00:01' })).toEqual([]);
  });
});

describe('logical routers: a standby gateway', () => {
  const d = desiredFlows(routerLab(), 'gw2', gwFacts());
  const gate = (out: number, watch = out) => [bucket([], { watchPort: 11 }), bucket([act.output(out)], { watchPort: watch })];

  it("gates everything into the namespace and out of the uplink on the better gateway's tunnel", () => {
    expect(group(d, routerPortGateGroupId(100, 0))).toMatchObject({ groupType: 'fast_failover', buckets: gate(1) });
    expect(group(d, routerPortGateGroupId(200, 0))).toMatchObject({ groupType: 'fast_failover', buckets: gate(2) });
    expect(group(d, uplinkGateInGroupId(0))).toMatchObject({ groupType: 'fast_failover', buckets: gate(20) });
    expect(group(d, uplinkGateOutGroupId(0))).toMatchObject({ groupType: 'fast_failover', buckets: gate(30) });
    expect(find(d, Table.L2, [md(100), { field: 'eth_dst', value: WEB_MAC }])?.instructions).toEqual([
      inst.apply(act.group(routerPortGateGroupId(100, 0))),
    ]);
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([bucket([act.group(routerPortGateGroupId(100, 0))])]);
    expect(find(d, Table.CLASSIFY, [{ field: 'in_port', value: 20 }])?.instructions).toEqual([
      inst.apply(act.group(uplinkGateOutGroupId(0))),
    ]);
    for (const id of [routerPortGateGroupId(100, 0), uplinkGateInGroupId(0), uplinkGateOutGroupId(0), routerFailoverGroupId(100, 15)])
      expect(isPipelineGroup(id)).toBe(true);
  });

  it('stays silent while gw1 is alive and takes over when its tunnel is down, both ways', () => {
    const cases = [
      { inPort: 13, tunnelId: 100n, ethDst: WEB_MAC }, // a VM's unicast to the router, arriving anyway
      { inPort: 14, tunnelId: 100n, ethDst: BCAST }, // a VM's broadcast
      { inPort: 30, ethDst: UP_MAC }, // the physical network to the uplink
      { inPort: 30, ethDst: BCAST },
      { inPort: 20, ethDst: '02:99:00:00:00:01' }, // the uplink out
    ];
    for (const pkt of cases)
      expect(
        simulate(d.flows, d.groups, pkt),
        JSON.stringify(pkt, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toEqual([]);
    const taken = cases.map((pkt) => simulate(d.flows, d.groups, pkt, { deadPorts: [11] }).map((o) => o.port));
    expect(taken).toEqual([[1], [1], [20], [20], [30]]);
  });

  it("sends its local ports' frames for a router to the active gateway, itself only once the better one is down", () => {
    // Two routers on web: edge prefers gw1, tr prefers gw2. On gw2, tr's interface frames edge.
    const tr: StateRouter = {
      name: 'tr',
      distributed: false,
      interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:02', ip: '10.0.0.1/24' }],
      uplink: {
        ip: '203.0.113.2/24',
        mac: '0a:00:00:00:ff:02',
        gateways: [
          { node: 'gw2', nic: 'eth3' },
          { node: 'gw1', nic: 'eth3' },
        ],
      },
    };
    const lab = routerLab([edge(), tr]);
    const g2 = desiredFlows(lab, 'gw2', gwFacts({ [routerPortId('tr', 'web')]: 3 }));
    expect(routerInterfaces(lab).map((p) => `${p.router.name}/${p.sw.name}/${p.slot}`)).toEqual(['edge/web/0', 'tr/web/1', 'edge/db/0']);
    expect(group(g2, routerFailoverGroupId(100, 0))?.buckets).toEqual([
      bucket(tun(100, 11), { watchPort: 11 }),
      bucket([act.output(1)], { watchPort: 1 }),
    ]);
    expect(simulate(g2.flows, g2.groups, { inPort: 3, ethDst: WEB_MAC })).toEqual([{ port: 11, tunnelId: 100n }]);
    expect(simulate(g2.flows, g2.groups, { inPort: 3, ethDst: WEB_MAC }, { deadPorts: [11] })).toEqual([{ port: 1, tunnelId: undefined }]);
    // tr is first on gw2: straight to its port, and from edge's port too.
    expect(simulate(g2.flows, g2.groups, { inPort: 1, ethDst: '0a:00:00:00:01:02' })).toEqual([{ port: 3, tunnelId: undefined }]);
  });

  it("keeps the gate shut while the better gateway's tunnel is not reported yet", () => {
    const facts = gwFacts();
    (facts.tunnelPorts as Map<string, number>).delete('tun-gw1-gnv');
    const early = desiredFlows(routerLab(), 'gw2', facts);
    expect(group(early, routerPortGateGroupId(100, 0))?.buckets).toEqual([bucket([], { watchPort: 1 })]);
    expect(simulate(early.flows, early.groups, { inPort: 13, tunnelId: 100n, ethDst: WEB_MAC })).toEqual([]);
  });

  it('a third gateway waits for both better ones', () => {
    const d3 = desiredFlows(routerLab([edge(['gw1', 'gw2', 'gw3'])]), 'gw3', gwFacts());
    expect(group(d3, uplinkGateInGroupId(0))?.buckets).toEqual([
      bucket([], { watchPort: 11 }),
      bucket([], { watchPort: 12 }),
      bucket([act.output(20)], { watchPort: 20 }),
    ]);
    const into = { inPort: 30, ethDst: UP_MAC };
    expect(simulate(d3.flows, d3.groups, into, { deadPorts: [11] })).toEqual([]);
    expect(simulate(d3.flows, d3.groups, into, { deadPorts: [12] })).toEqual([]);
    expect(simulate(d3.flows, d3.groups, into, { deadPorts: [11, 12] })).toEqual([{ port: 20, tunnelId: undefined }]);
  });
});

describe('logical routers: uplinks sharing a NIC', () => {
  const other: StateRouter = {
    name: 'zed',
    distributed: false,
    interfaces: [],
    uplink: { ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:09', gateways: [{ node: 'gw1', nic: 'eth2' }] },
  };
  const d = desiredFlows(routerLab([edge(), other]), 'gw1', gwFacts({ [routerUplinkId('zed')]: 21 }));

  it("the NIC's broadcast reaches every uplink; unicast only its own", () => {
    expect(simulate(d.flows, d.groups, { inPort: 30, ethDst: BCAST }).map((o) => o.port)).toEqual([20, 21]);
    expect(simulate(d.flows, d.groups, { inPort: 30, ethDst: '0a:00:00:00:ff:09' }).map((o) => o.port)).toEqual([21]);
  });

  it('one uplink reaches the other on the same gateway (the NIC would not bring it back)', () => {
    expect(simulate(d.flows, d.groups, { inPort: 20, ethDst: '0a:00:00:00:ff:09' }).map((o) => o.port)).toEqual([21]);
    expect(simulate(d.flows, d.groups, { inPort: 20, ethDst: BCAST }).map((o) => o.port)).toEqual([30, 21]);
    expect(simulate(d.flows, d.groups, { inPort: 21, ethDst: '02:99:00:00:00:01' }).map((o) => o.port)).toEqual([30]);
  });
});

describe('logical routers: numbering and reconciliation', () => {
  it('slots routers per switch by name, up to the limit; past it they are left out the same way everywhere', () => {
    const many: StateRouter[] = Array.from({ length: MAX_ROUTERS_PER_SWITCH + 1 }, (_, i) => ({
      name: `r${String(i).padStart(2, '0')}`,
      distributed: false,
      interfaces: [{ switch: 'web', mac: `0a:00:00:00:10:${i.toString(16).padStart(2, '0')}`, ip: '10.0.0.1/24' }],
      uplink: { ip: '203.0.113.2/24', mac: `0a:00:00:00:20:${i.toString(16).padStart(2, '0')}`, gateways: [{ node: 'gw1', nic: 'eth2' }] },
    }));
    const lab = routerLab([...many].reverse());
    const places = routerInterfaces(lab);
    expect(places.map((p) => p.slot)).toEqual([...Array(MAX_ROUTERS_PER_SWITCH).keys()]);
    expect(places.map((p) => p.router.name)).not.toContain('r16');
    const ids = desiredFlows(lab, 'hv1', hv1Facts()).groups.map((g) => g.groupId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(routerFailoverGroupId(100, 15));
  });

  it('reconciles to nothing once installed; gateway order swapped: gates go, flows follow, groups deleted last', () => {
    const facts = gwFacts();
    const standby = desiredState(routerLab(), 'gw2', facts);
    expect(reconcile(standby, installed(standby))).toEqual([]);
    const active = desiredFlows(routerLab([edge(['gw2', 'gw1'])]), 'gw2', facts);
    const changes = reconcile(active, installed(standby));
    const summary = changes.map((m) =>
      m.type === 'group_mod' ? `group ${m.command} ${m.groupId.toString(16)}` : `flow ${m.command} t${m.tableId}`,
    );
    const gates = [routerPortGateGroupId(100, 0), routerPortGateGroupId(200, 0), uplinkGateInGroupId(0), uplinkGateOutGroupId(0)];
    expect(summary.filter((s) => s.startsWith('group delete'))).toEqual(gates.map((id) => `group delete ${id.toString(16)}`));
    expect(summary.slice(-gates.length)).toEqual(gates.map((id) => `group delete ${id.toString(16)}`));
    // Reconciling the deleted router on a switch that still has VMs removes its groups too.
    const gone = reconcile(desiredFlows(routerLab([]), 'hv1', hv1Facts()), installed(desiredFlows(routerLab(), 'hv1', hv1Facts())));
    const groupMods = gone.flatMap((m) => (m.type === 'group_mod' ? [`${m.command} ${m.groupId.toString(16)}`] : []));
    expect(groupMods.filter((g) => g.startsWith('delete'))).toEqual([
      `delete ${routerFailoverGroupId(100, 0).toString(16)}`,
      `delete ${routerFailoverGroupId(200, 0).toString(16)}`,
    ]);
    expect(groupMods).toContain(`modify ${floodAllGroupId(100).toString(16)}`); // no more copies to the gateways
  });
});
