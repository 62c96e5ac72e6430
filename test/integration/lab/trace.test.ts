// nvlab trace's predicted path on a real lab (topologies/trace.yaml): unicast on one node and
// across nodes, broadcasts replicated at the source and by a service node, routed traffic with
// SNAT to a host behind the uplink, an L2 gateway to a host on a VLAN, isolation; a trace that
// changes nothing (flows, groups, VM port counters); the CLI's JSON and exit codes; then the lab
// broken on purpose: a flow deleted by hand, a port unbound, the service node killed.
import { beforeAll, describe, expect, test } from 'vitest';
import { labNorthbound } from '../../../src/app/ports.ts';
import { traceLab } from '../../../src/app/trace/index.ts';
import { unwrap } from '../../../src/northbound-client/index.ts';
import { ConnectivityMatrixSchema, pathNodes, TraceResultSchema, type TraceRequestInput } from '../../../src/model/index.ts';
import { delivered, expectDropped } from '../../support/trace-hops.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, nvlab, runtime } from './support.ts';

const testLab = useLab(labTopology('trace.yaml'));
const lab = testLab.name;
const TRANSPORT_NODES = ['hv1', 'hv2', 'hv3', 'sn1', 'l2gw', 'gw1'];

const trace = (input: TraceRequestInput) => traceLab(runtime, lab, input);
const vni = (sw: string) => testLab.plan.switches.find((s) => s.name === sw)!.vni;

async function sh(node: string, script: string): Promise<string> {
  const result = await runtime.exec(testLab.container(node), ['sh', '-c', script]);
  expect(result.exitCode, `${node}: ${script}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** What a trace must leave as it is: each node's flows (without counters) and groups, and the
 *  kernel's packet counters of every VM port. */
async function labState(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    TRANSPORT_NODES.map(async (node) => {
      const flows = await sh(
        node,
        'ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int | sort; ovs-ofctl -O OpenFlow13 dump-groups br-int | sort',
      );
      const counters = await sh(
        node,
        'for i in /sys/class/net/vm-*; do [ -e "$i" ] && echo "${i##*/} $(cat $i/statistics/rx_packets) $(cat $i/statistics/tx_packets)"; done; true',
      );
      return [node, `${flows}\n${counters}`] as const;
    }),
  );
  return Object.fromEntries(entries);
}

beforeAll(async () => {
  // The L2 gateway learns the printer's MAC from its first frame.
  const lan1 = testLab.plan.switches.find((s) => s.name === 'lan')!.ports[0]!.ip;
  await runtime.exec(testLab.container('printer'), ['ping', '-c', '1', '-W', '2', lan1]);
  // Its ping leaves a neighbour entry in DELAY, which Linux confirms with a unicast ARP 5 s later:
  // past that, nothing moves in the lab but what a test sends.
  await new Promise((r) => setTimeout(r, 7_000));
});

describe('predicted paths on a healthy lab', () => {
  test('unicast on one node: classified and delivered by the local port rule, on hv1 only', async () => {
    const r = await trace({ from: 'web1', to: 'web2' });
    expect(r.delivered).toBe(true);
    expect(r.hops.map((h) => [h.node, h.component, h.observation, h.logical])).toEqual([
      ['hv1', 'port', 'received', 'web1'],
      ['hv1', 'logical-switch', 'forwarded', 'web'],
      ['hv1', 'port', 'delivered', 'web2'],
    ]);
    expect(r.hops[1]!.rule).toMatchObject({ table: 10, priority: 110, meaning: 'deliver to local port web2 on switch web' });
  });

  test('across nodes: into the tunnel with its encap and VNI, out of it on the remote node', async () => {
    const r = await trace({ from: 'web1', to: 'web3' });
    expect(r.delivered).toBe(true);
    expect(pathNodes(r)).toEqual(['hv1', 'hv2']);
    const out = r.hops.find((h) => h.node === 'hv1' && h.component === 'tunnel');
    expect(out).toMatchObject({ observation: 'forwarded', tunnel: { encap: 'geneve', vni: vni('web'), remote: 'hv2' } });
    expect(r.hops.find((h) => h.node === 'hv2' && h.component === 'tunnel')).toMatchObject({
      observation: 'received',
      tunnel: { vni: vni('web'), remote: 'hv1' },
    });
    expect(r.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'delivered', logical: 'web3' });
    expect((await trace({ from: 'web1', to: 'web3', proto: 'udp:53' })).delivered).toBe(true);
  });

  test('a broadcast: replicated at the source node to every node of the switch, and by the service node', async () => {
    const source = await trace({ from: 'web1', to: 'web4', frame: 'broadcast' });
    expect(source.delivered).toBe(true);
    expect(source.hops.find((h) => h.observation === 'replicated')).toMatchObject({ node: 'hv1', copies: 4 });
    const remotes = source.hops.filter((h) => h.node === 'hv1' && h.component === 'tunnel').map((h) => h.tunnel?.remote);
    expect(remotes.sort()).toEqual(['gw1', 'hv2', 'hv3']);
    expect(delivered(source.hops).sort()).toEqual(['web2', 'web3', 'web4']);

    const viaService = await trace({ from: 'svc1', to: 'svc3', frame: 'broadcast' });
    expect(viaService.delivered).toBe(true);
    expect(viaService.hops.filter((h) => h.node === 'hv1' && h.component === 'tunnel').map((h) => h.tunnel?.remote)).toEqual(['sn1']);
    expect(viaService.hops.find((h) => h.observation === 'replicated')).toMatchObject({
      node: 'sn1',
      component: 'service-node',
      copies: 2,
    });
    expect(delivered(viaService.hops).sort()).toEqual(['svc2', 'svc3']);
  });

  test('routed: through the router on its gateway with the TTL lowered, on to the target; SNAT to a host behind the uplink', async () => {
    const routed = await trace({ from: 'web1', to: 'db1' });
    expect(routed.delivered).toBe(true);
    expect(pathNodes(routed)).toEqual(['hv1', 'gw1', 'hv2']);
    expect(routed.hops).toContainEqual(
      expect.objectContaining({
        node: 'gw1',
        component: 'logical-router',
        logical: 'edge',
        detail: 'routed towards 10.0.2.11 out of its interface on switch db, TTL 63',
      }),
    );
    expect(routed.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'delivered', logical: 'db1' });

    const snat = await trace({ from: 'web1', to: 'www' });
    expect(snat.delivered).toBe(true);
    expect(snat.hops).toContainEqual(
      expect.objectContaining({ detail: 'routed towards 203.0.113.80 out of its uplink, TTL 63, source NAT to 203.0.113.2' }),
    );
    expect(snat.hops.slice(-2).map((h) => [h.node, h.component, h.observation, h.logical])).toEqual([
      ['gw1', 'physical-network', 'forwarded', 'internet'],
      ['www', 'host', 'delivered', 'www'],
    ]);
  });

  test('the L2 gateway to a host on a VLAN', async () => {
    const r = await trace({ from: 'lan1', to: 'printer' });
    expect(r.delivered).toBe(true);
    expect(pathNodes(r)).toEqual(['hv1', 'l2gw', 'printer']);
    expect(r.hops.find((h) => h.node === 'l2gw' && h.tunnel)).toMatchObject({
      observation: 'received',
      tunnel: { vni: vni('lan'), remote: 'hv1' },
    });
    expect(r.hops.at(-2)).toMatchObject({
      node: 'l2gw',
      component: 'physical-network',
      logical: 'office',
      detail: 'out eth2 onto physical network office, VLAN 10',
    });
    expect(r.hops.at(-1)).toMatchObject({ node: 'printer', component: 'host', observation: 'delivered' });
  });

  test('isolation: a tenant no router joins is never reached', async () => {
    const r = await trace({ from: 'web1', to: 'other2' });
    expectDropped(r, 'isolation', { observation: 'dropped', reason: 'isolation', logical: 'web' });
  });

  test('a trace never changes the lab: flows, groups and VM port counters are the same after it', async () => {
    const before = await labState();
    expect(before.hv1).toMatch(/^vm-web1 \d+ \d+$/m);
    expect(before.l2gw).toMatch(/table=40/); // what the L2 gateway learnt of the printer
    // Among them the printer's frame, which passes the L2 gateway's learn action.
    for (const input of [
      { from: 'web1', to: 'web3' },
      { from: 'svc1', to: 'svc3', frame: 'broadcast' as const },
      { from: 'printer', to: 'lan1' },
      { from: 'web1', to: 'www' },
    ])
      expect((await trace(input)).delivered, `${input.from} → ${input.to}`).toBe(true);
    expect(await labState()).toEqual(before);
  });

  test('nvlab trace --format json: the result, exit 0 when delivered and 1 when dropped', async () => {
    const ok = await nvlab(['trace', 'web1', 'db1', '--lab', lab, '--format', 'json']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const result = TraceResultSchema.parse(JSON.parse(ok.stdout));
    expect(result).toMatchObject({ from: 'web1', to: 'db1', proto: 'icmp', delivered: true });
    expect(pathNodes(result)).toEqual(['hv1', 'gw1', 'hv2']);
    const dropped = await nvlab(['trace', 'web1', 'other2', '--lab', lab, '--format', 'json']);
    expect(dropped.exitCode, dropped.stderr).toBe(1);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ delivered: false, reason: 'isolation' });
  });

  test('nvlab connectivity: every pair of the lab reachable or isolated as designed, none broken', async () => {
    const r = await nvlab(['connectivity', '--lab', lab, '--no-inject', '--format', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const matrix = ConnectivityMatrixSchema.parse(JSON.parse(r.stdout));
    expect(matrix.ports).toHaveLength(11);
    expect(matrix.pairs).toHaveLength(11 * 10);
    const pair = (from: string, to: string) => matrix.pairs.find((p) => p.from === from && p.to === to);
    expect(pair('web1', 'web3')).toMatchObject({ design: 'switch', status: 'reachable', predicted: { delivered: true } });
    expect(pair('db1', 'web4')).toMatchObject({ design: 'routed', router: 'edge', status: 'reachable' });
    expect(pair('web1', 'other2')).toMatchObject({
      design: 'isolated',
      status: 'isolated',
      predicted: { delivered: false, reason: 'isolation' },
    });
    expect(pair('lan1', 'svc2')).toMatchObject({ design: 'isolated', status: 'isolated' });
    expect(matrix.pairs.filter((p) => p.status === 'broken')).toEqual([]);
    // Within web, svc and other, both ways; and web to db and back through the router.
    expect(matrix.summary).toEqual({ reachable: 4 * 3 + 3 * 2 + 2 * 1 + 2 * 4, isolated: 110 - 28, broken: 0 });
  });

  test('an injected packet takes the predicted hops: unicast, routed (also back to its own node), BUM, from and to hosts', async () => {
    const cases: TraceRequestInput[] = [
      { from: 'web1', to: 'web3' },
      { from: 'web1', to: 'db1', proto: 'udp:53' },
      // db1 and web3 are both on hv2: routed on gw1, the packet comes back to the node it left.
      { from: 'db1', to: 'web3' },
      { from: 'svc1', to: 'svc3', frame: 'broadcast' },
      { from: 'printer', to: 'lan1' },
      { from: 'web1', to: 'www' },
    ];
    for (const input of cases) {
      const r = await testLab.driver.trace({ proto: 'icmp', ...input });
      const what = `${input.from} → ${input.to}: ${JSON.stringify(r.divergence ?? r.notInjected ?? r.reason)}`;
      expect(r.observed, what).toBeDefined();
      expect(r.divergence, what).toBeUndefined();
      expect(r.delivered, what).toBe(true);
      expect(r.observed!.hops.length, what).toBe(r.predicted!.hops.length);
    }
  });

  test("the scenario driver's trace is the same predicted trace", async () => {
    const r = await testLab.driver.trace({ from: 'web1', to: 'web3', proto: 'icmp' });
    expect(r).toMatchObject({ delivered: true });
    expect(pathNodes(r)).toEqual(['hv1', 'hv2']);
  });
});

describe('the lab broken on purpose', () => {
  test('a flow deleted by hand: the trace names the node that lost it, no-flow', async () => {
    const healthy = await trace({ from: 'web1', to: 'web3' });
    const classify = healthy.hops.find((h) => h.node === 'hv2' && h.component === 'tunnel' && h.rule)!.rule!;
    expect(classify).toMatchObject({ table: 0 });
    // Deleted again before each look: the master's periodic repair (every 30 s or so) puts it back.
    const breakIt = () => sh('hv2', `ovs-ofctl -O OpenFlow13 del-flows br-int 'cookie=${classify.cookie}/-1'`);
    await breakIt();
    const broken = await trace({ from: 'web1', to: 'web3' });
    expectDropped(broken, 'no-flow', { node: 'hv2', observation: 'dropped', reason: 'no-flow' });
    // The CLI takes a second or two to start: the repair may come in between (CI saw it once),
    // so a look that found the flow back is taken again, after breaking it again.
    await breakIt();
    const traceCli = () => nvlab(['trace', 'web1', 'web3', '--lab', lab, '--format', 'json']);
    let cli = await traceCli();
    for (let attempt = 0; attempt < 3 && cli.exitCode === 0; attempt++) {
      await breakIt();
      cli = await traceCli();
    }
    expect(cli.exitCode, cli.stderr).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ delivered: false, reason: 'no-flow' });
    // The matrix shows broken the pairs whose packets enter hv2 through that tunnel, at hv2.
    const connectivity = () => nvlab(['connectivity', '--lab', lab, '--switch', 'web', '--no-inject', '--format', 'json']);
    await breakIt();
    let matrix = await connectivity();
    for (let attempt = 0; attempt < 3 && matrix.exitCode === 0; attempt++) {
      await breakIt();
      matrix = await connectivity();
    }
    expect(matrix.exitCode, matrix.stderr).toBe(1);
    const pairs = ConnectivityMatrixSchema.parse(JSON.parse(matrix.stdout)).pairs.filter((p) => p.status === 'broken');
    expect(pairs.map((p) => `${p.from}>${p.to}`).sort()).toEqual(['web1>web3', 'web2>web3']);
    for (const p of pairs) expect(p).toMatchObject({ reason: 'no-flow', node: 'hv2' });
  });

  test('a port unbound from its node, or not plugged in on it: port-not-bound', async () => {
    const api = await labNorthbound(runtime, lab);
    const { node: _node, ...unbound } = unwrap(await api.logicalPorts.get('web4'));
    unwrap(await api.logicalPorts.update('web4', unbound));
    const r = await trace({ from: 'web1', to: 'web4' });
    expectDropped(r, 'port-not-bound', { observation: 'dropped', reason: 'port-not-bound', logical: 'web4' });
    // Bound, but its interface gone from the node's br-int: not plugged in.
    await sh('hv1', 'ovs-vsctl del-port br-int vm-web2');
    const unplugged = await trace({ from: 'web1', to: 'web2' });
    expectDropped(unplugged, 'port-not-bound', {
      node: 'hv1',
      logical: 'web2',
      detail: 'port web2 is bound to hv1 but not plugged in there',
    });
  });

  test('the service node killed: its tunnels go down, the broadcast is dropped at the source (tunnel-down)', async () => {
    await runtime.kill(testLab.container('sn1'));
    // BFD notices in a few of its 100 ms rounds.
    const r = await eventually(
      () => trace({ from: 'svc1', to: 'svc3', frame: 'broadcast' }),
      (t) => t.reason === 'tunnel-down',
      10_000,
    );
    expectDropped(r, 'tunnel-down', { node: 'hv1', observation: 'dropped', reason: 'tunnel-down' });
  });

  test('a node partitioned (all its links cut): the trace names it, and why the packet never arrives', async () => {
    expect((await trace({ from: 'svc1', to: 'svc3' })).delivered).toBe(true);
    await testLab.driver.node('partition', 'hv3');
    const r = await eventually(
      () => testLab.driver.trace({ from: 'svc1', to: 'svc3', proto: 'icmp' }),
      (t) => !t.delivered,
      20_000,
    );
    const seen = JSON.stringify({ reason: r.reason, last: r.hops.at(-1), divergence: r.divergence, notInjected: r.notInjected });
    expect(r.delivered, seen).toBe(false);
    expect(r.hops.at(-1), seen).toMatchObject({ node: 'hv3', observation: 'dropped' });
    expect(['tunnel-down', 'unreachable'], seen).toContain(r.reason);
  });
});
