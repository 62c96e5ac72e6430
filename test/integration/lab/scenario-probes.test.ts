// The probes the scenario driver uses, on a real lab: one marked frame counted by capture at
// every port and on the source's underlay (on each encap), continuous pings accounted packet by
// packet, and the artifacts saved after a failure.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { collectArtifacts } from '../../../src/app/lab-driver/artifacts.ts';
import type { LabGraph } from '../../../src/graph/index.ts';
import { floodOnce, resolveCapturePoint, type FloodCapture } from '../../../src/app/lab-driver/flood.ts';
import { startTraffic } from '../../../src/app/lab-driver/background-pings.ts';
import { NvlabError } from '../../../src/util/errors.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';

const probed = useLab(labTopology('scenario-probes.yaml'));
const lab = probed.name;
const container = probed.container;
const ALL = ['web1', 'web2', 'web3', 'app1', 'app2', 'app3', 'db1', 'db2', 'printer'];
let lastCaptures: FloodCapture[] = [];

async function reaches(from: string, ip: string): Promise<boolean> {
  const home = (await resolveCapturePoint(runtime, lab, from)).container;
  return (await runtime.exec(home, ['ip', 'netns', 'exec', from, 'ping', '-c', '1', '-W', '1', ip])).exitCode === 0;
}

beforeAll(async () => {
  // Flooding is judged on a programmed lab: each switch's tunnels carry traffic both ways.
  const ready = () =>
    Promise.all([reaches('web1', '10.0.1.12'), reaches('web1', '10.0.1.13'), reaches('app1', '10.0.1.13'), reaches('db1', '10.0.3.12')]);
  expect(await eventually(ready, (r) => r.every(Boolean), 20_000)).toEqual([true, true, true, true]);
});

describe('capture points', () => {
  test('a port is its namespace on the hypervisor hosting it; a wrong name is an error naming it', async () => {
    expect(await resolveCapturePoint(runtime, lab, 'web2')).toEqual({
      label: 'web2',
      container: container('hv2'),
      netns: 'web2',
      iface: 'eth0',
    });
    await expect(resolveCapturePoint(runtime, lab, 'web9')).rejects.toThrow(/web9/);
    await expect(resolveCapturePoint(runtime, lab, 'hv1')).rejects.toBeInstanceOf(NvlabError);
  });
});

describe('one marked frame, counted by capture', () => {
  test('broadcast (geneve): one copy at each other port of the switch, none elsewhere nor back at the sender; one copy per other hypervisor left the source', async () => {
    const result = await floodOnce(runtime, lab, { from: 'web1', frame: 'broadcast', watch: ALL });
    lastCaptures = result.captures;
    expect(result.copies).toEqual({ web1: 0, web2: 1, web3: 1, app1: 0, app2: 0, app3: 0, db1: 0, db2: 0, printer: 0 });
    expect(result.fromSource).toBe(2);
    expect(result.captures.map((c) => c.label)).toEqual([...ALL, 'hv1-underlay']);
  });

  test('unknown unicast (vxlan): flooded to every other port of its switch through one tunnel packet; nothing reaches another switch', async () => {
    const result = await floodOnce(runtime, lab, { from: 'app1', frame: 'unknown-unicast', watch: ALL });
    expect(result.copies).toEqual({ web1: 0, web2: 0, web3: 0, app1: 0, app2: 1, app3: 1, db1: 0, db2: 0, printer: 0 });
    expect(result.fromSource).toBe(1);
  });

  test('multicast (gre) from db2: db1 gets it once, through one tunnel packet', async () => {
    const result = await floodOnce(runtime, lab, { from: 'db2', frame: 'multicast', watch: ALL });
    expect(result.copies).toEqual({ web1: 0, web2: 0, web3: 0, app1: 0, app2: 0, app3: 0, db1: 1, db2: 0, printer: 0 });
    expect(result.fromSource).toBe(1);
  });
});

describe('physical hosts', () => {
  test('a host is its container and its tagged NIC; its broadcast reaches the other host on the segment, and no VM', async () => {
    expect(await resolveCapturePoint(runtime, lab, 'printer')).toEqual({
      label: 'printer',
      container: container('printer'),
      iface: 'eth0.10',
    });
    const result = await floodOnce(runtime, lab, { from: 'printer', frame: 'broadcast', watch: ['pc', 'printer', 'web1'] });
    expect(result.copies).toEqual({ pc: 1, printer: 0, web1: 0 });
    expect(result.fromSource).toBe(0); // no gateway on this segment: nothing enters the overlay
  });
});

describe('continuous pings', () => {
  test('with nothing disrupted every packet sent is answered, and no ping is left behind', async () => {
    const traffic = await startTraffic(runtime, lab, { from: 'web1', to: 'web2', ip: '10.0.1.12', intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 1500));
    const stats = await traffic.stop();
    expect(stats.sent).toBeGreaterThan(100);
    expect(stats).toMatchObject({ lost: 0, received: stats.sent, outages: [] });
    const left = await runtime.exec(container('hv1'), ['sh', '-c', 'pgrep -a ping; pgrep -a tcpdump; ls /tmp | grep nvlab-; true']);
    expect(left.stdout.trim()).toBe('');
  });

  test('a target that does not exist starts fine and loses every packet, as one outage', async () => {
    const traffic = await startTraffic(runtime, lab, { from: 'web1', ip: '10.0.1.99', intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 500));
    const stats = await traffic.stop();
    expect(stats.sent).toBeGreaterThan(10);
    expect(stats.received).toBe(0);
    expect(stats.outages).toEqual([expect.objectContaining({ firstSeq: 1, lost: stats.sent })]);
  });
});

describe('artifacts', () => {
  // Runs last, on what the tests before left: it saves the broadcast test's captures, and it
  // stops hv3.
  test('per node its OVS state, flows, groups and logs; per member its logs; the captures; a stopped node gets a note', async () => {
    await runtime.stop(container('hv3'));
    const dir = join(await mkdtemp(join(tmpdir(), 'nvlab-artifacts-')), 'scenario');
    const { files } = await collectArtifacts(runtime, lab, dir, { captures: lastCaptures });
    const rel = files.map((f) => f.slice(dir.length + 1)).sort();
    for (const hv of ['hv1', 'hv2']) {
      for (const f of [
        'ovs-vsctl-show.txt',
        'ovsdb-bridge.txt',
        'ovsdb-interface.txt',
        'ovsdb-controller.txt',
        'flows-br-int.txt',
        'groups-br-int.txt',
        'flows-br-phy.txt',
        'ovs-vswitchd.log',
      ]) {
        expect(rel).toContain(`${hv}/${f}`);
      }
    }
    expect(rel.filter((f) => f.startsWith('hv3/'))).toEqual(['hv3/NOTE.txt']);
    for (const m of ['ctrl1', 'ctrl2', 'ctrl3']) expect(rel).toContain(`${m}/controller.log`);
    expect(rel).toContain('captures/hv1-underlay.pcap');
    expect(rel).toContain('nodes.txt');
    // The lab's live graph, read first: every transport node drawn, as a page and as JSON.
    expect(rel).toEqual(expect.arrayContaining(['graph.html', 'graph.json']));
    const graph = JSON.parse(await readFile(join(dir, 'graph.json'), 'utf8')) as LabGraph;
    expect(
      graph.nodes
        .filter((n) => n.kind === 'transport-node')
        .map((n) => n.name)
        .sort(),
    ).toEqual(['hv1', 'hv2', 'hv3']);
    expect(graph.readAt).toEqual(expect.any(String));
    expect(await readFile(join(dir, 'graph.html'), 'utf8')).toMatch(/<svg[^>]*>[\s\S]*data-id="transport-node:hv1"/);
    expect(await readFile(join(dir, 'hv1', 'flows-br-int.txt'), 'utf8')).toMatch(/table=\d+/);
    expect(await readFile(join(dir, 'hv3', 'NOTE.txt'), 'utf8')).toMatch(/exited/);
    expect((await readFile(join(dir, 'captures', 'web2.pcap'))).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect((await readdir(join(dir, 'captures'))).length).toBe(ALL.length + 1);
  });
});
