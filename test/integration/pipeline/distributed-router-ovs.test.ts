// A distributed router on real ovs-vswitchd processes (two nodes, each a network namespace, a real
// Geneve tunnel between them, programmed by the pipeline; no gateway, no router namespace): the
// source node answers ARP and pings for the router's addresses itself, routes with the TTL
// decremented and the MACs rewritten, and sends the packet once across the underlay, straight to
// the destination's node; a packet for a VM on its own node never leaves it; a TTL that runs out
// is answered by the controller with ICMP time exceeded from the router's address.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { RejectResponder } from '../../../src/controller/reject/index.ts';
import { RouterArp, type LearnedBinding } from '../../../src/controller/router-arp/index.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import type { OpenFlowConnection, OpenFlowController } from '../../../src/openflow/index.ts';
import { until } from '../../support/southbound-node.ts';
import { inNs, NetnsLab, type OvsNode } from './netns-nodes.ts';
import { connectNodes, listenForNodes, pendingChanges, plugVms, programNode, teardown } from './programming.ts';

const ROUTER_MAC = { web: '0a:00:00:00:01:01', db: '0a:00:00:00:02:01' };
let lab: LogicalState = {
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
  switches: [
    { name: 'web', vni: 100, replication: 'source', encap: 'geneve' },
    { name: 'db', vni: 200, replication: 'source', encap: 'geneve' },
  ],
  ports: [
    { name: 'web-a', switch: 'web', mac: '02:00:00:00:01:0a', ip: '10.0.1.10', node: 'hv1' },
    { name: 'db-b', switch: 'db', mac: '02:00:00:00:02:0b', ip: '10.0.2.11', node: 'hv2' },
    { name: 'db-c', switch: 'db', mac: '02:00:00:00:02:0c', ip: '10.0.2.12', node: 'hv1' },
  ],
  routers: [
    {
      name: 'core',
      distributed: true,
      interfaces: [
        { switch: 'web', mac: ROUTER_MAC.web, ip: '10.0.1.1/24' },
        { switch: 'db', mac: ROUTER_MAC.db, ip: '10.0.2.1/24' },
      ],
      // db-b answers for 10.50.0.1 (an address on its loopback): a network behind it.
      routes: [{ prefix: '10.50.0.0/16', nextHop: '10.0.2.11' }],
    },
  ],
};

const net = new NetnsLab();
let sessions: NodeSessions;
let controller: OpenFlowController;
const nodes = new Map<string, OvsNode>();
const switches = new Map<string, OpenFlowConnection>();
const vms = new Map<string, string>();
const learned: LearnedBinding[] = [];
let programmer: Parameters<typeof programNode>[0];

/** Geneve packets each node sent while `action` ran, captured by tshark (the NICs' own counters also hold the kernel's answers to what OVS decapsulates). */
async function tunnelTx(action: () => Promise<unknown>): Promise<Record<string, number>> {
  // hv2's NIC sees what it sends and what hv1 sends it (the only two nodes).
  const capture = execa(
    'ip',
    [
      'netns',
      'exec',
      nodes.get('hv2')!.ns,
      'tshark',
      '-l',
      '-i',
      'eth1',
      '-f',
      'udp dst port 6081',
      '-T',
      'fields',
      '-E',
      'occurrence=f',
      '-e',
      'ip.src',
    ],
    {
      reject: false,
    },
  );
  // tshark says on stderr when it listens; it needs a moment more to see packets.
  await new Promise<void>((resolve) => capture.stderr!.on('data', (d: Buffer) => String(d).includes('Capturing') && resolve()));
  await new Promise((r) => setTimeout(r, 500));
  await action();
  await new Promise((r) => setTimeout(r, 300));
  capture.kill('SIGINT');
  const done = await capture;
  const sources = done.stdout.split('\n').filter(Boolean);
  return Object.fromEntries([...nodes].map(([name, n]) => [name, sources.filter((ip) => ip === n.underlayIp).length]));
}

const ping = (from: string, ip: string, ...opts: string[]) =>
  inNs(vms.get(from)!, 'ping', '-c', '1', '-W', '2', ...opts, ip).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );

beforeAll(async () => {
  const listening = await listenForNodes(net);
  ({ sessions, controller } = listening);
  new RejectResponder().attach(controller);
  new RouterArp({ learn: (b) => learned.push(b) }).attach(controller);
  for (const [i, name] of ['hv1', 'hv2'].entries()) {
    const mine = lab.ports.filter((p) => p.node === name);
    nodes.set(
      name,
      await net.node(name, { ...listening.base, underlayIp: `192.0.2.${i + 1}`, dpid: BigInt(0x7e01 + i) }, plugVms(net, mine, vms)),
    );
  }
  for (const p of lab.ports)
    await inNs(vms.get(p.name)!, 'ip', 'route', 'add', 'default', 'via', p.switch === 'web' ? '10.0.1.1' : '10.0.2.1');
  await inNs(vms.get('db-b')!, 'ip', 'addr', 'add', '10.50.0.1/32', 'dev', 'lo');
  programmer = { lab, sessions, nodes, switches };
  await connectNodes(programmer, controller);
  for (const name of nodes.keys()) await programNode(programmer, name);
  await until('web-a reaches db-b through the router', async () => (await ping('web-a', '10.0.2.11')).includes('1 received'));
}, 120_000);

afterAll(() => teardown(net, controller, sessions));

describe('a distributed router on real OVS', () => {
  it('routes across nodes once through the underlay: the reply comes back with TTL 63', async () => {
    let out = '';
    const tx = await tunnelTx(async () => (out = await ping('web-a', '10.0.2.11')));
    expect(out).toMatch(/from 10\.0\.2\.11: icmp_seq=1 ttl=63/);
    // The request from hv1, the reply from hv2: one packet each way, nothing else.
    expect(tx).toEqual({ hv1: 1, hv2: 1 });
  });

  it('answers ARP and pings for its addresses on the node, and routes between local VMs without the underlay', async () => {
    await inNs(vms.get('web-a')!, 'ip', 'neigh', 'flush', 'dev', 'eth0');
    let own = '';
    let local = '';
    const tx = await tunnelTx(async () => {
      own = await ping('web-a', '10.0.2.1');
      local = await ping('web-a', '10.0.2.12');
    });
    expect(own).toMatch(/from 10\.0\.2\.1: icmp_seq=1 ttl=64/);
    expect(local).toMatch(/from 10\.0\.2\.12: icmp_seq=1 ttl=63/);
    expect(tx).toEqual({ hv1: 0, hv2: 0 });
    // The router's MAC came from the node's own answer.
    expect((await inNs(vms.get('web-a')!, 'ip', 'neigh', 'show', '10.0.1.1')).stdout).toContain(ROUTER_MAC.web);
  });

  it('follows a static route to its next hop, and answers a TTL that runs out with time exceeded from its address', async () => {
    expect(await ping('web-a', '10.50.0.1')).toMatch(/from 10\.50\.0\.1: icmp_seq=1 ttl=63/);
    expect(await ping('web-a', '10.0.2.11', '-t', '1')).toMatch(/From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded/);
  });

  it('asks for an address no port has with ARP, learns it from the reply, then routes to it', async () => {
    // db-b's second address: no logical port has it.
    await inNs(vms.get('db-b')!, 'ip', 'addr', 'add', '10.0.2.99/24', 'dev', 'eth0');
    expect(await ping('web-a', '10.0.2.99')).toContain('0 received');
    await until('the reply to the router learned', () => learned.some((b) => b.ip === '10.0.2.99'));
    expect(learned.find((b) => b.ip === '10.0.2.99')).toEqual({ vni: 200, ip: '10.0.2.99', mac: '02:00:00:00:02:0b' });
    // As a member does once the binding is in the store: every node routes with it.
    lab = { ...lab, macBindings: [{ switch: 'db', ip: '10.0.2.99', mac: '02:00:00:00:02:0b' }] };
    programmer.lab = lab;
    for (const name of nodes.keys()) await programNode(programmer, name);
    expect(await ping('web-a', '10.0.2.99')).toMatch(/from 10\.0\.2\.99: icmp_seq=1 ttl=63/);
  });

  it('leaves nothing to change: what the switches report is what the pipeline computes', async () => {
    for (const name of nodes.keys()) {
      const pending = await pendingChanges(lab, name, sessions, switches.get(name)!);
      expect(pending, name).toEqual([]);
    }
  });
});
