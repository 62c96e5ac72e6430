// Arming a node for an injected trace: shadow copies of the flows and groups its switch really
// holds now (a flow deleted by hand is missing from the shadows too), which only the marked
// packet matches, above every priority of the pipeline. A shadow does what its flow does, except
// that it never hands the packet to anything: outputs to a VM, a gateway's NIC or LOCAL are taken
// out (and remembered as where the packet would have been delivered), outputs to the controller (a
// reject rule's) and `learn` are taken out, and groups become shadow groups of the same type and
// watch ports. Outputs into tunnels stay: the
// marked packet really crosses the underlay, and the far node's shadows see it. Outputs to a
// router's ports stay where the trace asks for it (a routed IPv4 packet): the router's namespace
// routes it like any packet, keeping its DSCP, and the shadows see it come back out of the router.
// Pure: the switch's flows and groups in, flow-mods, group-mods and what each shadow stands for out.
import type { Action, Bucket, GroupDesc, GroupType, Instruction, OxmField } from '../../openflow/index.ts';
import { flowMod, groupMod, Port } from '../../openflow/index.ts';
import {
  cookie,
  CookieKind,
  isLearnAction,
  isTraceCookie,
  isTraceGroup,
  Table,
  TRACE,
  traceCookie,
  traceGroupId,
  type ActualFlow,
  type FlowModMsg,
  type GroupModMsg,
} from '../pipeline/index.ts';
import { markMatch, type MarkKind } from './packet.ts';

/** Shadow flows remove themselves after this long, should nobody be left to disarm them. */
export const SHADOW_HARD_TIMEOUT_S = 10;

/** What a shadow's actions do with the packet, in order. */
export type Effect =
  /** Into a tunnel (kept), with the tunnel_id set before it, if any. */
  | { kind: 'tunnel'; port: number; vni?: number }
  /** Handed to a port (taken out of the shadow): where the packet would have been delivered. */
  | { kind: 'deliver'; port: number }
  /** Through a shadow group. */
  | { kind: 'group'; group: number }
  /** Into a router's port (kept): the router routes the marked packet. */
  | { kind: 'router'; port: number };

/** One shadow flow: the real flow it copies, and what it does. */
export interface ShadowFlow {
  /** The shadow's own cookie (kind TRACE), as flow stats report it. */
  cookie: bigint;
  table: number;
  /** The real flow's cookie and priority; a table without a miss flow gets a shadow that stands
   *  for OpenFlow's own miss (a drop), with the pipeline's table-miss cookie. */
  real: { cookie: bigint; priority: number };
  /** The real match's in_port, tunnel_id and VLAN (absent: untagged or any): where a packet that
   *  matches it came from. */
  inPort?: number;
  tunnelId?: number;
  vlan?: number;
  /** The metadata it writes (the switch's VNI, in table 0). */
  metadata?: number;
  /** The metadata the real flow matches (a switch's VNI, past table 0): which of a node's passes
   *  a hit belongs to, when the packet came back out of a router. */
  onVni?: number;
  effects: Effect[];
}

export interface ShadowGroup {
  id: number;
  real: number;
  type: GroupType;
  /** Per bucket: what it does, and whether the real bucket did nothing at all (a gate's drop). */
  buckets: { effects: Effect[]; empty: boolean }[];
}

export interface ShadowRecords {
  flows: ShadowFlow[];
  groups: ShadowGroup[];
}

export interface Shadows extends ShadowRecords {
  /** Group adds (chained groups after those they chain to), then flow adds. */
  messages: (GroupModMsg | FlowModMsg)[];
}

export interface ShadowInput {
  /** What the switch holds (flow stats, group descriptions). */
  flows: readonly ActualFlow[];
  groups: readonly GroupDesc[];
  /** OpenFlow ports of its tunnels: outputs there stay. */
  tunnelPorts: ReadonlySet<number>;
  /** OpenFlow ports of routers' ports whose outputs stay (none: every router port is a delivery). */
  routerPorts?: ReadonlySet<number>;
  /** Every port of br-int: table 0's miss is shadowed once per port, so a packet that no flow
   *  classifies still says where it came in. */
  ports: readonly number[];
  mark: MarkKind;
  /** The trace's number, in every shadow cookie. */
  trace: number;
}

const value = (match: readonly OxmField[], field: string): number | bigint | string | undefined => {
  const f = match.find((m) => m.field === field);
  return f && f.field !== 'raw' && f.mask === undefined ? f.value : undefined;
};

/** The match with the mark added, or undefined where the real match rules the mark out. */
function markedMatch(match: readonly OxmField[], mark: readonly OxmField[]): OxmField[] | undefined {
  const extra: OxmField[] = [];
  for (const m of mark) {
    if (m.field === 'raw') continue;
    const have = match.find((f) => f.field === m.field);
    if (!have) extra.push(m);
    else if (have.field === 'raw' || have.mask !== undefined || String(have.value) !== String(m.value)) return undefined;
  }
  return [...match, ...extra];
}

class Transformer {
  constructor(
    private readonly tunnelPorts: ReadonlySet<number>,
    private readonly groupIds: ReadonlyMap<number, number>,
    private readonly routerPorts: ReadonlySet<number> = new Set(),
  ) {}

  /** The shadow's actions and what they do. */
  actions(list: readonly Action[]): { actions: Action[]; effects: Effect[] } {
    const actions: Action[] = [];
    const effects: Effect[] = [];
    let vni: number | undefined;
    for (const a of list) {
      if (a.type === 'set_field' && a.field.field === 'tunnel_id') vni = Number(a.field.value);
      if (a.type === 'output') {
        // To the controller (a reject rule, whose answer reject/ sends): taken out, and no exit;
        // the pass's last rule says why the packet went no further.
        if (a.port === Port.CONTROLLER) continue;
        if (this.tunnelPorts.has(a.port)) {
          actions.push(a);
          effects.push({ kind: 'tunnel', port: a.port, ...(vni === undefined ? {} : { vni }) });
        } else if (this.routerPorts.has(a.port)) {
          actions.push(a);
          effects.push({ kind: 'router', port: a.port });
        } else effects.push({ kind: 'deliver', port: a.port });
      } else if (a.type === 'group') {
        const group = this.groupIds.get(a.groupId);
        if (group === undefined) continue; // the real flow points at a group the switch lacks
        actions.push({ type: 'group', groupId: group });
        effects.push({ kind: 'group', group });
      } else if (!isLearnAction(a)) actions.push(a);
    }
    return { actions, effects };
  }

  instructions(list: readonly Instruction[]): { instructions: Instruction[]; effects: Effect[]; metadata?: number } {
    const instructions: Instruction[] = [];
    const effects: Effect[] = [];
    let metadata: number | undefined;
    for (const i of list) {
      if (i.type === 'apply_actions' || i.type === 'write_actions') {
        const t = this.actions(i.actions);
        instructions.push({ type: i.type, actions: t.actions });
        effects.push(...t.effects);
      } else {
        if (i.type === 'write_metadata') metadata = Number(i.metadata);
        instructions.push(i);
      }
    }
    return { instructions, effects, ...(metadata === undefined ? {} : { metadata }) };
  }

  bucket(b: Bucket): { bucket: Bucket; effects: Effect[]; empty: boolean } {
    const t = this.actions(b.actions);
    const watchGroup = this.groupIds.get(b.watchGroup) ?? b.watchGroup;
    return { bucket: { ...b, watchGroup, actions: t.actions }, effects: t.effects, empty: b.actions.length === 0 };
  }
}

/** Groups in the order they can be added: a group before any group that chains to it. */
function chainOrder(groups: readonly GroupDesc[]): GroupDesc[] {
  const byId = new Map(groups.map((g) => [g.groupId, g]));
  const depth = new Map<number, number>();
  const depthOf = (g: GroupDesc, seen: Set<number>): number => {
    const known = depth.get(g.groupId);
    if (known !== undefined) return known;
    seen.add(g.groupId);
    const chained = g.buckets.flatMap((b) => b.actions.flatMap((a) => (a.type === 'group' ? [a.groupId] : [])));
    const d = Math.max(0, ...chained.map((id) => (byId.has(id) && !seen.has(id) ? 1 + depthOf(byId.get(id)!, seen) : 0)));
    depth.set(g.groupId, d);
    return d;
  };
  return [...groups].sort((a, b) => depthOf(a, new Set()) - depthOf(b, new Set()) || a.groupId - b.groupId);
}

const shadowPriority = (priority: number) => Math.min(0xffff, TRACE.PRIORITY_BASE + priority);

/** The shadows of a switch's flows and groups for one trace's mark. */
export function deriveShadows(input: ShadowInput): Shadows {
  const real = chainOrder(input.groups.filter((g) => !isTraceGroup(g.groupId)));
  const groupIds = new Map(real.map((g, i) => [g.groupId, traceGroupId(i)]));
  const t = new Transformer(input.tunnelPorts, groupIds, input.routerPorts);
  const mark = markMatch(input.mark);
  const records: ShadowRecords = { flows: [], groups: [] };
  const messages: Shadows['messages'] = [];

  for (const g of real) {
    const id = groupIds.get(g.groupId)!;
    const buckets = g.buckets.map((b) => t.bucket(b));
    records.groups.push({ id, real: g.groupId, type: g.groupType, buckets: buckets.map(({ effects, empty }) => ({ effects, empty })) });
    messages.push(groupMod({ command: 'add', groupId: id, groupType: g.groupType, buckets: buckets.map((b) => b.bucket) }));
  }

  const add = (
    table: number,
    priority: number,
    match: OxmField[],
    instructions: readonly Instruction[],
    shadow: Omit<ShadowFlow, 'cookie' | 'effects' | 'table'>,
  ) => {
    const c = traceCookie(input.trace, records.flows.length);
    const x = t.instructions(instructions);
    records.flows.push({ ...shadow, cookie: c, table, effects: x.effects, ...(x.metadata === undefined ? {} : { metadata: x.metadata }) });
    messages.push(
      flowMod({
        command: 'add',
        tableId: table,
        priority: shadowPriority(priority),
        cookie: c,
        match,
        instructions: x.instructions,
        hardTimeout: SHADOW_HARD_TIMEOUT_S,
      }),
    );
  };

  const flows = input.flows.filter((f) => f.tableId !== Table.LEARNED && !isTraceCookie(f.cookie));
  const withMiss = new Set<number>();
  const reached = new Set<number>([Table.CLASSIFY]);
  for (const f of flows) {
    reached.add(f.tableId);
    for (const i of f.instructions) if (i.type === 'goto_table') reached.add(i.tableId);
    const isMiss = f.priority === 0 && f.match.length === 0;
    if (isMiss) withMiss.add(f.tableId);
    const real = { cookie: f.cookie, priority: f.priority };
    if (isMiss && f.tableId === Table.CLASSIFY && input.ports.length > 0) {
      // Table 0's miss, once per port: even a packet nothing classifies says where it came in.
      for (const port of input.ports)
        add(f.tableId, 0, [{ field: 'in_port', value: port }, ...mark], f.instructions, { real, inPort: port });
      continue;
    }
    const match = markedMatch(f.match, mark);
    if (!match) continue; // another eth_type, or a mark field of another value: never the trace's packet
    const where = (field: string) => value(f.match, field);
    const inPort = where('in_port');
    const tunnelId = where('tunnel_id');
    const vlan = where('vlan_vid');
    const onVni = where('metadata');
    add(f.tableId, f.priority, match, f.instructions, {
      real,
      ...(inPort === undefined ? {} : { inPort: Number(inPort) }),
      ...(tunnelId === undefined ? {} : { tunnelId: Number(tunnelId) }),
      ...(onVni === undefined ? {} : { onVni: Number(onVni) }),
      ...(vlan !== undefined && (Number(vlan) & 0x1000) !== 0 ? { vlan: Number(vlan) & 0xfff } : {}),
    });
  }
  // A table without a miss flow drops what nothing matches (OpenFlow 1.3): a shadow says so.
  for (const table of [...reached].filter((tb) => !withMiss.has(tb)).sort((a, b) => a - b)) {
    const real = { cookie: cookie(CookieKind.TABLE_MISS, 0, table), priority: 0 };
    if (table === Table.CLASSIFY && input.ports.length > 0) {
      for (const port of input.ports) add(table, 0, [{ field: 'in_port', value: port }, ...mark], [], { real, inPort: port });
    } else add(table, 0, [...mark], [], { real });
  }
  return { ...records, messages };
}
