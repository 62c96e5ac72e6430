import type { Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { mapLimit } from '../util/pool.ts';
import { readOvsState, type OvsBridgeState } from './ovs-state.ts';
import { isTransportRole, LABEL_LAB, LABEL_NETWORK, LABEL_NODE, LABEL_ROLE } from '../model/index.ts';
import { nodeKinds } from '../nodes/index.ts';
import { labApiAccess, type ApiAccess } from './api-access.ts';

export interface NodeState {
  name: string;
  role: string;
  container: string;
  state: string;
  mgmtIp?: string;
  underlayIp?: string;
  /** Every network the node is on: network key (mgmt, underlay, phys:NAME) → address. */
  addresses: Record<string, string>;
  /** Transport nodes that run: their OVS bridges; `ovsError` when it could not be read. */
  ovs?: OvsBridgeState[];
  ovsError?: string;
}

export interface LabState {
  lab: string;
  networks: { name: string; key: string }[];
  nodes: NodeState[];
  /** How its owner reaches its API (token, TLS or not), from the lab's state on this host. */
  api: ApiAccess;
}

/** Nodes are listed by kind in deploy order (controller members, transport nodes, hosts). */
const ROLE_ORDER = nodeKinds.roles();

export async function inspectLab(runtime: Runtime, lab: string, options: { ovs?: boolean } = {}): Promise<LabState> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    runtime.listNetworks({ [LABEL_LAB]: lab }),
  ]);
  if (containers.length + networks.length === 0) {
    throw new NvlabError('NO_LAB', `no lab named ${lab} is deployed`, { exitCode: 2 });
  }
  const keyOf = new Map(networks.map((n) => [n.name, n.labels[LABEL_NETWORK] ?? n.name]));
  // Runtime plumbing (such as the Docker runtime's fabric) carries no node label: not a node.
  const nodeContainers = containers.filter((c) => c.labels[LABEL_NODE] !== undefined);
  const nodes = await mapLimit(nodeContainers, 8, async (c): Promise<NodeState> => {
    const addresses = Object.fromEntries(Object.entries(c.addresses).map(([network, ip]) => [keyOf.get(network) ?? network, ip]));
    const node: NodeState = {
      name: c.labels[LABEL_NODE] ?? c.name,
      role: c.labels[LABEL_ROLE] ?? 'unknown',
      container: c.name,
      state: c.state,
      addresses,
      ...(addresses.mgmt ? { mgmtIp: addresses.mgmt } : {}),
      ...(addresses.underlay ? { underlayIp: addresses.underlay } : {}),
    };
    if (options.ovs !== false && isTransportRole(node.role) && c.state === 'running') {
      try {
        node.ovs = await readOvsState(runtime, c.name);
      } catch (error) {
        node.ovsError = error instanceof Error ? error.message : String(error);
      }
    }
    return node;
  });
  const rank = (role: string) => (ROLE_ORDER.indexOf(role) + ROLE_ORDER.length + 1) % (ROLE_ORDER.length + 1);
  nodes.sort((a, b) => rank(a.role) - rank(b.role) || a.name.localeCompare(b.name, 'en', { numeric: true }));
  const memberIps = nodes.flatMap((n) => (n.role === 'controller' && n.mgmtIp ? [n.mgmtIp] : []));
  return {
    lab,
    networks: networks.map((n) => ({ name: n.name, key: keyOf.get(n.name) ?? n.name })).sort((a, b) => a.name.localeCompare(b.name)),
    nodes,
    api: await labApiAccess(lab, memberIps),
  };
}
