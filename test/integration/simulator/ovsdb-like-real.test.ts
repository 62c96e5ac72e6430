// The simulated OVSDB of a transport node against a real one, through the member's own southbound
// (NodeSessions): a real node (its ovsdb-server and ovs-vswitchd in a network namespace, br-phy on
// an underlay, as test/integration/pipeline/netns-nodes.ts makes one) and a SimulatedOvsdb set up
// the same way, each managed by its own NodeSessions listener. Every step is done to both and what
// the member sees must be the same: identity, VM ports with their iface-ids and OpenFlow ports,
// tunnels it creates (with BFD up towards a live remote, down towards a dead one), MAC relearning,
// BFD off in place, deletes, its raw transactions and their errors, and monitor notifications.
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSessions, type WantedTunnel } from '../../../src/controller/southbound/node-sessions.ts';
import type { JsonRpcNotification } from '../../../src/ovsdb/index.ts';
import { SimulatedOvsdb } from '../../../src/simulator/ovsdb/index.ts';
import { freePort, until } from '../../support/southbound-node.ts';
import type { LocalOvs } from '../../support/local-ovs.ts';
import { inNs, NetnsLab, type OvsNode } from '../pipeline/netns-nodes.ts';
import { numbered, observe, plain, rawTransact } from './support.ts';

const UL = '172.30.23';
const DPID = 0x2301n;
const VM = { ifaceId: 'lp1', name: 'vm1', mac: '02:00:00:00:01:01', type: 'internal' };
const VM2 = { ifaceId: 'lp2', name: 'vm2', mac: '02:00:00:00:01:02', type: 'internal' };
const TUNNELS: WantedTunnel[] = [
  { name: 'tun-hv2', encap: 'geneve', remoteIp: `${UL}.2`, bfd: true },
  { name: 'tun-ghost', encap: 'geneve', remoteIp: `${UL}.9`, bfd: true },
  { name: 'tun-plain', encap: 'vxlan', remoteIp: `${UL}.2`, remoteMac: '02:00:00:00:00:99' },
];

/** ovs-vsctl arguments plugging a VM as an internal port (its tap in the node's namespace). */
const plug = (vm: typeof VM) => [
  '--',
  'add-port',
  'br-int',
  vm.name,
  '--',
  'set',
  'interface',
  vm.name,
  'type=internal',
  `external_ids:iface-id=${vm.ifaceId}`,
  `external_ids:attached-mac=${vm.mac}`,
  'external_ids:iface-status=active',
];

describe("a simulated node's OVSDB, as the member's southbound sees it, is a real node's", () => {
  const net = new NetnsLab();
  let real: NodeSessions;
  let simulated: NodeSessions;
  let sim: SimulatedOvsdb;
  let hv1: OvsNode;
  const both = () => [real, simulated] as const;
  /** Runs `step` on the real node's session and the simulated one's: both results. */
  const onBoth = async <T>(step: (s: NodeSessions) => Promise<T> | T): Promise<[T, T]> => [await step(real), await step(simulated)];
  const untilBoth = (what: string, probe: (s: NodeSessions) => unknown) =>
    Promise.all(both().map((s) => until(what, () => probe(s), 30_000)));
  /** Both views, once they agree (a real node's BFD passes through "init" now and then): the
   *  real one's, and the simulated one's to compare with it. */
  const views = async () => {
    await until('the same view', () => isDeepStrictEqual(observe(simulated, 'hv1'), observe(real, 'hv1')), 10_000).catch(() => {});
    return [observe(real, 'hv1'), observe(simulated, 'hv1')] as const;
  };
  const linksUp = (ns: string, names: string[]) => Promise.all(names.map((n) => inNs(ns, 'ip', 'link', 'set', n, 'up')));

  beforeAll(async () => {
    const underlayNs = await net.ns('ul');
    await net.bridge(underlayNs, 'underlay');
    const [realPort, simPort, ofPort] = [await freePort(), await freePort(), await freePort()];
    [real, simulated] = [await NodeSessions.listen(realPort), await NodeSessions.listen(simPort)];
    const common = { underlayNs, underlayBridge: 'underlay', ovsdbPort: realPort, ofPort };
    hv1 = await net.node('hv1', { ...common, underlayIp: `${UL}.1`, dpid: DPID }, async (_ns: string, ovs: LocalOvs) => {
      await ovs.vsctl('set', 'Open_vSwitch', '.', 'external_ids:hostname=hv1', 'external_ids:nvlab-role=hypervisor', ...plug(VM));
    });
    await linksUp(hv1.ns, ['br-int', VM.name]);
    // hv2: a live remote, so that BFD comes up on the tunnel towards it.
    await net.node('hv2', { ...common, underlayIp: `${UL}.2`, dpid: 0x2302n }, async () => {});
    sim = new SimulatedOvsdb({
      systemId: 'hv1',
      datapathId: DPID,
      underlayIp: `${UL}.1`,
      underlayMac: hv1.underlayMac,
      underlayNic: 'eth1',
      vmPorts: [VM],
      bfdForwarding: (ip) => ip === `${UL}.2`,
    });
    sim.connect([`tcp:127.0.0.1:${simPort}`]);
    await until('both sessions', () => real.view('hv1') && real.view('hv2') && simulated.view('hv1'), 30_000);
    await real.syncTunnels('hv2', [{ name: 'tun-hv1', encap: 'geneve', remoteIp: `${UL}.1`, bfd: true }]);
  }, 60_000);

  afterAll(async () => {
    sim?.close();
    await real?.close();
    await simulated?.close();
    await net.destroy();
  });

  it('shows the same node: system-id, datapath, underlay MAC, bridges, VM ports with iface-ids and OpenFlow ports', async () => {
    await untilBoth('links up', (s) => observe(s, 'hv1').interfaces.every((i) => String(i.link_state) === 'up'));
    const [r, s] = await views();
    expect(s).toEqual(r);
    expect(r.datapathId).toBe(DPID);
    expect(r.externalIds).toEqual({ hostname: 'hv1', 'nvlab-role': 'hypervisor', 'system-id': 'hv1' });
    expect(r.vmPorts).toEqual({ lp1: 'numbered' });
    expect(r.physicalPorts).toEqual({ 'br-int': 'LOCAL' });
  });

  it('makes the tunnels the member asks for, numbered, with BFD up towards a live remote and down towards a dead one', async () => {
    await onBoth((s) => s.syncTunnels('hv1', TUNNELS));
    await untilBoth('tunnel ports', (s) => s.facts('hv1').tunnelPorts.size === 3);
    const bfd = (s: NodeSessions, name: string) =>
      s.tunnelInterfaces('hv1').find((t) => t.name === name)?.bfd_status as Map<string, string>;
    await untilBoth('BFD up towards hv2', (s) => bfd(s, 'tun-hv2')?.get('forwarding') === 'true');
    const [r, s] = await views();
    expect(s).toEqual(r);
    expect(r.tunnelPorts).toEqual({ 'tun-ghost': 'numbered', 'tun-hv2': 'numbered', 'tun-plain': 'numbered' });
    expect(plain(bfd(real, 'tun-ghost'))).toMatchObject({ state: 'down', forwarding: 'false' });
    expect(plain(bfd(simulated, 'tun-hv2'))).toMatchObject({ state: 'up', forwarding: 'true', remote_state: 'up' });
    // The simulator's own view agrees with what the member reads.
    const ofports = Object.fromEntries(simulated.tunnelInterfaces('hv1').map((t) => [t.name, (t.ofport as number[])[0]]));
    expect(Object.fromEntries(sim.tunnels().map((t) => [t.name, t.ofport]))).toEqual(ofports);
  });

  it('relearns a remote MAC, and switches BFD off and deletes a tunnel in place', async () => {
    const relearned = TUNNELS.map((t) => (t.name === 'tun-hv2' ? { ...t, remoteMac: '02:00:00:00:00:22' } : t));
    await onBoth((s) => s.syncTunnels('hv1', relearned));
    await untilBoth('the MAC', (s) => s.tunnels('hv1').find((t) => t.name === 'tun-hv2')?.remoteMac === '02:00:00:00:00:22');
    const fewer = relearned.filter((t) => t.name !== 'tun-plain').map((t) => (t.name === 'tun-ghost' ? { ...t, bfd: false } : t));
    await onBoth((s) => s.syncTunnels('hv1', fewer));
    await untilBoth(
      'tun-plain gone, BFD off',
      (s) => s.facts('hv1').tunnelPorts.size === 2 && s.tunnels('hv1').every((t) => t.name !== 'tun-ghost' || t.bfd.size === 0),
    );
    await untilBoth('bfd_status cleared', (s) =>
      observe(s, 'hv1').interfaces.every((i) => i.name !== 'tun-ghost' || JSON.stringify(i.bfd_status) === '{}'),
    );
    const [r, s] = await views();
    expect(s).toEqual(r);
    // The port and interface rows went with it (garbage collected once br-int let go of the port).
    const [gone, simGone] = await onBoth((x) =>
      rawTransact(x, 'hv1', [
        { op: 'select', table: 'Port', where: [['name', '==', 'tun-plain']], columns: ['name'] },
        { op: 'select', table: 'Interface', where: [['name', '==', 'tun-plain']], columns: ['name'] },
      ]),
    );
    expect(gone).toEqual([{ rows: [] }, { rows: [] }]);
    expect(simGone).toEqual(gone);
  });

  it("gives the member's raw transactions the same results and errors", async () => {
    const [bridge] = real
      .view('hv1')!
      .replica.rows('Bridge')
      .filter((b) => b.name === 'br-int');
    const simBridge = simulated
      .view('hv1')!
      .replica.rows('Bridge')
      .find((b) => b.name === 'br-int')!;
    const transactions = (bridgeUuid: string) => [
      [
        {
          op: 'select',
          table: 'Interface',
          where: [['name', '==', 'tun-hv2']],
          columns: ['name', 'type', 'options', 'external_ids', 'bfd'],
        },
      ],
      // Another interface named tun-hv2, in a port of its own.
      [
        { op: 'insert', table: 'Interface', row: { name: 'tun-hv2', type: 'geneve' }, 'uuid-name': 'i' },
        { op: 'insert', table: 'Port', row: { name: 'tun-dup', interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
        {
          op: 'mutate',
          table: 'Bridge',
          where: [['_uuid', '==', ['uuid', bridgeUuid]]],
          mutations: [['ports', 'insert', ['set', [['named-uuid', 'p']]]]],
        },
      ],
      [
        {
          op: 'mutate',
          table: 'Bridge',
          where: [['name', '==', 'br-int']],
          mutations: [['ports', 'insert', ['uuid', '12345678-1234-1234-1234-123456789abc']]],
        },
      ],
      [{ op: 'delete', table: 'Port', where: [['name', '==', 'vm1']] }],
      [{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { name: 'vm9' } }],
      [
        { op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { nope: 1 } },
        { op: 'comment', comment: 'never' },
      ],
      [{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { ofport_request: ['set', [1, 2]] } }],
      [{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { ofport_request: 'one' } }],
      [{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { link_state: 'sideways' } }],
      [
        {
          op: 'wait',
          table: 'Interface',
          where: [['name', '==', 'vm1']],
          columns: ['type'],
          until: '==',
          rows: [{ type: 'vxlan' }],
          timeout: 0,
        },
      ],
      [{ op: 'wait', table: 'Interface', where: [['name', '==', 'vm1']], columns: ['name'], until: '==', rows: [{ name: 'vm1' }] }],
      [
        { op: 'select', table: 'Nope', where: [] },
        { op: 'comment', comment: 'never' },
      ],
      [{ op: 'comment', comment: 'x' }, { op: 'abort' }],
      [{ op: 'assert', lock: 'nobody' }],
      [{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['external_ids', 'insert', ['map', [['probe', 'yes']]]]] }],
      [
        {
          op: 'select',
          table: 'Open_vSwitch',
          where: [['external_ids', 'includes', ['map', [['probe', 'yes']]]]],
          columns: ['external_ids'],
        },
      ],
    ];
    const r = [];
    for (const ops of transactions(bridge!._uuid)) r.push(await rawTransact(real, 'hv1', ops));
    const s = [];
    for (const ops of transactions(simBridge._uuid)) s.push(await rawTransact(simulated, 'hv1', ops));
    expect(s).toEqual(r);
    expect(JSON.stringify(r)).toContain('constraint violation');
    expect(JSON.stringify(r)).toContain('referential integrity violation');
  });

  it('sends the same monitor notifications (update2 and update) for a port the member adds and removes', async () => {
    // Per monitor, what it got: its initial state, then its notifications in order.
    const notes = new Map<NodeSessions, Record<string, unknown[]>>();
    for (const s of both()) {
      const client = s.view('hv1')!.client;
      const seen: Record<string, unknown[]> = {};
      notes.set(s, seen);
      client.on('notification', (n: JsonRpcNotification) =>
        (seen[String(n.params[0])] ??= []).push(numberedOfports(plain([n.method, n.params]))),
      );
      const where = [['name', '==', 'probe-if']];
      const initial2 = await client.request('monitor_cond', [
        'Open_vSwitch',
        'probe2',
        { Interface: [{ columns: ['name', 'external_ids', 'ofport'], where }] },
      ]);
      const initial1 = await client.request('monitor', ['Open_vSwitch', 'probe1', { Interface: { columns: ['name', 'ofport'] } }]);
      (seen.probe2 ??= []).unshift(plain(initial2));
      (seen.probe1 ??= []).unshift(numberedOfports(plain(initial1)));
    }
    await onBoth(async (s) => {
      const bridge = s
        .view('hv1')!
        .replica.rows('Bridge')
        .find((b) => b.name === 'br-int')!;
      await rawTransact(s, 'hv1', [
        {
          op: 'insert',
          table: 'Interface',
          row: { name: 'probe-if', type: 'internal', external_ids: ['map', [['iface-id', 'lp9']]] },
          'uuid-name': 'i',
        },
        { op: 'insert', table: 'Port', row: { name: 'probe-if', interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
        {
          op: 'mutate',
          table: 'Bridge',
          where: [['_uuid', '==', ['uuid', bridge._uuid]]],
          mutations: [['ports', 'insert', ['named-uuid', 'p']]],
        },
      ]);
    });
    await untilBoth('lp9 numbered', (s) => s.facts('hv1').vmPorts.has('lp9'));
    await onBoth(async (s) => {
      const port = s
        .view('hv1')!
        .replica.rows('Port')
        .find((p) => p.name === 'probe-if')!;
      await rawTransact(s, 'hv1', [
        { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'delete', ['uuid', port._uuid]]] },
      ]);
    });
    await untilBoth('lp9 gone', (s) => !s.facts('hv1').vmPorts.has('lp9') && Object.values(notes.get(s)!).every((n) => n.length >= 4));
    const [r, s] = [notes.get(real)!, notes.get(simulated)!];
    expect(s).toEqual(r);
    expect(JSON.stringify(r)).toContain('"update2"');
    expect(JSON.stringify(r)).toContain('"delete":null');
  });

  it('follows a VM plugged and unplugged at run time', async () => {
    await hv1.ovs.vsctl(...plug(VM2).slice(1));
    await linksUp(hv1.ns, [VM2.name]);
    const ofport = sim.addVmPort(VM2);
    expect(ofport).toBeGreaterThan(0);
    await untilBoth(
      'lp2 up',
      (s) => s.facts('hv1').vmPorts.has('lp2') && observe(s, 'hv1').interfaces.every((i) => String(i.link_state) === 'up'),
    );
    expect(simulated.facts('hv1').vmPorts.get('lp2')).toBe(ofport);
    const [r, s] = await views();
    expect(s).toEqual(r);
    await hv1.ovs.vsctl('del-port', 'br-int', VM2.name);
    expect(sim.removeVmPort('lp2')).toBe(true);
    await untilBoth('lp2 gone', (x) => !x.facts('hv1').vmPorts.has('lp2'));
    const [r2, s2] = await views();
    expect(s2).toEqual(r2);
  });
});

/** The ofport values of raw monitor rows, as whether they are numbered. */
function numberedOfports(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (k, v) => (k === 'ofport' ? numbered(v) : v));
}
