// Injected traceflows through the northbound API on a real lab: three members share the four
// nodes' masterships, so every trace is armed, sent, counted and assembled by all of them through
// the store. A unicast is observed hop by hop up to the remote VM's port without reaching the
// VM, a broadcast is followed through the service node to its copies, a routed packet through
// the router on its gateway to the remote VM's port, or out of its uplink with SNAT up to the
// gateway's NIC (the host gets nothing), and a flow deleted by hand is where the packet is dropped. The lab's flows and groups and its VMs' counters are the same
// after the traces as before.
import { beforeAll, describe, expect, test } from 'vitest';
import { labNorthbound } from '../../../src/app/ports.ts';
import type { TracePath } from '../../../src/model/index.ts';
import { runTraceflow, unwrap, type NorthboundClient } from '../../../src/northbound-client/index.ts';
import { deliveredAt, steps } from '../../support/trace-hops.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';

const testLab = useLab(labTopology('traceflow.yaml'));
const node = testLab.container;
const NODES = ['hv1', 'hv2', 'hv3', 'sn1', 'gw1'];
const VMS = { web1: 'hv1', web2: 'hv2', web3: 'hv3', app1: 'hv1', db1: 'hv2' } as const;
let api: NorthboundClient;

async function sh(on: string, ...cmd: string[]): Promise<string> {
  const r = await runtime.exec(node(on), cmd);
  if (r.exitCode !== 0) throw new Error(`${on}: ${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const sorted = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort()
    .join('\n');

/** Every node's flows (no counters) and groups. */
async function tables(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of NODES) {
    const flows = await sh(n, 'ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', '--no-stats', 'br-int');
    const groups = await sh(n, 'ovs-ofctl', '-O', 'OpenFlow13', 'dump-groups', 'br-int');
    out[n] = `${sorted(flows)}\n${sorted(groups)}`;
  }
  return out;
}

/** What each VM's port passed: its interface on br-int (OVS's statistics) and the VM's own NIC. */
async function vmCounters(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [vm, hv] of Object.entries(VMS)) {
    const ovs = await sh(hv, 'ovs-vsctl', '--columns=statistics', 'find', 'interface', `external_ids:iface-id=${vm}`);
    const own = await sh(hv, 'ip', 'netns', 'exec', vm, 'cat', '/proc/net/dev');
    const nic = own.split('\n').filter((l) => l.includes(':') && !l.trim().startsWith('lo:'));
    out[vm] = `${ovs.trim()} | ${nic.map((l) => l.trim().split(/\s+/).slice(0, 3).join(' ')).join(' ')}`;
  }
  return out;
}

async function trace(request: Parameters<typeof runTraceflow>[1]): Promise<TracePath> {
  const t0 = Date.now();
  const path = await runTraceflow(api, request, { timeoutMs: 20_000 });
  console.log(
    `${request.from} → ${request.to}${request.frame ? ` (${request.frame})` : ''} in ${Date.now() - t0} ms:\n  ${steps(path).join('\n  ')}`,
  );
  return path;
}

/** What the internet's host received: its NIC's packet counter. */
async function hostReceived(): Promise<string> {
  const dev = await sh('www', 'cat', '/proc/net/dev');
  return dev
    .split('\n')
    .find((l) => l.trim().startsWith('eth0:'))!
    .trim()
    .split(/\s+/)[2]!;
}

let tablesBefore: Record<string, string>;
let countersBefore: Record<string, string>;

beforeAll(async () => {
  api = await labNorthbound(runtime, testLab.name);
  // Every node has its master, and the masterships are spread: a trace needs several members.
  const status = await eventually(
    async () => unwrap(await api.status()),
    (s) => s.masterships.length === NODES.length,
    30_000,
  );
  console.log(`masterships: ${status.masterships.map((m) => `${m.node}→${m.member}`).join(' ')}`);
  expect(new Set(status.masterships.map((m) => m.member)).size).toBeGreaterThan(1);
  // The VMs have said what they say at boot; the lab is quiet.
  await new Promise((r) => setTimeout(r, 2000));
  tablesBefore = await tables();
  countersBefore = await vmCounters();
}, 60_000);

describe('injected traceflows through the northbound API', () => {
  test('a unicast across nodes, hop by hop: received, into the tunnel with its VNI, received, delivered, yet never handed to the VM', async () => {
    const path = await trace({ from: 'web1', to: 'web2' });
    expect(path.delivered).toBe(true);
    expect(steps(path)).toEqual([
      'hv1 port received web1',
      'hv1 logical-switch forwarded web',
      'hv1 tunnel forwarded hv2',
      'hv2 tunnel received hv1',
      'hv2 logical-switch forwarded web',
      'hv2 port delivered web2',
    ]);
    expect(path.hops[2]!.tunnel).toMatchObject({ encap: 'geneve', vni: 5001, remote: 'hv2' });
    expect(path.hops[3]!.tunnel).toMatchObject({ vni: 5001 });
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test('a broadcast through the service node to its copies on hv2 and hv3', async () => {
    const path = await trace({ from: 'web1', to: 'web2', frame: 'broadcast' });
    const replicated = path.hops.find((h) => h.observation === 'replicated' && h.node === 'sn1');
    expect(replicated?.copies).toBe(2);
    expect(deliveredAt(path)).toEqual(['hv2 web2', 'hv3 web3']);
    expect(path.delivered).toBe(true);
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test("routed: on through the router on its gateway (TTL 63) to the remote VM's port, never handed to the VM", async () => {
    const path = await trace({ from: 'app1', to: 'db1' });
    expect(path.delivered).toBe(true);
    expect(steps(path)).toEqual([
      'hv1 port received app1',
      'hv1 logical-router forwarded edge',
      'hv1 tunnel forwarded gw1',
      'gw1 tunnel received hv1',
      'gw1 logical-switch forwarded app',
      'gw1 logical-router forwarded edge',
      'gw1 logical-router received edge',
      'gw1 logical-router forwarded edge',
      'gw1 logical-router received edge',
      'gw1 logical-switch forwarded db',
      'gw1 tunnel forwarded hv2',
      'hv2 tunnel received gw1',
      'hv2 logical-switch forwarded db',
      'hv2 port delivered db1',
    ]);
    expect(path.hops[7]).toMatchObject({ detail: 'routed towards 10.0.4.11 out of its interface on switch db, TTL 63' });
    expect(path.hops[8]).toMatchObject({ detail: "from router edge's interface on switch db" });
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test("SNAT to a host: out of the router's uplink and stopped at the gateway's NIC; the host gets nothing", async () => {
    const mac = (await sh('www', 'cat', '/sys/class/net/eth0/address')).trim();
    const received = await hostReceived();
    const path = await trace({ from: 'app1', to: 'www', hosts: { www: { network: 'internet', ip: '203.0.113.80', mac } } });
    expect(path.delivered).toBe(true);
    expect(path.hops).toContainEqual(
      expect.objectContaining({ detail: 'routed towards 203.0.113.80 out of its uplink, TTL 63, source NAT to 203.0.113.2' }),
    );
    expect(steps(path).slice(-3)).toEqual([
      'gw1 logical-router received edge',
      'gw1 physical-network forwarded internet',
      'www host delivered www',
    ]);
    expect(await hostReceived()).toBe(received);
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test("an ARP request for the router's interface: delivered at the router (a request the router never gets, so no answer reaches the VM)", async () => {
    const path = await trace({ from: 'app1', to: '10.0.3.1', proto: 'arp' });
    expect(path.delivered).toBe(true);
    expect(path.hops.at(-1)).toMatchObject({ node: 'gw1', component: 'logical-router', observation: 'delivered', logical: 'edge' });
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test("the lab's flows, groups and VM counters are as before the traces", async () => {
    // The shadows are gone once the traces ended (removed by their members, not by the timeout).
    expect(await tables()).toEqual(tablesBefore);
    expect(await vmCounters()).toEqual(countersBefore);
  }, 30_000);

  test('a flow deleted by hand: dropped on hv2 for want of a flow, named with the table', async () => {
    const ofport = (await sh('hv2', 'ovs-vsctl', 'get', 'interface', 'tun-hv1-gnv', 'ofport')).trim();
    const match = `table=0,in_port=${ofport},tun_id=0x1389`;
    const [flow] = sorted(await sh('hv2', 'ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', '--no-stats', 'br-int', match)).split('\n');
    expect(flow).toMatch(/^cookie=/);
    await sh('hv2', 'ovs-ofctl', '-O', 'OpenFlow13', 'del-flows', 'br-int', match);
    try {
      const path = await trace({ from: 'web1', to: 'web2' });
      expect(path).toMatchObject({ delivered: false, reason: 'no-flow' });
      expect(path.hops.at(-2)).toMatchObject({ node: 'hv2', component: 'tunnel', observation: 'received' });
      expect(path.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'dropped', reason: 'no-flow', rule: { table: 0 } });
    } finally {
      // Put back as it was (its master would repair it at its next read of the switch, ≤ 40 s).
      await sh('hv2', 'ovs-ofctl', '-O', 'OpenFlow13', 'add-flow', 'br-int', `table=0,${flow!}`);
    }
    expect(await tables()).toEqual(tablesBefore);
    expect((await trace({ from: 'web1', to: 'web2' })).delivered).toBe(true);
    expect(await vmCounters()).toEqual(countersBefore);
  }, 60_000);

  test('an unknown port is refused at once; a trace is kept for GET with its passes', async () => {
    expect(await api.traceflows.create({ from: 'web1', to: 'nope' })).toMatchObject({ kind: 'not-found' });
    const created = unwrap(await api.traceflows.create({ from: 'web3', to: 'web1', proto: 'udp:53' }));
    const done = await eventually(
      async () => unwrap(await api.traceflows.get(created.id)),
      (t) => t.state !== 'running',
      20_000,
    );
    expect(done).toMatchObject({ id: created.id, state: 'completed', path: { delivered: true } });
    expect(done.passes!.map((p) => p.node).sort()).toEqual(['hv1', 'hv3']);
    expect(done.durationMs).toBeGreaterThan(0);
  }, 30_000);

  test("the target node's master killed: a trace then ends in time (delivered, or failed naming what it waited for), and once another member took the node, traces are delivered again", async () => {
    const masters = async () => unwrap(await api.status()).masterships;
    const victim = (await masters()).find((m) => m.node === 'hv2')!.member;
    await runtime.kill(node(victim));
    const created = unwrap(await api.traceflows.create({ from: 'web1', to: 'web2' }));
    const first = await eventually(
      async () => unwrap(await api.traceflows.get(created.id)),
      (t) => t.state !== 'running',
      20_000,
    );
    console.log(`right after killing ${victim}: ${first.state} in ${first.durationMs} ms${first.error ? `: ${first.error}` : ''}`);
    expect(first.state).not.toBe('running');
    if (first.state === 'completed') expect(first.path!.delivered).toBe(true);
    else expect(first.error).toMatch(new RegExp(`hv2|${victim}`));
    await eventually(masters, (ms) => ms.length === NODES.length && ms.every((m) => m.member !== victim), 15_000);
    const path = await trace({ from: 'web1', to: 'web2' });
    expect(path.delivered).toBe(true);
    expect(await vmCounters()).toEqual(countersBefore);
  }, 60_000);
});
