// The operations tools' status on a real lab: three hypervisors and a service node, three members.
// Tunnels up with BFD where it runs, as every member sees them; a ping counted on its tunnel and
// at its port both ways; `nvlab status` naming every node and port; a killed service node's
// tunnels shown BFD down on the hypervisors, which notice by themselves.
import { beforeAll, describe, expect, test } from 'vitest';
import { labNorthbound } from '../../../src/app/ports.ts';
import { labStatus } from '../../../src/app/status/index.ts';
import { readApiCredentials } from '../../../src/app/lab-state.ts';
import { memberClient, unwrap, type NorthboundClient } from '../../../src/northbound-client/index.ts';
import { LabStatusSchema, type TransportNodeStatus, type TunnelStatus } from '../../../src/model/index.ts';
import type { LabGraph } from '../../../src/graph/index.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, nvlab, runtime } from './support.ts';

const testLab = useLab(labTopology('status.yaml'));
const lab = testLab.name;
const NODES = ['hv1', 'hv2', 'hv3', 'sn1'];
const PORTS = ['app1', 'app3', 'web1', 'web2', 'web3'];
let api: NorthboundClient;

const nodeStatus = async (node: string) => unwrap(await api.transportNodeStatus(node));
const tunnelTo = (s: TransportNodeStatus, remote: string): TunnelStatus | undefined => s.tunnels.find((t) => t.remote === remote);

async function ping(from: string, on: string, ip: string, count: number): Promise<boolean> {
  const cmd = ['ip', 'netns', 'exec', from, 'ping', '-c', String(count), '-i', '0.2', '-W', '2', ip];
  return (await runtime.exec(testLab.container(on), cmd)).exitCode === 0;
}

beforeAll(async () => {
  api = await labNorthbound(runtime, lab);
});

describe('status of a lab with a service node', () => {
  test('every tunnel is up, BFD up and forwarding on those to and from the service node only, and every member sees the same', async () => {
    // BFD takes a few of its 100 ms rounds to come up after the tunnels are made, and a member
    // that is not a node's master may connect to it a little after the deploy has ended.
    const all = await eventually(
      () => Promise.all(NODES.map(nodeStatus)),
      (list) =>
        list.every(
          (s) => s.connected.ovsdb && s.connected.openflow && s.tunnels.every((t) => t.link === 'up' && (!t.bfd || t.bfd.state === 'up')),
        ),
      10_000,
    );
    const remotes = Object.fromEntries(all.map((s) => [s.node, s.tunnels.map((t) => t.remote).sort()]));
    expect(remotes).toEqual({
      hv1: ['hv2', 'hv3', 'sn1'],
      hv2: ['hv1', 'hv3', 'sn1'],
      hv3: ['hv1', 'hv2', 'sn1'],
      sn1: ['hv1', 'hv2', 'hv3'],
    });
    for (const s of all) {
      expect(s).toMatchObject({ connected: { ovsdb: true, openflow: true }, master: { member: expect.any(String) } });
      expect(s.flows).toBeGreaterThan(0);
      for (const t of s.tunnels) {
        expect(t, `${s.node} ${t.interface}`).toMatchObject({ encap: 'geneve', key: 'flow', link: 'up' });
        if (s.node === 'sn1' || t.remote === 'sn1')
          expect(t.bfd, `${s.node} ${t.interface}`).toMatchObject({ state: 'up', forwarding: true });
        else expect(t.bfd, `${s.node} ${t.interface}`).toBeUndefined();
      }
    }
    // The master knows whether it programmed the node; every member reads the same switch.
    const ips = testLab.plan.controllers.kind === 'builtin' ? testLab.plan.controllers.members.map((m) => m.mgmtIp) : [];
    const credentials = await readApiCredentials(lab);
    const seen = await Promise.all(
      ips.map(async (ip) => unwrap(await memberClient(ip, { ...(credentials ? { credentials } : {}) }).transportNodeStatus('hv1'))),
    );
    expect(new Set(seen.map((s) => s.member)).size).toBe(3);
    for (const s of seen)
      expect(s.tunnels.map((t) => `${t.interface} ${t.link} ${t.bfd?.state}`)).toEqual(
        all[0]!.tunnels.map((t) => `${t.interface} ${t.link} ${t.bfd?.state}`),
      );
    expect(seen.filter((s) => s.programmed !== undefined)).toEqual([
      expect.objectContaining({ member: all[0]!.master!.member, programmed: true }),
    ]);
  });

  test('a ping is counted on the tunnel it crossed and at its port, both ways, and in its flows', async () => {
    const [hv1Before, statsBefore] = await Promise.all([nodeStatus('hv1'), api.logicalPortStatistics('web1').then(unwrap)]);
    expect(await ping('web1', 'hv1', '10.0.1.12', 3)).toBe(true);
    // Tunnel and flow counters come from the datapath's flows, which OVS's revalidators read
    // about every 500 ms; a VM's port counters are the kernel's, at once.
    const grown = async () => {
      const [hv1, stats, port] = await Promise.all([
        nodeStatus('hv1'),
        api.logicalPortStatistics('web1').then(unwrap),
        api.logicalPortStatus('web1').then(unwrap),
      ]);
      const [before, after] = [tunnelTo(hv1Before, 'hv2')!, tunnelTo(hv1, 'hv2')!];
      const more = (a?: { packets: number }, b?: { packets: number }) => (b?.packets ?? 0) - (a?.packets ?? 0);
      // rx: what the VM sent (3 requests), tx: what it was sent (3 replies); its classify flow
      // took the requests in, its delivery flow handed it the replies, which hv2's flow towards
      // it had sent (nothing else went to web1 from hv2).
      return {
        'tunnel to hv2, tx': more(before.tx, after.tx),
        'tunnel to hv2, rx': more(before.rx, after.rx),
        'web1 rx': more(statsBefore.rx, stats.rx),
        'web1 tx': more(statsBefore.tx, stats.tx),
        'web1 classify': more(statsBefore.classify, stats.classify),
        'web1 delivery': more(statsBefore.delivery, stats.delivery),
        "hv2's flow to web1": port.flows.find((f) => f.node === 'hv2' && f.kind === 'remote')?.packets ?? 0,
      };
    };
    const counted = await eventually(grown, (c) => Object.values(c).every((n) => n >= 3), 5000);
    for (const [what, n] of Object.entries(counted)) expect(n, what).toBeGreaterThanOrEqual(3);
    const stats = unwrap(await api.logicalPortStatistics('web1'));
    expect(stats).toMatchObject({ node: 'hv1', plugged: true, interface: 'vm-web1' });
    const port = unwrap(await api.logicalPortStatus('web1'));
    expect(port).toMatchObject({ switch: 'web', node: 'hv1', plugged: true, up: true });
    expect(port.flows.map((f) => `${f.node} ${f.kind}`).sort()).toEqual(['hv1 classify', 'hv1 deliver', 'hv2 remote', 'hv3 remote']);
  });

  test('nvlab status --format json names every node and port, and its table shows them; NODE narrows it', async () => {
    const started = Date.now();
    const inProcess = await labStatus(runtime, lab);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(inProcess.nodes.map((n) => n.node)).toEqual(NODES);
    const json = await nvlab(['status', '-l', lab, '--format', 'json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const status = LabStatusSchema.parse(JSON.parse(json.stdout));
    expect(status.lab).toBe(lab);
    expect(status.members.map((m) => [m.name, m.live])).toEqual([
      ['ctrl1', true],
      ['ctrl2', true],
      ['ctrl3', true],
    ]);
    expect(status.members.filter((m) => m.raft === 'leader')).toHaveLength(1);
    expect(status.members.flatMap((m) => m.masterOf).sort()).toEqual(NODES);
    expect(status.nodes.map((n) => n.node)).toEqual(NODES);
    expect(status.nodes.every((n) => !('error' in n) && n.programmed === true)).toBe(true);
    expect(status.ports.map((p) => p.port)).toEqual(PORTS);
    expect(status.ports.every((p) => !('error' in p) && p.plugged && p.up)).toBe(true);
    const table = await nvlab(['status', '-l', lab, 'hv2']);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ {2}hv2 +hypervisor +ctrl\d \(gen \d+\) +ovsdb,openflow +yes /m);
    expect(table.stdout).toMatch(/^ {2}hv2 +tun-sn1-gnv +sn1 +geneve +flow +up +up /m);
    expect(table.stdout).toMatch(/^ {2}web2 +web +hv2 +yes +up /m);
    expect(table.stdout).not.toMatch(/^ {2}web1 /m);
    const unknown = await nvlab(['status', '-l', lab, 'hv9']);
    expect([unknown.exitCode, unknown.stderr]).toEqual([2, expect.stringContaining(`lab ${lab} has no transport node hv9`)]);
  });

  test('nvlab graph LAB draws it live: every member with its Raft role, every node up, its tunnels as the nodes report them; GET /members agrees', async () => {
    const members = (await api.members().then(unwrap)).items;
    expect(members.map((m) => [m.name, m.live, m.error])).toEqual([
      ['ctrl1', true, undefined],
      ['ctrl2', true, undefined],
      ['ctrl3', true, undefined],
    ]);
    expect(members.filter((m) => m.raft === 'leader')).toHaveLength(1);
    const r = await nvlab(['graph', lab, '--format', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const graph = JSON.parse(r.stdout) as LabGraph;
    expect(graph.readAt).toEqual(expect.any(String));
    const states = (kind: string) => Object.fromEntries(graph.nodes.filter((n) => n.kind === kind).map((n) => [n.name, n.state]));
    expect(states('member')).toEqual({ ctrl1: 'up', ctrl2: 'up', ctrl3: 'up' });
    expect(states('transport-node')).toEqual({ hv1: 'up', hv2: 'up', hv3: 'up', sn1: 'up' });
    expect(states('port')).toEqual(Object.fromEntries(PORTS.map((p) => [p, 'up'])));
    const tunnels = graph.edges.filter((e) => e.kind === 'tunnel');
    expect(tunnels).toHaveLength(6);
    expect(tunnels.every((t) => t.state === 'up')).toBe(true);
  });

  test("a killed service node's tunnels show BFD down on every hypervisor, and the node not connected", async () => {
    await runtime.kill(testLab.container('sn1'));
    const hvs = await eventually(
      () => Promise.all(['hv1', 'hv2', 'hv3'].map(nodeStatus)),
      (list) => list.every((s) => tunnelTo(s, 'sn1')?.bfd?.state === 'down'),
      5000,
    );
    for (const s of hvs) {
      expect(tunnelTo(s, 'sn1')?.bfd, s.node).toMatchObject({ state: 'down', forwarding: false });
      // Their other tunnels carry on.
      for (const t of s.tunnels.filter((t) => t.remote !== 'sn1')) expect(t.link, `${s.node} ${t.interface}`).toBe('up');
    }
    const sn1 = await eventually(
      () => nodeStatus('sn1'),
      (s) => !s.connected.ovsdb && !s.connected.openflow,
      5000,
    );
    expect(sn1).toMatchObject({ connected: { ovsdb: false, openflow: false }, tunnels: [] });
    // The graph draws it down, with every tunnel to it.
    const graph = JSON.parse((await nvlab(['graph', lab, '--format', 'json'])).stdout) as LabGraph;
    expect(graph.nodes.find((n) => n.id === 'transport-node:sn1')?.state).toBe('down');
    const toSn1 = graph.edges.filter((e) => e.kind === 'tunnel' && e.id.includes(':sn1:'));
    expect(toSn1.map((e) => e.state)).toEqual(['down', 'down', 'down']);
  });
});
