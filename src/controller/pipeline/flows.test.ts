import { describe, expect, it } from 'vitest';
import { act, bucket, inst } from '../../openflow/index.ts';
import { desiredFlows, desiredState } from './flows.ts';
import { cookieKind, cookieVni, floodAllGroupId, floodLocalGroupId, replicateGroupId, serviceFailoverGroupId } from './ids.ts';
import { CookieKind, From, Table } from './layout.ts';
import { flowKey, matchKey } from './normalize.ts';
import { simulate } from './simulate.ts';
import { find, fromTunnel, group, hv, hv1Facts, md, serviceLab, smallLab } from './test-fixtures.ts';
import { desiredTunnels, serviceNodeOrder } from './tunnels.ts';
import type { NodeFacts } from './types.ts';
import type { LogicalState } from '../../model/index.ts';

const reg6 = (v: number) => ({ field: 'reg6', value: v }) as const;
const mac = (m: string) => ({ field: 'eth_dst', value: m }) as const;
const BCAST = 'ff:ff:ff:ff:ff:ff';

describe('desiredFlows on hv1 of the small lab', () => {
  const d = desiredFlows(smallLab(), 'hv1', hv1Facts());

  it('table 0 classifies VM ports: reg6 := 1, metadata := VNI, goto 10', () => {
    const f = find(d, Table.CLASSIFY, [{ field: 'in_port', value: 1 }]);
    expect(f?.instructions).toEqual([
      inst.apply(act.setField({ field: 'reg6', value: From.VM })),
      inst.writeMetadata(100n),
      inst.gotoTable(10),
    ]);
    expect(find(d, Table.CLASSIFY, [{ field: 'in_port', value: 3 }])?.instructions[1]).toEqual(inst.writeMetadata(200n));
  });

  it('table 0 classifies tunnel ingress by in_port + tunnel_id, only for switches shared with that node', () => {
    const f = find(d, Table.CLASSIFY, fromTunnel(10, 100n));
    expect(f?.instructions).toEqual([
      inst.apply(act.setField({ field: 'reg6', value: From.TUNNEL })),
      inst.writeMetadata(100n),
      inst.gotoTable(10),
    ]);
    expect(find(d, Table.CLASSIFY, fromTunnel(11, 200n))).toBeDefined();
    expect(find(d, Table.CLASSIFY, fromTunnel(10, 200n))).toBeUndefined();
    expect(find(d, Table.CLASSIFY, fromTunnel(11, 100n))).toBeUndefined();
  });

  it("table 10: local VM by metadata + eth_dst; remote VM only from a VM, into its node's tunnel", () => {
    expect(find(d, Table.L2, [md(100), mac('02:00:00:00:00:0a')])?.instructions).toEqual([inst.apply(act.output(1))]);
    expect(find(d, Table.L2, [md(100), reg6(From.VM), mac('02:00:00:00:00:0c')])?.instructions).toEqual([
      inst.apply(act.setField({ field: 'tunnel_id', value: 100n }), act.output(10)),
    ]);
    expect(find(d, Table.L2, [md(200), reg6(From.VM), mac('02:00:00:00:00:0e')])?.instructions).toEqual([
      inst.apply(act.setField({ field: 'tunnel_id', value: 200n }), act.output(11)),
    ]);
    // No flow in table 10 sends to a tunnel unless it requires reg6 = from a VM.
    for (const f of d.flows.filter((x) => x.tableId === Table.L2)) {
      const toTunnel = JSON.stringify(f.instructions, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('tunnel_id');
      if (toTunnel) expect(matchKey(f.match)).toContain('reg6=1');
    }
    // Everything else floods, unknown unicast included (BUM).
    expect(find(d, Table.L2, [md(100)])?.instructions).toEqual([inst.gotoTable(Table.FLOOD)]);
  });

  it('table 20 floods through groups: local+remote from a VM, local only from a tunnel', () => {
    expect(find(d, Table.FLOOD, [md(100), reg6(From.VM)])?.instructions).toEqual([inst.apply(act.group(floodAllGroupId(100)))]);
    expect(find(d, Table.FLOOD, [md(100), reg6(From.TUNNEL)])?.instructions).toEqual([inst.apply(act.group(floodLocalGroupId(100)))]);
    expect(group(d, floodLocalGroupId(100))).toMatchObject({
      groupType: 'all',
      buckets: [bucket([act.output(1)]), bucket([act.output(2)])],
    });
    expect(group(d, floodAllGroupId(100))).toMatchObject({
      groupType: 'all',
      buckets: [
        bucket([act.output(1)]),
        bucket([act.output(2)]),
        bucket([act.setField({ field: 'tunnel_id', value: 100n }), act.output(10)]),
      ],
    });
    expect(group(d, floodAllGroupId(200))?.buckets).toEqual([
      bucket([act.output(3)]),
      bucket([act.setField({ field: 'tunnel_id', value: 200n }), act.output(11)]),
    ]);
    expect(d.groups.map((g) => g.groupId).sort((a, b) => a - b)).toEqual([100, 200, 0x1000064, 0x10000c8]);
  });

  it('explicit priority-0 drops in tables 0, 10, 20, 30', () => {
    for (const t of [0, 10, 20, 30]) expect(find(d, t, [])).toMatchObject({ priority: 0, instructions: [] });
  });

  it('cookies: stable, unique per flow, carrying kind and VNI', () => {
    const again = desiredFlows(smallLab(), 'hv1', hv1Facts());
    expect(again.flows.map((f) => f.cookie)).toEqual(d.flows.map((f) => f.cookie));
    expect(new Set(d.flows.map((f) => f.cookie)).size).toBe(d.flows.length);
    const remote = find(d, Table.L2, [md(100), reg6(From.VM), mac('02:00:00:00:00:0c')])!;
    expect([cookieKind(remote.cookie), cookieVni(remote.cookie)]).toEqual([CookieKind.L2_REMOTE, 100]);
    expect(new Set(d.flows.map(flowKey)).size).toBe(d.flows.length);
  });

  it('a node with nothing bound gets only the table-miss drops', () => {
    const e = desiredFlows(smallLab(), 'hv4', { vmPorts: new Map(), tunnelPorts: new Map() });
    expect(e.flows.map((f) => [f.tableId, f.priority])).toEqual([
      [0, 0],
      [10, 0],
      [20, 0],
      [30, 0],
    ]);
    expect(e.groups).toEqual([]);
  });

  it('desiredState bundles tunnels, flows and groups', () => {
    const s = desiredState(smallLab(), 'hv1', hv1Facts());
    expect(s.tunnels.map((t) => t.name)).toEqual(['tun-hv2-gnv', 'tun-hv3-vxl']);
    expect(s.flows).toEqual(d.flows);
  });
});

describe('ports and tunnels not reported yet are skipped', () => {
  it('a VM port without ofport: no flows mention it, its bucket is absent', () => {
    const facts: NodeFacts = {
      ...hv1Facts(),
      vmPorts: new Map([
        ['web-a', 1],
        ['db-d', 3],
      ]),
    };
    const d = desiredFlows(smallLab(), 'hv1', facts);
    expect(find(d, Table.L2, [md(100), mac('02:00:00:00:00:0b')])).toBeUndefined();
    expect(find(d, Table.CLASSIFY, [{ field: 'in_port', value: 2 }])).toBeUndefined();
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([bucket([act.output(1)])]);
  });

  it('a tunnel without ofport: no ingress flow, no remote unicast, no remote bucket', () => {
    const facts: NodeFacts = { ...hv1Facts(), tunnelPorts: new Map([['tun-hv2-gnv', 10]]) };
    const d = desiredFlows(smallLab(), 'hv1', facts);
    expect(d.flows.some((f) => f.match.some((m) => m.field === 'in_port' && m.value === 11))).toBe(false);
    expect(find(d, Table.L2, [md(200), reg6(From.VM), mac('02:00:00:00:00:0e')])).toBeUndefined();
    expect(group(d, floodAllGroupId(200))?.buckets).toEqual([bucket([act.output(3)])]);
  });
});

describe('forwarding, by simulating the flows', () => {
  const d = desiredFlows(smallLab(), 'hv1', hv1Facts());
  const run = (inPort: number, ethDst: string, tunnelId?: bigint) =>
    simulate(d.flows, d.groups, { inPort, ethDst, ...(tunnelId === undefined ? {} : { tunnelId }) })
      .map((o) => `${o.port}${o.port < 10 ? '' : `@${o.tunnelId}`}`)
      .sort(); // 10, 11: tunnels

  it('unicast local, unicast remote, broadcast from a VM (never back to the ingress port)', () => {
    expect(run(1, '02:00:00:00:00:0b')).toEqual(['2']);
    expect(run(1, '02:00:00:00:00:0c')).toEqual(['10@100']);
    expect(run(1, BCAST)).toEqual(['10@100', '2']);
    expect(run(3, BCAST)).toEqual(['11@200']);
  });

  it('from a tunnel: local delivery and local flooding only (unknown unicast too), never back out', () => {
    expect(run(10, '02:00:00:00:00:0a', 100n)).toEqual(['1']);
    expect(run(10, BCAST, 100n)).toEqual(['1', '2']);
    expect(run(10, '02:00:00:00:00:0c', 100n)).toEqual(['1', '2']); // not here: floods locally, never to a tunnel
    expect(run(10, '02:00:00:00:00:77', 100n)).toEqual(['1', '2']); // unknown unicast from a tunnel
    expect(run(10, BCAST, 200n)).toEqual([]); // hv2 does not carry db
    expect(run(99, BCAST)).toEqual([]); // unknown port
  });
});

describe('isolation', () => {
  // Two switches with the very same MACs and IPs, both on hv1 and hv2.
  const twin: LogicalState = {
    nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
    switches: [
      { name: 'red', vni: 1, replication: 'source', encap: 'geneve' },
      { name: 'blue', vni: 2, replication: 'source', encap: 'geneve' },
    ],
    ports: ['red', 'blue'].flatMap((sw) => [
      { name: `${sw}-1`, switch: sw, mac: '02:00:00:00:00:01', ip: '10.0.0.1', node: 'hv1' },
      { name: `${sw}-2`, switch: sw, mac: '02:00:00:00:00:02', ip: '10.0.0.2', node: 'hv1' },
      { name: `${sw}-3`, switch: sw, mac: '02:00:00:00:00:03', ip: '10.0.0.3', node: 'hv2' },
    ]),
  };
  const facts: NodeFacts = {
    vmPorts: new Map([
      ['red-1', 1],
      ['red-2', 2],
      ['blue-1', 3],
      ['blue-2', 4],
    ]),
    tunnelPorts: new Map([['tun-hv2-gnv', 9]]),
  };
  const d = desiredFlows(twin, 'hv1', facts);
  const ports = { 1: [1, 2], 2: [3, 4] } as Record<number, number[]>;

  it('every flow past table 0 is bound to one switch by metadata', () => {
    for (const f of d.flows.filter((x) => x.tableId !== Table.CLASSIFY && x.priority > 0)) {
      expect(f.match.find((m) => m.field === 'metadata')).toBeDefined();
    }
  });

  it('no frame from one switch ever reaches a port of the other or leaves with its VNI', () => {
    const dsts = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03', BCAST, '01:00:5e:00:00:01', '02:00:00:00:00:99'];
    for (const vni of [1, 2]) {
      const other = vni === 1 ? 2 : 1;
      const entries = [...ports[vni]!.map((p) => ({ inPort: p })), { inPort: 9, tunnelId: BigInt(vni) }];
      for (const e of entries) {
        for (const ethDst of dsts) {
          const out = simulate(d.flows, d.groups, { ...e, ethDst });
          for (const o of out) {
            expect(ports[other]).not.toContain(o.port);
            if (o.port === 9) expect(o.tunnelId).toBe(BigInt(vni));
          }
        }
      }
    }
  });
});

describe('service-node replication', () => {
  // The service lab all on Geneve, every port up: big (VNI 7) and small (VNI 8) replicate through
  // sn1/sn2; src (VNI 9) at the source.
  const golden = serviceLab();
  const lab: LogicalState = {
    ...golden,
    switches: golden.switches.map((s) => ({ ...s, encap: 'geneve' })),
    ports: golden.ports.map(({ up: _up, ...p }) => p),
  };
  // hv1: VMs on 1, 2 (big), 3 (small), 4 (src); tunnels hv2 5, sn1 6, sn2 7, hv4 8.
  const hv1Facts: NodeFacts = {
    vmPorts: new Map([
      ['p1', 1],
      ['p1b', 2],
      ['q1', 3],
      ['r1', 4],
    ]),
    tunnelPorts: new Map([
      ['tun-hv2-gnv', 5],
      ['tun-sn1-gnv', 6],
      ['tun-sn2-gnv', 7],
      ['tun-hv4-gnv', 8],
    ]),
  };
  const hvd = desiredFlows(lab, 'hv1', hv1Facts);
  const runHv = (inPort: number, ethDst: string, deadPorts: number[] = [], tunnelId?: bigint) =>
    simulate(hvd.flows, hvd.groups, { inPort, ethDst, ...(tunnelId === undefined ? {} : { tunnelId }) }, { deadPorts })
      .map((o) => (o.port < 5 ? `${o.port}` : `${o.port}@${o.tunnelId}`))
      .sort(); // 5 and up: tunnels

  it('a fast_failover group per switch, watching each service node tunnel, ordered per switch so switches spread', () => {
    const toSn = (vni: number, port: number) =>
      bucket([act.setField({ field: 'tunnel_id', value: BigInt(vni) }), act.output(port)], { watchPort: port });
    expect(group(hvd, serviceFailoverGroupId(7))).toMatchObject({ groupType: 'fast_failover', buckets: [toSn(7, 7), toSn(7, 6)] }); // sn2 first
    expect(group(hvd, serviceFailoverGroupId(8))).toMatchObject({ groupType: 'fast_failover', buckets: [toSn(8, 6), toSn(8, 7)] }); // sn1 first
    expect(serviceNodeOrder(lab, 7)).toEqual(['sn2', 'sn1']);
    expect(serviceNodeOrder(lab, 8)).toEqual(['sn1', 'sn2']);
    // Local copies do not depend on the failover choice: they sit beside it in the all group.
    expect(group(hvd, floodAllGroupId(7))).toMatchObject({
      groupType: 'all',
      buckets: [bucket([act.output(1)]), bucket([act.output(2)]), bucket([act.group(serviceFailoverGroupId(7))])],
    });
    expect(group(hvd, serviceFailoverGroupId(9))).toBeUndefined(); // source mode
  });

  it('BUM from a VM: local copies plus one copy to the first live service node; unicast goes straight to its node', () => {
    expect(runHv(1, BCAST)).toEqual(['2', '7@7']);
    expect(runHv(1, BCAST, [7])).toEqual(['2', '6@7']); // sn2 dead: sn1, without a controller
    expect(runHv(1, BCAST, [6, 7])).toEqual(['2']); // both dead: local copies still flow
    expect(runHv(1, '02:00:00:00:00:77')).toEqual(['2', '7@7']); // unknown unicast too
    expect(runHv(3, BCAST)).toEqual(['6@8']);
    expect(runHv(1, '02:00:00:00:00:02')).toEqual(['5@7']);
    expect(runHv(4, BCAST)).toEqual(['8@9']); // source mode in the same lab: a copy per node
    expect(runHv(6, BCAST, [], 7n)).toEqual(['1', '2']); // a copy a service node replicated
    expect(runHv(7, BCAST, [], 8n)).toEqual(['3']);
  });

  it('service node tunnels without an OpenFlow port yet are left out of the failover group', () => {
    const d = desiredFlows(lab, 'hv1', { ...hv1Facts, tunnelPorts: new Map([['tun-sn1-gnv', 6]]) });
    expect(group(d, serviceFailoverGroupId(7))?.buckets.map((b) => b.watchPort)).toEqual([6]);
  });

  // sn1: tunnels to hv1 11, hv2 12, hv3 13 (hv4 carries no switch in service-node mode).
  const snFacts: NodeFacts = {
    vmPorts: new Map(),
    tunnelPorts: new Map([
      ['tun-hv1-gnv', 11],
      ['tun-hv2-gnv', 12],
      ['tun-hv3-gnv', 13],
    ]),
  };
  const snd = desiredFlows(lab, 'sn1', snFacts);
  const runSn = (inPort: number, tunnelId: bigint, ethDst = BCAST) =>
    simulate(snd.flows, snd.groups, { inPort, ethDst, tunnelId })
      .map((o) => `${o.port}@${o.tunnelId}`)
      .sort();

  it('the service node replicates to every other node carrying the switch, never back, never to others', () => {
    expect(desiredTunnels(lab, 'sn1').map((t) => t.remoteNode)).toEqual(['hv1', 'hv2', 'hv3']);
    expect(runSn(11, 7n)).toEqual(['12@7', '13@7']);
    expect(runSn(12, 7n, '02:00:00:00:00:99')).toEqual(['11@7', '13@7']);
    expect(runSn(11, 8n)).toEqual(['12@8']); // small is on hv1 and hv2 only
    expect(runSn(12, 9n)).toEqual([]); // src replicates at the source
    expect(runSn(13, 8n)).toEqual([]); // hv3 does not carry small
    expect(group(snd, replicateGroupId(7))).toMatchObject({ groupType: 'all' });
    expect(snd.flows.filter((f) => f.tableId === Table.REPLICATE).map((f) => [cookieKind(f.cookie), cookieVni(f.cookie)])).toEqual([
      [CookieKind.REPLICATE, 7],
      [CookieKind.REPLICATE, 8],
      [CookieKind.TABLE_MISS, 0],
    ]);
    expect(new Set(snd.flows.map((f) => f.cookie)).size).toBe(snd.flows.length);
  });

  it('BFD runs on exactly the tunnels between service nodes and the nodes they serve, on both ends', () => {
    const bfd = (node: string) => desiredTunnels(lab, node).map((t) => `${t.remoteNode}:${t.bfd === true}`);
    expect(bfd('hv1')).toEqual(['hv2:false', 'hv3:false', 'hv4:false', 'sn1:true', 'sn2:true']);
    expect(bfd('sn2')).toEqual(['hv1:true', 'hv2:true', 'hv3:true']);
  });
});

describe('long node names', () => {
  it('flows find tunnels under their hashed names', () => {
    const lab = smallLab();
    lab.nodes = lab.nodes.map((n) => (n.name === 'hv2' ? { ...n, name: 'hypervisor-rack7-slot12' } : n));
    lab.ports = lab.ports.map((p) => (p.node === 'hv2' ? { ...p, node: 'hypervisor-rack7-slot12' } : p));
    const t = desiredState(lab, 'hv1', hv1Facts()).tunnels.find((x) => x.remoteNode === 'hypervisor-rack7-slot12');
    expect(t!.name).toMatch(/^tun-h[0-9a-f]{6}-gnv$/);
    const d = desiredFlows(lab, 'hv1', { ...hv1Facts(), tunnelPorts: new Map([[t!.name, 10]]) });
    expect(find(d, Table.L2, [md(100), reg6(From.VM), mac('02:00:00:00:00:0c')])?.instructions).toEqual([
      inst.apply(act.setField({ field: 'tunnel_id', value: 100n }), act.output(10)),
    ]);
  });
});
