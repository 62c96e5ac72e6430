// Distributed logical routing on the wire, on a real lab (routing-wire.ts reads every transport
// node's underlay NIC, inside the tunnels): a routed echo between hypervisors crosses the underlay
// once each way, from the source's NIC straight to the destination's, with TTL 63 and the
// router's MAC as source, never at a gateway or another node; nothing for the router's address
// (ARP) crosses a tunnel; between two switches on one hypervisor nothing leaves it; with both l3
// gateways dead east-west pings lose nothing. The same shape through a centralized router
// (distributed: false) crosses gw1. The figures are printed (wire-distributed=, wire-local=,
// wire-centralized=, both-gateways-killed-lost=). North-south failover with one gateway killed
// is l3-gateway.yaml's (topologies/), unchanged by this.
import { beforeAll, describe, expect, test } from 'vitest';
import type { CapturePoint } from '../../../src/app/lab-driver/capture-point.ts';
import { labTopology, useLab } from './harness.ts';
import { countsLine, echo, flooded, onTheWire, perNode, type Inner, type Wire } from './routing-wire.ts';
import { eventually } from './support.ts';

const lab = useLab(labTopology('distributed-routing.yaml'));
/** Echoes per measurement. */
const N = 20;
const NODES = ['hv1', 'hv2', 'hv3', 'gw1', 'gw2'];
const IP = {
  web1: '10.0.1.11',
  db1: '10.0.2.11',
  db2: '10.0.2.12',
  app1: '10.0.3.11',
  data1: '10.0.4.11',
  www: '203.0.113.80',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const port = (name: string) => lab.plan.switches.flatMap((s) => s.ports).find((p) => p.name === name)!;
const routerIface = (router: string, sw: string) =>
  lab.plan.routers.find((r) => r.name === router)!.interfaces.find((i) => i.switch === sw)!;
const vni = (sw: string) => lab.plan.switches.find((s) => s.name === sw)!.vni;
/** A VM's namespace as a capture point. */
const vmPoint = (name: string): CapturePoint => ({ label: name, container: lab.container(port(name).node), netns: name, iface: 'eth0' });

function vm(name: string, cmd: string[], timeoutMs = 20_000) {
  return lab.runtime.exec(lab.container(port(name).node), ['ip', 'netns', 'exec', name, ...cmd], { timeoutMs });
}

/** `count` pings, 50 ms apart; ping's output. */
async function pings(from: string, ip: string, count = N): Promise<string> {
  return (await vm(from, ['ping', '-n', '-i', '0.05', '-W', '1', '-c', String(count), ip])).stdout;
}

/** The TTLs of the replies ping printed, each once. */
const replyTtls = (out: string) => [...new Set([...out.matchAll(/ttl=(\d+)/g)].map((m) => Number(m[1])))];

/** Per-node counts with every node not named at 0 both ways. */
const only = (some: Record<string, { in?: number; out?: number }>) =>
  Object.fromEntries(NODES.map((n) => [n, { in: some[n]?.in ?? 0, out: some[n]?.out ?? 0 }]));

/** The echoes' own tunnel packets, per node, each way; printed as `label=…`. */
function echoes(label: string, wire: Wire, from: string, to: string) {
  const requests = perNode(wire, NODES, echo(from, to, 8));
  const replies = perNode(wire, NODES, echo(to, from, 0));
  const copies = flooded(wire, (i) => echo(from, to, 8)(i) || echo(to, from, 0)(i));
  console.log(
    `${label}: ${N} echoes ${from} → ${to}; requests ${countsLine(requests)}; replies ${countsLine(replies)}; flooded copies seen at other NICs: ${copies}`,
  );
  return { requests, replies };
}

/** The TTLs (and Geneve VNIs) of a node's own echo requests one way, each once. */
function arriving(wire: Wire, node: string, direction: 'in' | 'out', match: (i: Inner) => boolean): string[] {
  const seen = wire.tunnel.filter((t) => t.own && t.node === node && t.direction === direction && match(t.inner));
  return [...new Set(seen.map((t) => `vni ${t.vni} ttl ${t.inner.kind === 'icmp' ? t.inner.ttl : '?'}`))];
}

beforeAll(async () => {
  // Programmed once every measured pair answers.
  for (const [from, to] of [
    ['web1', IP.db1],
    ['web1', IP.db2],
    ['app1', IP.data1],
  ] as const) {
    const out = await eventually(
      () => pings(from, to, 1),
      (o) => o.includes('1 received'),
      60_000,
    );
    expect(out, `${from} → ${to}`).toContain('1 received');
  }
}, 240_000);

describe('a distributed router', () => {
  test('across hypervisors: TTL 63, one Geneve packet per echo each way from NIC to NIC, none elsewhere; no ARP for the router on the underlay; its MAC in the destination VM', async () => {
    // Both VMs must ask for their router's MAC again, inside the captured window.
    await vm('web1', ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    await vm('db1', ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    let out = '';
    const wire = await onTheWire(lab, async () => (out = await pings('web1', IP.db1)), [
      { point: vmPoint('db1'), filter: 'icmp' },
      { point: vmPoint('web1'), filter: 'arp' },
    ]);
    expect(out).toContain(`${N} received`);
    expect(replyTtls(out)).toEqual([63]);

    const { requests, replies } = echoes('wire-distributed', wire, IP.web1, IP.db1);
    expect(requests).toEqual(only({ hv1: { out: N }, hv2: { in: N } }));
    expect(replies).toEqual(only({ hv2: { out: N }, hv1: { in: N } }));
    // Routed on hv1 before the tunnel: TTL 63 already, in db's VNI (and the replies in web's).
    expect(arriving(wire, 'hv2', 'in', echo(IP.web1, IP.db1, 8))).toEqual([`vni ${vni('db')} ttl 63`]);
    expect(arriving(wire, 'hv1', 'in', echo(IP.db1, IP.web1, 0))).toEqual([`vni ${vni('web')} ttl 63`]);

    // No ARP for any router address in any tunnel, own or flooded; yet web1 did ask, and its
    // own node answered with the router's MAC on web.
    const routerIps = [routerIface('core', 'web').ip, routerIface('core', 'db').ip];
    const arps = wire.tunnel.filter((t) => t.inner.kind === 'arp' && (routerIps.includes(t.inner.tpa) || routerIps.includes(t.inner.spa)));
    const answered = wire.at.get('web1')!.filter((i) => i.kind === 'arp' && i.op === 2 && i.spa === routerIps[0]);
    console.log(`router-arp-on-underlay=${arps.length} (web1 got ${answered.length} ARP answer(s) for ${routerIps[0]} from its own node)`);
    expect(arps).toEqual([]);
    expect(answered.length).toBeGreaterThan(0);
    expect(new Set(answered.map((a) => (a.kind === 'arp' ? a.sha : '')))).toEqual(new Set([routerIface('core', 'web').mac]));

    // In db1: every request from the router's MAC on db to db1's own.
    const inDb1 = wire.at.get('db1')!.filter(echo(IP.web1, IP.db1, 8));
    const macs = [...new Set(inDb1.map((i) => (i.kind === 'icmp' ? `${i.srcMac} > ${i.dstMac}` : '')))];
    console.log(`macs-in-db1=${macs.join(', ')} (router port on db: ${routerIface('core', 'db').mac}, db1: ${port('db1').mac})`);
    expect(inDb1).toHaveLength(N);
    expect(macs).toEqual([`${routerIface('core', 'db').mac} > ${port('db1').mac}`]);
  }, 60_000);

  test('two switches on one hypervisor: the routed echoes never leave it', async () => {
    let out = '';
    const wire = await onTheWire(lab, async () => (out = await pings('web1', IP.db2)));
    expect(out).toContain(`${N} received`);
    expect(replyTtls(out)).toEqual([63]);
    const pair = (i: Inner) => echo(IP.web1, IP.db2, 8)(i) || echo(IP.db2, IP.web1, 0)(i);
    // Anything at all hv1 tunnelled meanwhile in the router's switches (the centralized router's
    // gateway may probe app1 in the same window), but for BFD sessions' keepalives.
    const core = [vni('web'), vni('db')];
    const fromHv1 = wire.tunnel.filter((t) => t.own && t.node === 'hv1' && core.includes(t.vni ?? -1) && t.inner.kind !== 'bfd');
    console.log(
      `wire-local: ${N} echoes web1 → db2 on hv1; their packets in tunnels anywhere: ${wire.tunnel.filter((t) => pair(t.inner)).length}; hv1's tunnel packets in web's or db's VNI: ${fromHv1.length}`,
    );
    expect(wire.tunnel.filter((t) => pair(t.inner))).toEqual([]);
    expect(fromHv1).toEqual([]);
  }, 60_000);
});

describe('a centralized router (distributed: false), the same shape', () => {
  test('the echo crosses gw1 both ways: routed there, not on hv1; ARP for the router crosses too', async () => {
    let out = '';
    // Flushed inside the window, right before the pings: an ARP request from the router's
    // namespace in between would teach app1 the router's MAC again, and no ARP would cross.
    const wire = await onTheWire(lab, async () => {
      await vm('app1', ['ip', 'neigh', 'flush', 'dev', 'eth0']);
      out = await pings('app1', IP.data1);
    });
    expect(out).toContain(`${N} received`);
    expect(replyTtls(out)).toEqual([63]);
    const { requests, replies } = echoes('wire-centralized', wire, IP.app1, IP.data1);
    expect(requests).toEqual(only({ hv1: { out: N }, gw1: { in: N, out: N }, hv2: { in: N } }));
    expect(replies).toEqual(only({ hv2: { out: N }, gw1: { in: N, out: N }, hv1: { in: N } }));
    // Untouched on the way to gw1 (TTL 64, app's VNI), routed there into data's.
    expect(arriving(wire, 'gw1', 'in', echo(IP.app1, IP.data1, 8))).toEqual([`vni ${vni('app')} ttl 64`]);
    expect(arriving(wire, 'hv2', 'in', echo(IP.app1, IP.data1, 8))).toEqual([`vni ${vni('data')} ttl 63`]);
    // app1's ARP for its router goes to the gateway's namespace, which answers it.
    const routerIp = routerIface('legacy', 'app').ip;
    const arps = wire.tunnel.filter((t) => t.own && t.inner.kind === 'arp' && (t.inner.tpa === routerIp || t.inner.spa === routerIp));
    console.log(
      `router-arp-on-underlay-centralized=${arps.length} (${[...new Set(arps.map((t) => `${t.node} ${t.direction}`))].join(', ')})`,
    );
    expect(arps.filter((t) => t.node === 'gw1' && t.direction === 'in')).not.toEqual([]);
  }, 60_000);
});

describe('both l3 gateways killed', () => {
  test('east-west pings every 10 ms lose nothing; north-south has no way out', async () => {
    const count = 500;
    const traffic = vm('web1', ['ping', '-n', '-D', '-i', '0.01', '-W', '1', '-c', String(count), IP.db1], 60_000);
    await sleep(1000);
    await Promise.all([lab.driver.node('kill', 'gw1'), lab.driver.node('kill', 'gw2')]);
    const killed = Date.now();
    const northSouth = await vm('web1', ['ping', '-n', '-c', '2', '-W', '1', IP.www]);
    const out = (await traffic).stdout;
    const summary = /(\d+) packets transmitted, (\d+) received/.exec(out);
    expect(summary, out.slice(-500)).not.toBeNull();
    const [transmitted, received] = [Number(summary![1]), Number(summary![2])];
    const after = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].filter((m) => Number(m[1]) * 1000 > killed).length;
    console.log(
      `both-gateways-killed-lost=${transmitted - received} of ${transmitted} (${after} replies after both were dead); north-south meanwhile: ${/(\d+) received/.exec(northSouth.stdout)?.[1] ?? '?'} of 2 answered`,
    );
    expect(transmitted).toBe(count);
    expect(received).toBe(count);
    expect(after).toBeGreaterThan(200);
    expect(northSouth.exitCode).not.toBe(0);
  }, 90_000);
});
