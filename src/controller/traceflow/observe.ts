// What the marked packet did on one node, read from its shadows' counters after the trace: the
// shadow flows it matched (in the order the pipeline walks its tables) are the rules it went through, the outputs they and the
// buckets it took hold are where its copies left (tunnels, a router's ports) or would have been
// delivered (ports taken out of the shadows), a table-miss shadow is a drop for want of a flow, and a gate's
// empty bucket is a standby gateway letting nothing through. Pure.
import { Port } from '../../openflow/index.ts';
import { Table, walkRank } from '../pipeline/index.ts';
import type { Endpoint, NodePass } from './passes.ts';
import { endpointOf, type Place } from './places.ts';
import type { Effect, ShadowFlow, ShadowGroup, ShadowRecords } from './shadow.ts';

/** What the switch counted after the trace: packets per shadow flow (by its cookie), and per
 *  shadow group its packets and each bucket's. */
export interface Counters {
  flows: ReadonlyMap<bigint, bigint>;
  groups: ReadonlyMap<number, { packets: bigint; buckets: readonly bigint[] }>;
}

export interface ObserveContext {
  /** The node's ports (places.ts). */
  places: ReadonlyMap<number, Place>;
  /** On the node the packet was injected at: the port it was sent in on and the path's start. */
  source?: { inPort: number; entry: Endpoint };
  /** The host the trace is for, when it is one: a NIC onto its network delivers to it. */
  host?: { name: string; network: string };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const keyOf = (e: Endpoint) => JSON.stringify(Object.entries(e).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The pass the marked packet made on `node`, or undefined when it never came there; where it
 *  came back out of a router, the pass it made first. */
export function observedPass(node: string, records: ShadowRecords, counters: Counters, context: ObserveContext): NodePass | undefined {
  return observedPasses(node, records, counters, context)[0];
}

/**
 * The passes the marked packet made on `node`: one, or where it came back into br-int out of a
 * router (routed on), one more per router port it came out of; on the node it was injected at,
 * one more per port it came back in on (routed by a gateway elsewhere, back through a tunnel).
 * Table 0's hit on each port it entered starts a pass; a later hit belongs to the pass whose switch (metadata) it matches,
 * else to the first one. The first pass first.
 */
export function observedPasses(node: string, records: ShadowRecords, counters: Counters, context: ObserveContext): NodePass[] {
  const hits = records.flows
    .filter((f) => (counters.flows.get(f.cookie) ?? 0n) > 0n)
    .sort((a, b) => walkRank(a.table) - walkRank(b.table) || b.real.priority - a.real.priority);
  if (hits.length === 0) return [];
  const isReentry = (h: ShadowFlow) =>
    h.table === Table.CLASSIFY &&
    h.inPort !== undefined &&
    h.inPort !== context.source?.inPort &&
    (context.source !== undefined || context.places.get(h.inPort)?.kind === 'router-port');
  const starts = hits.filter(isReentry);
  if (starts.length === 0 || starts.length === hits.filter((h) => h.table === Table.CLASSIFY).length)
    return [passOf(node, hits, records, counters, context)];
  const groups = new Map<ShadowFlow, ShadowFlow[]>(starts.map((s) => [s, [s]]));
  const first: ShadowFlow[] = [];
  for (const h of hits) {
    if (groups.has(h)) continue;
    const start = h.table === Table.CLASSIFY ? undefined : starts.find((s) => s.metadata !== undefined && s.metadata === h.onVni);
    (start ? groups.get(start)! : first).push(h);
  }
  return [first, ...groups.values()].map((g) => passOf(node, g, records, counters, context));
}

/** One pass from the hits that make it (in walk order). */
function passOf(node: string, hits: readonly ShadowFlow[], records: ShadowRecords, counters: Counters, context: ObserveContext): NodePass {
  const classified = hits.find((h) => h.table === Table.CLASSIFY && h.inPort !== undefined);
  const inPort = classified?.inPort ?? context.source?.inPort;
  const vni = hits.find((h) => h.metadata !== undefined)?.metadata ?? classified?.tunnelId;
  let entry: Endpoint;
  if (context.source && inPort === context.source.inPort) entry = context.source.entry;
  else if (inPort === undefined) entry = { kind: 'port', port: 'unknown' };
  else entry = endpointOf(context.places.get(inPort), inPort, { vni: classified?.tunnelId ?? vni ?? 0 });

  const groups = new Map(records.groups.map((g) => [g.id, g]));
  const exits: Endpoint[] = [];
  const seen = new Set<string>();
  let gate: ShadowGroup | undefined;
  let dead: ShadowGroup | undefined;
  const follow = (effects: readonly Effect[]): void => {
    for (const e of effects) {
      if (e.kind === 'group') {
        const g = groups.get(e.group);
        const c = counters.groups.get(e.group);
        if (!g || !c) continue;
        let taken = false;
        g.buckets.forEach((b, i) => {
          if ((c.buckets[i] ?? 0n) === 0n) return;
          taken = true;
          if (b.empty) gate ??= g;
          else follow(b.effects);
        });
        if (!taken && g.type === 'fast_failover' && c.packets > 0n) dead ??= g;
        continue;
      }
      // Open vSwitch never outputs a packet to the port it came in on (a flood group's bucket
      // for the sender's own port counts the packet but sends nothing).
      if (e.port === inPort) continue;
      const port = e.port === Port.IN_PORT && inPort !== undefined ? inPort : e.port;
      const exit = endpointOf(context.places.get(port), port, { vni: e.kind === 'tunnel' ? (e.vni ?? vni) : vni, host: context.host });
      if (!seen.has(keyOf(exit))) {
        seen.add(keyOf(exit));
        exits.push(exit);
      }
    }
  };
  for (const h of hits) follow(h.effects);

  const pass: NodePass = {
    node,
    entry,
    rules: hits.map((h) => ({ table: h.table, cookie: h.real.cookie, priority: h.real.priority })),
    exits,
  };
  if (exits.length === 0 && gate) {
    pass.drop = {
      reason: 'standby-gateway',
      detail: `${node} is a standby gateway: its gate (group ${hex(gate.real)}) let nothing through while a better gateway is alive`,
    };
  } else if (exits.length === 0 && dead) {
    pass.drop = { reason: 'tunnel-down', detail: `no live bucket in group ${hex(dead.real)}: every tunnel it watches is down` };
  }
  return pass;
}
