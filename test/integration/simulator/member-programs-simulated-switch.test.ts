// The member's own programming path (NodeProgrammer: mastership by generation, tunnels over
// OVSDB, the node's flows by reconciliation, IS_SLAVE handling) driving a simulated switch: the
// node's OVSDB is a real ovsdb-server (no ovs-vswitchd: its br-int is the SimulatedSwitch, its
// ofports written as vswitchd would), the member's NodeSessions and OpenFlow listener are real.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { desiredFlows, desiredTunnels, reconcile } from '../../../src/controller/pipeline/index.ts';
import { smallLab } from '../../../src/controller/pipeline/test-fixtures.ts';
import { LogicalView } from '../../../src/controller/southbound/logical-view.ts';
import { LoopMetrics } from '../../../src/controller/southbound/metrics.ts';
import { NodeProgrammer } from '../../../src/controller/southbound/node-programmer.ts';
import { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import { OpenFlowController } from '../../../src/openflow/index.ts';
import { SimulatedSwitch } from '../../../src/simulator/openflow/index.ts';
import { startLocalOvs, type LocalOvs } from '../../support/local-ovs.ts';
import { freePort, until } from '../../support/southbound-node.ts';

const NODE = 'hv1';
const DPID = 0x5201n;
const VMS: [port: string, ofport: number][] = [
  ['web-a', 1],
  ['web-b', 2],
  ['db-d', 3],
];

let ovs: LocalOvs;
let sessions: NodeSessions;
let sim: SimulatedSwitch;
const controllers: OpenFlowController[] = [];
let logical: LogicalState = smallLab();
let generation = 0;
const log: string[] = [];
let lost = 0;

/** A member's node programmer, as programmer.ts makes it, on its own OpenFlow listener. */
async function member(name: string): Promise<{ nodes: NodeProgrammer; target: string; metrics: LoopMetrics }> {
  const openflow = new OpenFlowController({ requestTimeout: 30_000 });
  controllers.push(openflow);
  const target = `tcp:127.0.0.1:${await openflow.listen(0)}`;
  const metrics = new LoopMetrics(() => {});
  const nodes = new NodeProgrammer({
    me: name,
    store: { bumpGeneration: async () => ++generation },
    sessions,
    openflow,
    logical: new LogicalView({ state: () => logical }, sessions),
    metrics,
    log: (line) => log.push(`${name}: ${line}`),
    lost: () => (lost += 1),
    failed: () => {},
  });
  return { nodes, target, metrics };
}

/** Kicks a run and waits for it to end. */
async function run(nodes: NodeProgrammer): Promise<void> {
  nodes.kick(NODE);
  await until('the run', () => !nodes.isRunning(NODE));
}

/** The switch holds exactly what the pipeline computes for the node's facts now. */
const programmed = () => reconcile(desiredFlows(logical, NODE, sessions.facts(NODE)), { flows: sim.flows(), groups: sim.groups() });

beforeAll(async () => {
  ovs = await startLocalOvs({ vswitchd: false });
  await ovs.vsctl('set', 'Open_vSwitch', '.', `external_ids:system-id=${NODE}`);
  await ovs.vsctl('add-br', 'br-int', '--', 'set', 'bridge', 'br-int', `datapath_id=${DPID.toString(16).padStart(16, '0')}`);
  for (const [port, ofport] of VMS) {
    await ovs.vsctl(
      'add-port',
      'br-int',
      `vm-${port}`,
      '--',
      'set',
      'interface',
      `vm-${port}`,
      `ofport=${ofport}`,
      `external_ids:iface-id=${port}`,
    );
  }
  const ovsdbPort = await freePort();
  sessions = await NodeSessions.listen(ovsdbPort);
  await ovs.vsctl('set-manager', `tcp:127.0.0.1:${ovsdbPort}`);
  await until('the node session', () => sessions.view(NODE) && sessions.datapathId(NODE) === DPID);
  sim = new SimulatedSwitch({
    datapathId: DPID,
    ports: VMS.map(([port, ofport]) => ({ name: `vm-${port}`, ofport, mac: '02:00:00:00:01:00' })),
  });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  for (const c of controllers) await c.close().catch(() => {});
  await sessions?.close().catch(() => {});
  await ovs?.stop();
});

describe("a member's node programmer drives a simulated switch", () => {
  let m1: Awaited<ReturnType<typeof member>>;
  let m2: Awaited<ReturnType<typeof member>>;

  it('takes mastership and programs the node; its tunnels come over OVSDB', async () => {
    m1 = await member('m1');
    sim.connect([m1.target]);
    await until('the switch', () => controllers[0]!.connections.length === 1);
    await run(m1.nodes);
    expect([...m1.nodes.mastered.keys()]).toEqual([NODE]);
    expect(sim.connections()).toMatchObject([{ role: 'master' }]);
    expect(programmed()).toEqual([]);
    expect(sim.flowCount).toBeGreaterThan(10);
    expect(
      sessions
        .tunnels(NODE)
        .map((t) => t.name)
        .sort(),
    ).toEqual(
      desiredTunnels(logical, NODE)
        .map((t) => t.name)
        .sort(),
    );
  });

  it('once the tunnels have their ofports, sends only what they add; then, unchanged, sends nothing', async () => {
    const before = sim.counters.flowMods;
    const total = sim.flowCount;
    let ofport = 10;
    for (const t of desiredTunnels(logical, NODE)) await ovs.vsctl('set', 'interface', t.name, `ofport=${ofport++}`);
    await until('the tunnel ports', () => sessions.facts(NODE).tunnelPorts.size === 2);
    await run(m1.nodes);
    expect(programmed()).toEqual([]);
    const sent = sim.counters.flowMods - before;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(total);
    const again = sim.counters.flowMods;
    await run(m1.nodes);
    expect(sim.counters.flowMods).toBe(again);
  });

  it('a second member takes the node with a newer generation; the first one is refused as a slave and lets go', async () => {
    m2 = await member('m2');
    sim.connect([m1.target, m2.target]);
    await until('the switch at m2', () => controllers[1]!.connections.length === 1);
    await run(m2.nodes);
    expect(sim.connections().map((c) => c.role)).toEqual(['slave', 'master']);
    // web-b leaves hv1: m1, which still counts itself master, tries to program the change.
    logical = { ...logical, ports: logical.ports.map((p) => (p.name === 'web-b' ? { ...p, node: 'hv2' } : p)) };
    const refusedBefore = sim.connections()[0]!.refused;
    await run(m1.nodes);
    expect(lost).toBe(1);
    expect(m1.nodes.mastered.has(NODE)).toBe(false);
    expect(sim.connections()[0]!.refused).toBeGreaterThan(refusedBefore);
    expect(programmed()).not.toEqual([]);
    await run(m2.nodes);
    expect(programmed()).toEqual([]);
  });

  it('re-reads its switch as fingerprints while it is as left; a switch emptied behind its back is decoded and repaired', async () => {
    const conn = controllers[1]!.connections[0]!;
    const reads = vi.spyOn(conn, 'multipartFrames');
    const flowReads = () => reads.mock.calls.filter(([body]) => body.kind === 'flow').length;
    const verify = async () => {
      m2.nodes.mastered.get(NODE)!.verifyAt = 0; // due now (every ~30 s otherwise)
      await run(m2.nodes);
    };
    await verify(); // the first read since the last change decodes the switch once
    expect(flowReads()).toBe(1);
    const sent = sim.counters.flowMods;
    const before = { ...m2.metrics.switchReads };
    await verify();
    await verify();
    expect(flowReads()).toBe(3);
    expect(m2.metrics.switchReads).toEqual({ decoded: before.decoded, fingerprints: before.fingerprints + 2 });
    expect(sim.counters.flowMods).toBe(sent);
    sim.clear();
    await verify();
    expect(m2.metrics.switchReads).toEqual({ decoded: before.decoded + 1, fingerprints: before.fingerprints + 2 });
    expect(sim.flowCount).toBeGreaterThan(10);
    expect(programmed()).toEqual([]);
  });
});
