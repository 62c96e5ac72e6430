// The pipeline's desired state, as a member programs a node (reconcile against what the switch
// reports, then send the difference), into a real ovs-vswitchd and into a simulated switch side
// by side: both take it without an error and hold the same, and reconciling again sends nothing
// to either. A logical change then goes in as the same difference to both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredFlows, reconcile, reconcileMeters, type DesiredFlows } from '../../../src/controller/pipeline/index.ts';
import {
  benchLab,
  distributedLab,
  factsOf,
  gatewayLab,
  routerLab,
  securityLab,
  serviceLab,
  smallLab,
} from '../../../src/controller/pipeline/test-fixtures.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import {
  flowMod,
  groupMod,
  Group,
  Meter,
  meterMod,
  TABLE_ALL,
  type FlowStatsFilter,
  type OpenFlowConnection,
} from '../../../src/openflow/index.ts';
import { flowLine, outcome, startSideBySide, table, type Side, type SideBySide } from './sim-vs-ovs.ts';

let s: SideBySide;

beforeAll(async () => {
  s = await startSideBySide();
});

afterAll(async () => {
  await s?.stop();
});

const pair = <T>(f: (side: Side) => Promise<T>): Promise<[T, T]> => Promise.all([f(s.real), f(s.simulated)]);

/** What a member sends a node's switch: meters to add or change, the flow and group
 *  difference, meters to delete; computed against what the switch reports. */
async function changes(sw: OpenFlowConnection, desired: DesiredFlows) {
  const [flows, groups, meters] = await Promise.all([sw.flowStats(), sw.groupDesc(), sw.meterConfig()]);
  const m = reconcileMeters(desired.meters ?? [], meters);
  return [...m.before, ...reconcile(desired, { flows, groups }), ...m.after];
}

const wipe = [
  flowMod({ command: 'delete', tableId: TABLE_ALL }),
  groupMod({ command: 'delete', groupId: Group.ALL, groupType: 'all' }),
  meterMod({ command: 'delete', meterId: Meter.ALL, flags: 0 }),
];

/** Programs `desired` into both switches as a member does; what each was sent, by kind. */
async function program(desired: DesiredFlows) {
  const sent = await pair(async (side) => {
    const msgs = await changes(side.a, desired);
    expect(await outcome(side.a, msgs), `${side.name} refused`).toEqual([]);
    return msgs.map((m) => m.type);
  });
  expect(sent[1]).toEqual(sent[0]);
  const [realTable, simTable] = await pair((side) => table(side.a));
  expect(simTable).toEqual(realTable);
  return sent[0];
}

const LABS: [string, () => LogicalState, string][] = [
  ['small lab', smallLab, 'hv1'],
  ['security groups and QoS (conntrack, meters)', securityLab, 'hv1'],
  ['service nodes', serviceLab, 'sn1'],
  ['service nodes', serviceLab, 'hv1'],
  ['distributed routers', distributedLab, 'hv1'],
  ['distributed routers', distributedLab, 'gw1'],
  ['centralized routers', routerLab, 'gw1'],
  ['centralized routers', routerLab, 'hv2'],
  ['L2 gateway (learn)', gatewayLab, 'gw1'],
  ["bench:pipeline's 20 hypervisors", benchLab, 'hv3'],
];

describe("the pipeline's desired state on a simulated switch and on ovs-vswitchd", () => {
  it.each(LABS)('%s, node %s: programmed alike, then reconciling sends nothing to either', async (_name, lab, node) => {
    await pair((side) => side.a.install(wipe));
    const desired = desiredFlows(lab(), node, factsOf(lab(), node));
    const before = s.sim.counters.flowMods;
    const sent = await program(desired);
    expect(sent.filter((t) => t === 'flow_mod')).toHaveLength(desired.flows.length);
    expect(s.sim.counters.flowMods - before).toBe(desired.flows.length);
    expect(sent.filter((t) => t === 'meter_mod')).toHaveLength(desired.meters?.length ?? 0);

    const again = await pair((side) => changes(side.a, desired));
    expect(again).toEqual([[], []]);
    // The simulator's own reading of its table agrees with what it reports on the wire.
    expect(reconcile(desired, { flows: s.sim.flows(), groups: s.sim.groups() })).toEqual([]);
    expect(desired.flows.every((f) => s.sim.hasFlow(f))).toBe(true);
    expect(s.sim.flowCount).toBe(desired.flows.length);
  });

  it('a logical change goes in as the same difference to both, and nothing after it', async () => {
    const lab = securityLab();
    await pair((side) => side.a.install(wipe));
    await program(desiredFlows(lab, 'hv1', factsOf(lab, 'hv1')));
    // web-b leaves hv1 for hv2, web-a loses its QoS, a new port arrives on hv1.
    const next: LogicalState = {
      ...lab,
      ports: [
        ...lab.ports.map((p) => (p.name === 'web-b' ? { ...p, node: 'hv2' } : p.name === 'web-a' ? { ...p, qos: undefined } : p)),
        { name: 'web-n', switch: 'web', mac: '02:00:00:00:00:1e', ip: '10.0.0.30', node: 'hv1', securityGroups: ['admin'] },
      ],
    };
    const desired = desiredFlows(next, 'hv1', factsOf(next, 'hv1'));
    const sent = await program(desired);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(desired.flows.length);
    expect(sent).toContain('meter_mod'); // web-a's meter deleted
    expect(await pair((side) => changes(side.a, desired))).toEqual([[], []]);
    expect(reconcile(desired, { flows: s.sim.flows(), groups: s.sim.groups() })).toEqual([]);
    expect(s.sim.meters().map((m) => m.meterId)).toEqual((desired.meters ?? []).map((m) => m.meterId).sort((a, b) => a - b));
  });

  it('flow stats and aggregates with filters (table, cookie mask, out_port, out_group, match), group and meter stats: alike', async () => {
    const lab = securityLab();
    await pair((side) => side.a.install(wipe));
    const desired = desiredFlows(lab, 'hv1', factsOf(lab, 'hv1'));
    await program(desired);
    const kind = desired.flows[Math.floor(desired.flows.length / 2)]!.cookie & (0xffn << 56n);
    const group = desired.groups[0]!.groupId;
    const filters: Partial<FlowStatsFilter>[] = [
      { tableId: desired.flows[0]!.tableId },
      { tableId: TABLE_ALL, cookie: kind, cookieMask: 0xffn << 56n },
      { outPort: 1 },
      { outGroup: group },
      { match: [{ field: 'metadata', value: 100n }] },
      { tableId: 200 },
    ];
    const counts: number[] = [];
    for (const filter of filters) {
      const [real, sim] = await pair(async (side) => (await side.a.flowStats(filter)).map(flowLine).sort());
      expect(
        sim,
        JSON.stringify(filter, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v)),
      ).toEqual(real);
      const [ra, sa] = await pair((side) => side.a.aggregate(filter));
      expect(sa).toEqual(ra);
      expect(ra.flowCount).toBe(real.length);
      counts.push(real.length);
    }
    expect(counts.map((n) => n > 0)).toEqual([true, true, true, true, true, false]); // table 200 is empty
    const [rg, sg] = await pair(async (side) => (await side.a.groupStats()).map((g) => [g.groupId, g.buckets.length, g.packetCount]));
    expect(sg).toEqual(rg);
    expect(rg).toHaveLength(desired.groups.length);
    const [rm, sm] = await pair(async (side) => (await side.a.meterStats()).map((m) => [m.meterId, m.bands.length]));
    expect(sm).toEqual(rm);
    expect(rm.length).toBeGreaterThan(0);
    const [rc, sc] = await pair((side) => side.a.meterConfig(desired.meters![0]!.meterId));
    expect(sc).toEqual(rc);
  });
});
