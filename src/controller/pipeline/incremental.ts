// A node's flows after ports changed on other nodes, from its flows before. A VM plugged in, or
// a port removed or moved, on one node changes every other node of its switch by exactly one
// unicast flow in table 10 (OVN calls this incremental processing): patching that flow in costs
// a few lookups, where recomputing the node costs all of its ports and tunnels.
import type { PipelineMemo } from './memo.ts';
import { portChanges, sameTunnels } from './affected.ts';
import { distributedRouters } from './routers.ts';
import { remoteUnicast, remoteUnicastRecipe } from './stages/index.ts';
import { switchHosts, tunnelName } from './tunnels.ts';
import type { DesiredFlows, FlowModMsg, NodeFacts } from './types.ts';
import type { LogicalState, StatePort } from '../../model/index.ts';

/** A patched node: its flows, and which flow objects came and went. */
export interface Patch {
  desired: DesiredFlows;
  added: FlowModMsg[];
  removed: FlowModMsg[];
}

/**
 * `desiredFlows(after, node, facts, memo)` computed from `previous = desiredFlows(before, node,
 * facts, memo)` (same facts, same memo), or undefined when the change is more than remote ports
 * of switches whose nodes stay the same: then the node is computed in full. The flows are the
 * same, not necessarily in the same order.
 */
export function patchRemotePorts(
  previous: DesiredFlows,
  before: LogicalState,
  after: LogicalState,
  nodeName: string,
  facts: NodeFacts,
  memo: PipelineMemo,
): Patch | undefined {
  // Switches gaining or losing a node change more than one flow.
  const changes = sameTunnels(before, after) ? portChanges(before, after) : undefined;
  if (changes === undefined) return undefined;
  if (changes.length === 0) return { desired: previous, added: [], removed: [] };
  // The same for every switch a changed port is on (sameTunnels).
  const hosts = switchHosts(after);
  const switches = new Map(after.switches.map((s) => [s.name, s]));
  const drop = new Set<FlowModMsg>();
  const add: FlowModMsg[] = [];
  const forgotten: string[] = [];

  // The recipe of the unicast flow `port` has on this node, if it has one.
  const recipeOf = (port: StatePort): { recipe: string; vni: number; tport: number } | undefined => {
    const sw = switches.get(port.switch);
    const here = hosts.get(port.switch) ?? [];
    if (!sw || port.node === undefined || port.up === false || !here.includes(nodeName) || !here.includes(port.node)) return undefined;
    const tport = facts.tunnelPorts.get(tunnelName(port.node, sw.encap));
    return tport === undefined ? undefined : { recipe: remoteUnicastRecipe(sw.vni, port, tport), vni: sw.vni, tport };
  };

  const routed = routedSwitchNames(after);
  for (const [old, now] of changes) {
    for (const p of [old, now]) {
      if (!p) continue;
      // The node's own ports change more than one flow; so does a port a distributed router
      // routes to (its /32 in table 50).
      if (p.node === nodeName || routed.has(p.switch)) return undefined;
      // Two ports with one MAC on a switch give one flow (the first by name): leave that to the
      // full computation.
      const mac = `${p.switch}\0${p.mac.toLowerCase()}`;
      if (sharedMacs(before).has(mac) || sharedMacs(after).has(mac)) return undefined;
    }
    const was = old && recipeOf(old);
    if (was) {
      const flow = memo.peek<FlowModMsg>(was.recipe);
      if (!flow) return undefined; // not built through this memo: compute in full
      drop.add(flow);
      forgotten.push(was.recipe);
    }
    const is = now && recipeOf(now);
    if (is) add.push(memo.reuse(is.recipe, () => remoteUnicast(is.vni, now, is.tport)));
  }
  for (const recipe of forgotten) if (!add.some((f) => memo.peek(recipe) === f)) memo.forget(recipe);
  const kept = drop.size === 0 ? previous.flows : previous.flows.filter((f) => !drop.has(f));
  const fresh = add.filter((f) => !kept.includes(f));
  const added = fresh.filter((f) => !drop.has(f));
  const removed = [...drop].filter((f) => !add.includes(f));
  return { desired: { ...previous, flows: [...kept, ...fresh] }, added, removed };
}

/** The switches distributed routers join. */
const routedSwitchNames = (logical: LogicalState): Set<string> =>
  new Set(distributedRouters(logical).flatMap((r) => r.ifaces.map((i) => i.sw.name)));

const sharedMacsCache = new WeakMap<LogicalState, Set<string>>();

/** (switch, MAC) pairs that more than one port of the state has; once per state. */
function sharedMacs(logical: LogicalState): Set<string> {
  let shared = sharedMacsCache.get(logical);
  if (shared) return shared;
  const seen = new Set<string>();
  shared = new Set();
  for (const p of logical.ports) {
    const key = `${p.switch}\0${p.mac.toLowerCase()}`;
    if (seen.has(key)) shared.add(key);
    seen.add(key);
  }
  sharedMacsCache.set(logical, shared);
  return shared;
}
