// An injected trace's work on one switch, done by the member that masters it: arm (read what
// the switch holds, install the shadows), inject (a PACKET_OUT into the pipeline), count (the
// shadows' counters), disarm (remove every shadow). See docs/controller.md, "Traceflows".
import {
  act,
  flowMod,
  groupMod,
  packetOut,
  Port,
  TABLE_ALL,
  type FlowMod,
  type GroupMod,
  type OpenFlowConnection,
} from '../../openflow/index.ts';
import type { LogicalRouter } from '../../model/index.ts';
import { isTraceGroup, TRACE_COOKIE, TRACE_COOKIE_MASK, traceCookie, type NodeFacts } from '../pipeline/index.ts';
import type { Counters } from './observe.ts';
import { markMatch, type MarkKind } from './packet.ts';
import { openflowPort, portPlaces, type Place, type PlaceResources } from './places.ts';
import type { TracePlan } from './plan.ts';
import { routerPass } from './router-pass.ts';
import { deriveShadows, SHADOW_HARD_TIMEOUT_S, type ShadowRecords } from './shadow.ts';

/** After installing shadows: Open vSwitch's revalidators replace the datapath's cached flows
 *  that the marked packet would otherwise hit with their real actions (a few ms). */
export const ARM_SETTLE_MS = 30;
/** After the flush flow: the revalidators push the datapath's counts up to the shadows. */
export const FLUSH_MS = 30;
/** A table no flow goes to, for the flush flow (254 is Open vSwitch's own). */
const FLUSH_TABLE = 253;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ArmedSwitch {
  node: string;
  sw: OpenFlowConnection;
  trace: number;
  mark: MarkKind;
  records: ShadowRecords;
  /** The node's ports as the trace speaks of them. */
  places: Map<number, Place>;
}

export interface ArmInput {
  node: string;
  facts: NodeFacts;
  resources: PlaceResources;
  mark: MarkKind;
  trace: number;
  /** A trace the routers route on (router-pass.ts), with the routers it may pass. */
  routed?: { next: NonNullable<TracePlan['routed']>; routers: readonly LogicalRouter[] };
}

/** Reads what the switch holds and installs its shadows for the trace. */
export async function armSwitch(sw: OpenFlowConnection, input: ArmInput): Promise<ArmedSwitch> {
  const [flows, groups] = await Promise.all([sw.flowStats(), sw.groupDesc()]);
  const { facts } = input;
  const ports = [...facts.vmPorts.values(), ...facts.tunnelPorts.values(), ...(facts.physicalPorts?.values() ?? [])]
    .map(openflowPort)
    .sort((a, b) => a - b);
  const places = portPlaces(input.node, facts, input.resources);
  const routed = input.routed && routerPass(places, input.routed.routers, input.routed.next, input.trace);
  const shadows = deriveShadows({
    flows,
    groups,
    tunnelPorts: new Set(facts.tunnelPorts.values()),
    ...(routed ? { routerPorts: routed.ports } : {}),
    ports,
    mark: input.mark,
    trace: input.trace,
  });
  const armed: ArmedSwitch = {
    node: input.node,
    sw,
    trace: input.trace,
    mark: input.mark,
    records: { flows: shadows.flows, groups: shadows.groups },
    places,
  };
  // Whatever an earlier trace left on the switch goes first (a disarm that failed).
  const left = groups.filter((g) => isTraceGroup(g.groupId)).map((g) => g.groupId);
  try {
    await sw.install([...removeShadows(left), ...(routed?.answers ?? []), ...shadows.messages]);
  } catch (error) {
    await disarmSwitch(armed).catch(() => {}); // what did go in comes out again
    throw error;
  }
  await sleep(ARM_SETTLE_MS);
  return armed;
}

/** Sends the marked frame into the pipeline as if it came in on `inPort`. */
export async function injectFrame(sw: OpenFlowConnection, inPort: number, frame: Buffer): Promise<void> {
  await sw.install([packetOut(frame, [act.output(Port.TABLE)], inPort)]);
}

/**
 * The shadows' counters. Open vSwitch counts a packet against its rules when it first
 * translates it; a packet that hit a flow already cached in the datapath (the same trace made
 * twice within seconds) is counted there, and pushed up to the rules at the next revalidation.
 * A flow-table change starts one at once: a flush flow no packet reaches, then a short wait.
 */
export async function readCounters(armed: ArmedSwitch): Promise<Counters> {
  const { sw } = armed;
  const flush = flowMod({
    tableId: FLUSH_TABLE,
    priority: 0,
    cookie: traceCookie(armed.trace, 0xffffffff),
    match: markMatch(armed.mark),
    hardTimeout: SHADOW_HARD_TIMEOUT_S,
  });
  await sw.install([flush]);
  await sleep(FLUSH_MS);
  const [flows, groups] = await Promise.all([
    sw.flowStats({ tableId: TABLE_ALL, cookie: TRACE_COOKIE, cookieMask: TRACE_COOKIE_MASK }),
    sw.groupStats(),
  ]);
  return {
    flows: new Map(flows.map((f) => [f.cookie, f.packetCount])),
    groups: new Map(
      groups
        .filter((g) => isTraceGroup(g.groupId))
        .map((g) => [g.groupId, { packets: g.packetCount, buckets: g.buckets.map((b) => b.packetCount) }]),
    ),
  };
}

/** Every shadow flow (one delete by cookie mask) and the given shadow groups. */
export function removeShadows(groupIds: readonly number[]): (Omit<FlowMod, 'xid'> | Omit<GroupMod, 'xid'>)[] {
  return [
    flowMod({ command: 'delete', tableId: TABLE_ALL, cookie: TRACE_COOKIE, cookieMask: TRACE_COOKIE_MASK }),
    ...groupIds.filter(isTraceGroup).map((groupId) => groupMod({ command: 'delete', groupType: 'all', groupId })),
  ];
}

export async function disarmSwitch(armed: ArmedSwitch): Promise<void> {
  await armed.sw.install(removeShadows(armed.records.groups.map((g) => g.id)));
}

/** What a member left behind on a switch (it died mid-trace): removed by the node's next master. */
export async function sweepShadows(sw: OpenFlowConnection): Promise<void> {
  const groups = (await sw.groupDesc()).filter((g) => isTraceGroup(g.groupId)).map((g) => g.groupId);
  await sw.install(removeShadows(groups));
}
