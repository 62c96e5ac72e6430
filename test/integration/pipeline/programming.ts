// What a controller member does for one node, for the pipeline tests on real OVS: the tunnels it
// asks the node's OVSDB for, and the flows and groups it sends to the node's switch, found by
// reconciling the pipeline against what the switch reports.
import { desiredFlows, desiredTunnels, reconcile } from '../../../src/controller/pipeline/index.ts';
import type { NodeSessions, WantedTunnel } from '../../../src/controller/southbound/node-sessions.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import type { OpenFlowConnection } from '../../../src/openflow/index.ts';

/** desiredTunnels of `node` as syncTunnels takes them; `bfd` overrides the pipeline's choice of
 *  BFD per remote node. */
export function wantedTunnels(lab: LogicalState, node: string, bfd: Record<string, boolean> = {}): WantedTunnel[] {
  return desiredTunnels(lab, node).map((t) => ({
    name: t.name,
    encap: t.encap,
    remoteIp: t.remoteIp,
    ...((bfd[t.remoteNode] ?? t.bfd) ? { bfd: true } : {}),
  }));
}

/** What a switch holds, as reconcile() compares it. */
export async function readBack(sw: OpenFlowConnection) {
  return { flows: await sw.flowStats(), groups: await sw.groupDesc() };
}

/** The messages that would bring the switch of `node` to the pipeline for the facts its OVSDB
 *  session reports: nothing once it is programmed. */
export async function pendingChanges(lab: LogicalState, node: string, sessions: NodeSessions, sw: OpenFlowConnection) {
  return reconcile(desiredFlows(lab, node, sessions.facts(node)), await readBack(sw));
}

/** Sends them, as a member programs a node once its tunnels and ports are there. */
export async function programFlows(lab: LogicalState, node: string, sessions: NodeSessions, sw: OpenFlowConnection): Promise<void> {
  await sw.install(await pendingChanges(lab, node, sessions, sw));
}
