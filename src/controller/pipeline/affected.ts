// Which nodes a change of the logical state reaches. A port that comes, goes or is plugged in
// changes the flows of the nodes carrying its switch (and, through a distributed router, those
// carrying the switches it joins to it), and a port not plugged in yet only those of its own
// node. When its switch gains or loses a node, the tunnels and flood groups of the switch's nodes
// before and after change too, and the service nodes' when it replicates through them; no other
// node carries the switch, so none else changes, and the cost of a change does not grow with the
// lab. Anything else (nodes, switches, routers, security groups, learned MAC bindings, a port's
// security settings or group membership) may change any node. A master reprograms only what a
// change reaches, so that the node a VM is being plugged into is not kept waiting behind nodes
// with nothing to do.
import { distributedRouters } from './routers.ts';
import { switchHosts } from './tunnels.ts';
import type { LogicalState, StatePort } from '../../model/index.ts';

/** Nodes whose tunnels, flows or groups may differ between `before` and `after`; 'all' when
 *  the change is not confined to ports. */
export function affectedNodes(before: LogicalState, after: LogicalState): Set<string> | 'all' {
  const changes = portChanges(before, after);
  if (changes === undefined) return 'all';
  const nodes = new Set<string>();
  if (changes.length === 0) return nodes;
  const hostsBefore = switchHosts(before);
  const hostsAfter = switchHosts(after);
  const joined = routedSwitches(after);
  const replication = new Map(after.switches.map((s) => [s.name, s.replication]));
  const serviceNodes = after.nodes.filter((n) => n.role === 'service-node').map((n) => n.name);
  const add = (names: readonly string[] | undefined) => names?.forEach((n) => nodes.add(n));
  for (const p of changes.flat()) {
    if (p?.node === undefined) continue;
    nodes.add(p.node);
    const moved = (hostsBefore.get(p.switch) ?? []).join() !== (hostsAfter.get(p.switch) ?? []).join();
    if (p.up === false && !moved) continue;
    // A distributed router's nodes route to the port: those of every switch it joins to this one.
    for (const sw of joined.get(p.switch) ?? [p.switch]) {
      add(hostsAfter.get(sw));
      if (moved) add(hostsBefore.get(sw));
    }
    if (moved && replication.get(p.switch) === 'service-node') add(serviceNodes);
  }
  return nodes;
}

/** Per switch, itself and the switches distributed routers join it to. */
function routedSwitches(logical: LogicalState): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { ifaces } of distributedRouters(logical)) {
    for (const i of ifaces) {
      let set = out.get(i.sw.name);
      if (!set) out.set(i.sw.name, (set = new Set([i.sw.name])));
      for (const j of ifaces) set.add(j.sw.name);
    }
  }
  return out;
}

/** A port as it was and as it is (undefined: absent then, or now). */
export type PortChange = [before: StatePort | undefined, after: StatePort | undefined];

// A master asks about one pair of states for each node it reaches: the answer is kept for the pair.
const changesCache = new WeakMap<LogicalState, { before: LogicalState; changes: PortChange[] | undefined }>();

/** The ports that differ between two states; undefined when more than ports differ (nodes,
 *  switches, routers). */
export function portChanges(before: LogicalState, after: LogicalState): PortChange[] | undefined {
  const hit = changesCache.get(after);
  if (hit?.before === before) return hit.changes;
  const changes = computePortChanges(before, after);
  changesCache.set(after, { before, changes });
  return changes;
}

/** Whether two states give every node the same tunnels: they differ in ports at most, and no
 *  switch gains or loses a node. */
export function sameTunnels(before: LogicalState, after: LogicalState): boolean {
  const changes = portChanges(before, after);
  return changes !== undefined && !hostsMoved(before, after, changes);
}

/** Whether the switch of a changed port gains or loses a node: that changes tunnels and flood
 *  groups on every node of it. */
function hostsMoved(before: LogicalState, after: LogicalState, changes: readonly PortChange[]): boolean {
  if (changes.length === 0) return false;
  const hostsBefore = switchHosts(before);
  const hostsAfter = switchHosts(after);
  return changes.some((change) =>
    change.some((p) => p && (hostsBefore.get(p.switch) ?? []).join() !== (hostsAfter.get(p.switch) ?? []).join()),
  );
}

function computePortChanges(before: LogicalState, after: LogicalState): PortChange[] | undefined {
  if (before === after) return [];
  if (
    !sameNodes(before, after) ||
    !sameJson(before.switches, after.switches) ||
    !sameJson(before.routers ?? [], after.routers ?? []) ||
    !sameJson(before.securityGroups ?? [], after.securityGroups ?? []) ||
    !sameJson(before.macBindings ?? [], after.macBindings ?? [])
  )
    return undefined;
  const changes: PortChange[] = [];
  if (before.ports === after.ports) return changes;
  // Both lists are sorted by name: walk them side by side, without a map of 63,000 ports per change.
  const a = before.ports;
  const b = after.ports;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const q = a[i];
    const p = b[j];
    if (q === p) {
      i++;
      j++;
      continue;
    }
    let pair: PortChange;
    if (q && p && q.name === p.name) {
      i++;
      j++;
      if (securityChanged(q, p)) return undefined;
      if (samePort(p, q)) continue;
      pair = [q, p];
    } else if (p && (!q || p.name < q.name)) {
      j++;
      if (securityChanged(undefined, p)) return undefined;
      pair = [undefined, p]; // added
    } else {
      i++;
      if (securityChanged(q, undefined)) return undefined;
      pair = [q, undefined]; // removed
    }
    changes.push(pair);
  }
  return changes;
}

const inGroup = (p: StatePort | undefined) => (p?.securityGroups?.length ?? 0) > 0;

/** A change beyond the unicast flows of the port's switch: its own security settings, or the
 *  addresses of a group, which rules anywhere may name as their remote (a member coming, going,
 *  joining, leaving or changing its IP). */
function securityChanged(before: StatePort | undefined, after: StatePort | undefined): boolean {
  if (!before || !after) return inGroup(before ?? after);
  return (
    !sameJson(before.securityGroups ?? [], after.securityGroups ?? []) ||
    before.portSecurity !== after.portSecurity ||
    !sameJson(before.qos, after.qos) ||
    (inGroup(after) && before.ip !== after.ip)
  );
}

function sameNodes(a: LogicalState, b: LogicalState): boolean {
  if (a.nodes === b.nodes) return true;
  if (a.nodes.length !== b.nodes.length) return false;
  return a.nodes.every((n, i) => {
    const m = b.nodes[i]!;
    return (
      n === m ||
      (n.name === m.name && n.role === m.role && n.encap === m.encap && n.underlayIp === m.underlayIp && n.underlayMac === m.underlayMac)
    );
  });
}

const samePort = (p: StatePort, q: StatePort) =>
  p.switch === q.switch && p.mac === q.mac && p.ip === q.ip && p.node === q.node && (p.up ?? true) === (q.up ?? true);

const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
