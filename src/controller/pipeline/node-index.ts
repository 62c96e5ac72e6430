// What each node carries in one logical state, indexed once for all nodes: a node's computation
// then reads its own switches and ports instead of scanning every switch and port of the lab
// (7,000 switches and 63,000 ports at NVP's scale, for each of 3,000 nodes).
import { perObject } from '../../util/memo.ts';
import { switchHosts } from './tunnels.ts';
import type { LogicalState, StateNode, StatePort, StateSwitch } from '../../model/index.ts';

export interface NodeIndex {
  nodes: ReadonlyMap<string, StateNode>;
  /** The switches each node carries (switchHosts), in the state's order. */
  switchesOf: ReadonlyMap<string, readonly StateSwitch[]>;
  /** The ports bound to each node, in the state's order. */
  portsOn: ReadonlyMap<string, readonly StatePort[]>;
  /** Service nodes by name. */
  serviceNodes: readonly StateNode[];
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const nodeIndex = perObject((logical: LogicalState): NodeIndex => {
  const hosts = switchHosts(logical);
  const switchesOf = new Map<string, StateSwitch[]>();
  for (const sw of logical.switches) {
    for (const node of hosts.get(sw.name) ?? []) {
      let list = switchesOf.get(node);
      if (!list) switchesOf.set(node, (list = []));
      list.push(sw);
    }
  }
  const portsOn = new Map<string, StatePort[]>();
  for (const p of logical.ports) {
    if (p.node === undefined) continue;
    let list = portsOn.get(p.node);
    if (!list) portsOn.set(p.node, (list = []));
    list.push(p);
  }
  return {
    nodes: new Map(logical.nodes.map((n) => [n.name, n])),
    switchesOf,
    portsOn,
    serviceNodes: logical.nodes.filter((n) => n.role === 'service-node').sort(byName),
  };
});
