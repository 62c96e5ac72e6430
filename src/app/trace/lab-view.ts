// What a trace knows of a running lab before it asks any switch: the controller's logical state
// (through the northbound API, as it is now: ports added, moved or unbound since the deploy
// included) and the physical hosts (their network from the runtime, their MAC and VLAN from the
// host itself, since the store does not hold hosts).
import type { Runtime } from '../../runtime/runtime.ts';
import { northbound, unwrap, type Outcome } from '../../northbound-client/index.ts';
import { NvlabError } from '../../util/errors.ts';
import { labApiAccess } from '../lab-api.ts';
import {
  LABEL_LAB,
  LABEL_NETWORK,
  LABEL_NODE,
  LABEL_ROLE,
  logicalState,
  type ClientName,
  type LogicalPort,
  type LogicalRouter,
  type LogicalState,
  type LogicalSwitch,
  type MacBinding,
  type SecurityGroup,
  type TraceHost,
  type TransportNode,
} from '../../model/index.ts';

/** A physical host as the trace contract has it (network, address, MAC when it answered), with
 *  its name and its 802.1Q tag. */
export type LabHost = TraceHost & { name: string; vlan?: number };

export interface LabView {
  lab: string;
  nodes: readonly TransportNode[];
  switches: readonly LogicalSwitch[];
  ports: readonly LogicalPort[];
  routers: readonly LogicalRouter[];
  hosts: readonly LabHost[];
  /** The same resources as the controller's pipeline sees them (for explaining cookies). */
  logical: LogicalState;
}

export function labView(
  lab: string,
  resources: {
    nodes: TransportNode[];
    switches: LogicalSwitch[];
    ports: LogicalPort[];
    routers: LogicalRouter[];
    securityGroups?: SecurityGroup[];
    macBindings?: MacBinding[];
  },
  hosts: readonly LabHost[],
): LabView {
  const { nodes, switches, ports, routers, securityGroups, macBindings } = resources;
  const logical = logicalState(nodes, switches, ports, routers, securityGroups, macBindings);
  return { lab, nodes, switches, ports, routers, hosts, logical };
}

interface IpAddrLink {
  ifname: string;
  address?: string;
  addr_info?: { family: string; local: string }[];
}

/** A host's MAC and VLAN from its `ip -j addr`: the interface holding its address (eth0.<vlan>
 *  on a tagged network, as the node agent names it). */
export function hostLink(ipJson: string, ip: string): { mac?: string; vlan?: number } {
  const links = JSON.parse(ipJson) as IpAddrLink[];
  const link = links.find((l) => l.addr_info?.some((a) => a.family === 'inet' && a.local === ip));
  if (!link) return {};
  const vlan = /\.(\d+)$/.exec(link.ifname)?.[1];
  return { ...(link.address ? { mac: link.address.toLowerCase() } : {}), ...(vlan ? { vlan: Number(vlan) } : {}) };
}

/** A list, or none where the controller has no such resource yet (a controller without routers). */
function listed<T>(outcome: Outcome<T[]>): T[] {
  return outcome.kind === 'not-found' ? [] : unwrap(outcome);
}

/** Reads the lab's view: containers and networks from the runtime, the logical state from the
 *  controller cluster, and each running host's MAC and VLAN, all at once. */
export async function readLabView(runtime: Runtime, lab: string, client: ClientName = 'cli'): Promise<LabView> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    runtime.listNetworks({ [LABEL_LAB]: lab }),
  ]);
  if (containers.length + networks.length === 0) throw new NvlabError('NO_LAB', `no lab named ${lab} is deployed`, { exitCode: 2 });
  const members = containers.filter((c) => c.labels[LABEL_ROLE] === 'controller');
  const ips = members.flatMap((m) => Object.values(m.addresses)).filter(Boolean);
  if (ips.length === 0) throw new NvlabError('NO_CONTROLLER', `lab ${lab} has no controller members`, { exitCode: 2 });
  const api = northbound(ips, { deadlineMs: 5_000, ...(await labApiAccess(lab, client)) });
  const physical = new Map(
    networks.flatMap((n) => (n.labels[LABEL_NETWORK]?.startsWith('phys:') ? [[n.name, n.labels[LABEL_NETWORK].slice(5)]] : [])),
  );
  const hostContainers = containers.filter((c) => c.labels[LABEL_ROLE] === 'host');
  const [nodes, switches, ports, routers, securityGroups, macBindings, hosts] = await Promise.all([
    api.transportNodes.list().then(listed),
    api.logicalSwitches.list().then(listed),
    api.logicalPorts.list().then(listed),
    api.logicalRouters.list().then(listed),
    api.securityGroups.list().then(listed),
    api.macBindings.list().then(listed),
    Promise.all(
      hostContainers.flatMap((c) =>
        Object.entries(c.addresses).flatMap(([net, ip]) => {
          const network = physical.get(net);
          if (!network) return [];
          const base: LabHost = { name: c.labels[LABEL_NODE] ?? c.name, network, ip };
          if (c.state !== 'running') return [Promise.resolve(base)];
          return [
            runtime
              .exec(c.name, ['ip', '-j', 'addr'], { timeoutMs: 5_000 })
              .then((r) => ({ ...base, ...(r.exitCode === 0 ? hostLink(r.stdout, ip) : {}) }))
              .catch(() => base),
          ];
        }),
      ),
    ),
  ]);
  return labView(lab, { nodes, switches, ports, routers, securityGroups, macBindings }, hosts);
}
