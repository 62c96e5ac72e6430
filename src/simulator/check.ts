// Whether simulated transport nodes hold what the controller should have given them: exactly the
// flows and groups the pipeline computes for each from the cluster's logical state and the node's
// own facts (its OpenFlow ports), and the tunnels it computes. Pure: the caller reads the state
// (from the API) and the nodes (from the simulator). A mismatch is counted by kind, per node.
import {
  desiredFlows,
  desiredTunnels,
  expectedPorts,
  PipelineMemo,
  reconcile,
  type ActualFlow,
  type NodeFacts,
} from '../controller/pipeline/index.ts';
import { LogicalView } from '../controller/southbound/logical-view.ts';
import type { LogicalState } from '../model/index.ts';
import type { GroupDesc } from '../openflow/index.ts';

/** A tunnel as the node's database has it. */
export interface HeldTunnel {
  name: string;
  /** The Interface's type: geneve, vxlan, gre. */
  type: string;
  remoteIp: string;
}

/** A flow table that counts its flows and looks one up without decoding them all (a simulated
 *  switch keeps them encoded); `all` decodes them, for counting what differs. */
export interface FlowTableView {
  count: number;
  has(flow: ActualFlow): boolean;
  all(): readonly ActualFlow[];
}

/** What one node holds, as the check reads it. */
export interface NodeHolding {
  name: string;
  /** Its OpenFlow ports (VIFs by iface-id, tunnels by name), as its database reports them. */
  facts: NodeFacts;
  tunnels: readonly HeldTunnel[];
  flows: readonly ActualFlow[] | FlowTableView;
  groups: readonly GroupDesc[];
}

export type ComparedFlow = ActualFlow;

/** How far one node is from correct; every count 0 means correct. */
export interface NodeMismatch {
  node: string;
  /** Flows to add (missing, or another cookie or timeouts), to modify (other instructions), to delete. */
  flowsMissing: number;
  flowsChanged: number;
  flowsExtra: number;
  /** Groups to add, modify, delete. */
  groupsMissing: number;
  groupsChanged: number;
  groupsExtra: number;
  /** Tunnels missing, extra or of another type or remote. */
  tunnels: number;
  /** Wanted VIFs and tunnels without an OpenFlow port yet. */
  portsMissing: number;
}

/** Every OpenFlow table: a flow anywhere the pipeline puts none is one too many. */
const ALL_TABLES = Array.from({ length: 255 }, (_, i) => i);

export interface FleetCheck {
  checked: number;
  /** The nodes that are not correct, by name. */
  wrong: NodeMismatch[];
}

/**
 * Checks nodes against the pipeline. One PipelineMemo per node, kept between checks, so a check
 * after a small change costs what changed (the member's own trick): the desired flows come back
 * as the same objects, whose canonical keys are cached.
 */
export class Checker {
  private readonly memos = new Map<string, PipelineMemo>();
  private state: LogicalState = { nodes: [], switches: [], ports: [] };
  private facts: ReadonlyMap<string, NodeFacts> = new Map();
  // The member's own view (logical-view.ts), kept so that an unchanged state and unchanged facts
  // give the very same object, on which the pipeline caches what it derives for all nodes.
  private readonly view = new LogicalView(
    { state: () => this.state },
    {
      view: (n) => (this.facts.has(n) ? ({} as never) : undefined),
      facts: (n) => this.facts.get(n)!,
      underlayMac: () => undefined,
    },
  );

  /**
   * The logical state as a member programs from it: a port whose node is among `nodes` and does
   * not report its VIF yet is down, and no other node gets a flow towards it.
   */
  programmedState(state: LogicalState, nodes: ReadonlyMap<string, NodeFacts>): LogicalState {
    this.state = state;
    this.facts = nodes;
    return this.view.current();
  }

  /** How `node` differs from what the pipeline computes for it; undefined when it is correct. */
  check(logical: LogicalState, node: NodeHolding): NodeMismatch | undefined {
    let memo = this.memos.get(node.name);
    if (!memo) this.memos.set(node.name, (memo = new PipelineMemo()));
    const desired = desiredFlows(logical, node.name, node.facts, memo);
    // Flows found equal the fast way are left out of the comparison: only groups remain.
    const same = sameFlows(desired.flows, node.flows);
    const changes = reconcile(
      same ? { flows: [], groups: desired.groups } : desired,
      { flows: same ? [] : flowList(node.flows), groups: node.groups },
      { tables: ALL_TABLES, ownsGroup: () => true },
    );
    const m: NodeMismatch = {
      node: node.name,
      flowsMissing: 0,
      flowsChanged: 0,
      flowsExtra: 0,
      groupsMissing: 0,
      groupsChanged: 0,
      groupsExtra: 0,
      tunnels: tunnelDifference(logical, node),
      portsMissing: missingPorts(logical, node),
    };
    for (const c of changes) {
      if ('groupId' in c) {
        if (c.command === 'add') m.groupsMissing++;
        else if (c.command === 'modify') m.groupsChanged++;
        else m.groupsExtra++;
      } else if (c.command === 'add') m.flowsMissing++;
      else if (c.command === 'modify_strict') m.flowsChanged++;
      else m.flowsExtra++;
    }
    return mismatches(m) === 0 ? undefined : m;
  }

  /** Checks every node against one state (made from `state` as the members see it). */
  checkAll(state: LogicalState, nodes: readonly NodeHolding[]): FleetCheck {
    const logical = this.programmedState(state, new Map(nodes.map((n) => [n.name, n.facts])));
    const wrong: NodeMismatch[] = [];
    for (const node of nodes) {
      const m = this.check(logical, node);
      if (m) wrong.push(m);
    }
    return { checked: nodes.length, wrong };
  }

  /** Forgets a node's memo (it left the lab). */
  forget(node: string): void {
    this.memos.delete(node);
  }
}

const flowList = (flows: NodeHolding['flows']): readonly ActualFlow[] => ('all' in flows ? flows.all() : flows);

/** Whether a table that looks flows up holds exactly `desired` (as many, each one there): the
 *  fast answer; a plain list, or a table that differs, is compared flow by flow. */
function sameFlows(desired: readonly ActualFlow[], held: NodeHolding['flows']): boolean {
  if (!('has' in held)) return false;
  return held.count === desired.length && desired.every((f) => held.has(f));
}

/** How many things are wrong on a node, all kinds together. */
export function mismatches(m: NodeMismatch): number {
  return m.flowsMissing + m.flowsChanged + m.flowsExtra + m.groupsMissing + m.groupsChanged + m.groupsExtra + m.tunnels + m.portsMissing;
}

/** Tunnels missing, extra, or of another type or remote than the pipeline's. */
function tunnelDifference(logical: LogicalState, node: NodeHolding): number {
  const want = new Map(desiredTunnels(logical, node.name).map((t) => [t.name, t]));
  let wrong = 0;
  for (const t of node.tunnels) {
    const w = want.get(t.name);
    if (!w || w.encap !== t.type || w.remoteIp !== t.remoteIp) wrong++;
    want.delete(t.name);
  }
  return wrong + want.size;
}

/** Wanted VIFs and tunnels the node reports no OpenFlow port for (their flows cannot be there). */
function missingPorts(logical: LogicalState, node: NodeHolding): number {
  const { vmPorts } = expectedPorts(logical, node.name);
  const vifs = vmPorts.filter((p) => !node.facts.vmPorts.has(p)).length;
  const tunnels = desiredTunnels(logical, node.name).filter((t) => !node.facts.tunnelPorts.has(t.name)).length;
  return vifs + tunnels;
}

/** One line per wrong node (the first `limit`), for a report. */
export function describeMismatches(wrong: readonly NodeMismatch[], limit = 10): string[] {
  const kinds: [keyof NodeMismatch, string][] = [
    ['flowsMissing', 'flows missing'],
    ['flowsChanged', 'flows changed'],
    ['flowsExtra', 'flows extra'],
    ['groupsMissing', 'groups missing'],
    ['groupsChanged', 'groups changed'],
    ['groupsExtra', 'groups extra'],
    ['tunnels', 'tunnels wrong'],
    ['portsMissing', 'ports without ofport'],
  ];
  const lines = wrong.slice(0, limit).map((m) => {
    const parts = kinds.filter(([k]) => (m[k] as number) > 0).map(([k, what]) => `${m[k] as number} ${what}`);
    return `${m.node}: ${parts.join(', ')}`;
  });
  if (wrong.length > limit) lines.push(`... and ${wrong.length - limit} more nodes`);
  return lines;
}
