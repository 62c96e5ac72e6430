// Injected traceflows on real ovs-vswitchd processes (two nodes, each a network namespace, a real
// Geneve tunnel between them, programmed by the pipeline): arm both nodes with shadow flows,
// inject the marked packet by PACKET_OUT at the source VM's port, read the shadows' counters,
// disarm. The path is observed up to the remote VM's port, yet the packet never reaches a VM:
// the VMs' port statistics and their own counters are unchanged, their traffic flows on, and
// every flow and group is as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import {
  armSwitch,
  buildFrame,
  disarmSwitch,
  injectFrame,
  markOf,
  observedPass,
  observedPath,
  planTrace,
  readCounters,
  type NodePass,
  type PlanResources,
} from '../../../src/controller/traceflow/index.ts';
import type { LogicalPort, LogicalState, TraceRequestInput } from '../../../src/model/index.ts';
import { TraceRequestSchema } from '../../../src/model/index.ts';
import type { OpenFlowConnection, OpenFlowController } from '../../../src/openflow/index.ts';
import { until } from '../../support/southbound-node.ts';
import { deliveredAt, steps } from '../../support/trace-hops.ts';
import { counter, echoServer, inNs, NetnsLab, probe, type OvsNode } from './netns-nodes.ts';
import { connectNodes, listenForNodes, plugVms, programFlows, programNode, teardown } from './programming.ts';

const MAC = { a: '02:00:00:00:00:0a', b: '02:00:00:00:00:0b', c: '02:00:00:00:00:0c' };
const lab: LogicalState = {
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve' }],
  ports: [
    { name: 'web-a', switch: 'web', mac: MAC.a, ip: '10.0.1.10', node: 'hv1' },
    { name: 'web-b', switch: 'web', mac: MAC.b, ip: '10.0.1.11', node: 'hv1' },
    { name: 'web-c', switch: 'web', mac: MAC.c, ip: '10.0.1.12', node: 'hv2' },
  ],
};
const resources: PlanResources = {
  ports: lab.ports as LogicalPort[],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve' }],
  routers: [],
};

const net = new NetnsLab();
let sessions: NodeSessions;
let controller: OpenFlowController;
const nodes = new Map<string, OvsNode>();
const switches = new Map<string, OpenFlowConnection>();
/** Each VM's namespace, by logical port. */
const vms = new Map<string, string>();
let traces = 0;

/** What every member does for its nodes, here for both: arm, inject at the source, wait, count, disarm. */
async function trace(input: TraceRequestInput): Promise<{ path: ReturnType<typeof observedPath>; passes: NodePass[]; ms: number }> {
  const t0 = Date.now();
  const plan = planTrace(TraceRequestSchema.parse(input), resources);
  const mark = markOf(plan.frame.payload);
  const n = ++traces;
  const armed = await Promise.all(
    [...nodes.keys()].map((node) =>
      armSwitch(switches.get(node)!, { node, facts: sessions.facts(node), resources: { ...resources, nodes: lab.nodes }, mark, trace: n }),
    ),
  );
  const source = plan.source.node!;
  const inPort = sessions.facts(source).vmPorts.get((plan.source.via as { vmPort: string }).vmPort)!;
  const passes: NodePass[] = [];
  try {
    await injectFrame(switches.get(source)!, inPort, buildFrame(plan.frame));
    await new Promise((r) => setTimeout(r, 200));
    for (const a of armed) {
      const counters = await readCounters(a);
      const pass = observedPass(a.node, a.records, counters, {
        places: a.places,
        ...(a.node === source ? { source: { inPort, entry: plan.source.entry } } : {}),
      });
      if (pass) passes.push(pass);
    }
  } finally {
    await Promise.all(armed.map(disarmSwitch));
  }
  return { path: observedPath(passes, lab, plan), passes, ms: Date.now() - t0 };
}

/** Flows (no counters) and groups of both switches, as ovs-ofctl prints them. */
async function tables(): Promise<string[]> {
  const out: string[] = [];
  for (const node of nodes.values()) {
    out.push(await node.ovs.ofctl('dump-flows', '--no-stats', 'br-int'), await node.ovs.ofctl('dump-groups', 'br-int'));
  }
  return out.map(sortedLines);
}

/** OVS lists flows of one priority in an order of its own, which changes as others come and go. */
const sortedLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .sort()
    .join('\n');

/** What each VM's port says it passed: the switch's port statistics and the VM's own NIC. */
async function vmCounters(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const port of lab.ports) {
    const node = port.node!;
    const ofport = sessions.facts(node).vmPorts.get(port.name)!;
    const [stats] = await switches.get(node)!.portStats(ofport);
    const ns = vms.get(port.name)!;
    out[port.name] = {
      switchTx: stats!.txPackets,
      switchRx: stats!.rxPackets,
      vmRx: await counter(ns, 'eth0', 'rx_packets'),
      vmTx: await counter(ns, 'eth0', 'tx_packets'),
    };
  }
  return out;
}

beforeAll(async () => {
  const listening = await listenForNodes(net);
  ({ sessions, controller } = listening);
  const { base } = listening;
  for (const [i, name] of ['hv1', 'hv2'].entries()) {
    const mine = lab.ports.filter((p) => p.node === name);
    nodes.set(name, await net.node(name, { ...base, underlayIp: `192.0.2.${i + 1}`, dpid: BigInt(0x7f01 + i) }, plugVms(net, mine, vms)));
  }
  echoServer(net, vms.get('web-c')!, 'web-c');
  const programmer = { lab, sessions, nodes, switches };
  await connectNodes(programmer, controller);
  for (const name of nodes.keys()) await programNode(programmer, name);
  // The VMs know each other (no ARP in the counters), and the overlay carries their traffic.
  for (const p of lab.ports)
    for (const q of lab.ports) if (p !== q) await inNs(vms.get(p.name)!, 'ip', 'neigh', 'replace', q.ip!, 'lladdr', q.mac, 'dev', 'eth0');
  await until('web-a reaches web-c', async () => (await probe(vms.get('web-a')!, '10.0.1.12', 1, 20, 300)).probes[0]?.from === 'web-c');
}, 120_000);

afterAll(() => teardown(net, controller, sessions));

describe('injected traceflows on real OVS', () => {
  it('observes a unicast up to the remote VM without handing it over: statistics, traffic and tables unchanged', async () => {
    const tablesBefore = await tables();
    const countersBefore = await vmCounters();
    // The VMs' own traffic during the trace: every probe answered.
    const traffic = probe(vms.get('web-a')!, '10.0.1.12', 40, 20, 300);
    await new Promise((r) => setTimeout(r, 100));
    const { path, passes, ms } = await trace({ from: 'web-a', to: 'web-c' });
    const { probes } = await traffic;
    console.log(`unicast trace in ${ms} ms:\n  ${steps(path).join('\n  ')}`);
    expect(path.delivered).toBe(true);
    expect(steps(path)).toEqual([
      'hv1 port received web-a',
      'hv1 logical-switch forwarded web',
      'hv1 tunnel forwarded hv2',
      'hv2 tunnel received hv1',
      'hv2 logical-switch forwarded web',
      'hv2 port delivered web-c',
    ]);
    expect(passes.map((p) => p.node).sort()).toEqual(['hv1', 'hv2']);
    expect(probes.every((p) => p.from === 'web-c')).toBe(true);
    // The probes moved the counters of web-a and web-c: compare after a trace without traffic.
    expect(await tables()).toEqual(tablesBefore);
    const quiet = await vmCounters();
    await trace({ from: 'web-a', to: 'web-c' });
    expect(await vmCounters()).toEqual(quiet);
    expect(countersBefore).toBeDefined();
  }, 60_000);

  it('sees the same path again at once (the datapath cached the last trace packet: the flush pushes its counts)', async () => {
    const before = await vmCounters();
    for (let i = 0; i < 3; i++) {
      const { path } = await trace({ from: 'web-a', to: 'web-c', proto: 'udp:53' });
      expect(path.delivered).toBe(true);
      expect(path.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'delivered', logical: 'web-c' });
    }
    expect(await vmCounters()).toEqual(before);
  }, 60_000);

  it('follows a broadcast to its copies: the local VM and, through the tunnel, the remote one', async () => {
    const before = await vmCounters();
    for (const proto of ['icmp', 'arp'] as const) {
      const { path } = await trace({ from: 'web-a', to: 'web-c', proto, frame: 'broadcast' });
      expect(path.hops.find((h) => h.observation === 'replicated')).toMatchObject({ node: 'hv1', copies: 2 });
      expect(deliveredAt(path)).toEqual(['hv1 web-b', 'hv2 web-c']);
      expect(path.delivered).toBe(true);
    }
    expect(await vmCounters()).toEqual(before);
  }, 60_000);

  it('names the node and the reason when a flow is deleted by hand: the tunnel classifier on hv2', async () => {
    const hv2 = nodes.get('hv2')!;
    const tunnel = sessions.facts('hv2').tunnelPorts.get('tun-hv1-gnv')!;
    await hv2.ovs.ofctl('del-flows', '--strict', 'br-int', `table=0,priority=100,in_port=${tunnel},tun_id=0x64`);
    try {
      const { path } = await trace({ from: 'web-a', to: 'web-c' });
      expect(path).toMatchObject({ delivered: false, reason: 'no-flow' });
      expect(path.hops.at(-2)).toMatchObject({ node: 'hv2', component: 'tunnel', observation: 'received' });
      expect(path.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'dropped', reason: 'no-flow', rule: { table: 0 } });
    } finally {
      await programFlows(lab, 'hv2', sessions, switches.get('hv2')!);
    }
    expect((await trace({ from: 'web-a', to: 'web-c' })).path.delivered).toBe(true);
  }, 60_000);
});
