// Transport nodes at run time: a new one joins a running lab (addresses taken from what the lab
// holds, no topology file needed; its certificate from the lab's state on this host), then
// registers with the controller cluster; a removed one leaves the cluster first, then the lab.
import { type LabPlan } from '../topology/plan-types.ts';
import { transportNodeSpec } from '../nodes/transport-node.ts';
import { transportNodeSecretFiles } from '../nodes/secrets.ts';
import { readLabSecrets } from './lab-state.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { labNetworks, nodeContainer } from './labs.ts';
import { labNorthbound } from './ports.ts';
import { unwrap } from '../northbound-client/index.ts';
import {
  LABEL_LAB,
  LABEL_NODE,
  LABEL_ROLE,
  type ClientName,
  type Encap,
  type Role,
  formatIp,
  nthHost,
  parseCidr,
  containerName,
} from '../model/index.ts';

export interface AddTransportNode {
  name: string;
  role: Role;
  encap?: Encap;
}

/** The first host address at or after `.10` (where the plan starts nodes) that no node of the
 *  lab holds on that network. */
function freeAddress(subnet: string, taken: Set<string>): string {
  const cidr = parseCidr(subnet);
  for (let n = 10; cidr; n++) {
    const ip = nthHost(cidr, n);
    if (ip === undefined) break;
    if (!taken.has(formatIp(ip))) return formatIp(ip);
  }
  throw new NvlabError('FULL', `network ${subnet} has no free address`, { exitCode: 2 });
}

export async function addTransportNode(runtime: Runtime, lab: string, spec: AddTransportNode, client: ClientName = 'cli'): Promise<void> {
  const [containers, net, secrets] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    labNetworks(runtime, lab),
    readLabSecrets(lab),
  ]);
  if (containers.some((c) => c.labels[LABEL_NODE] === spec.name)) {
    throw new NvlabError('EXISTS', `lab ${lab} already has a node ${spec.name}`, { exitCode: 2 });
  }
  const mgmt = net('mgmt');
  const underlay = net('underlay');
  const taken = (network: string) => new Set(containers.map((c) => c.addresses[network]).filter((ip): ip is string => !!ip));
  const members = containers
    .filter((c) => c.labels[LABEL_ROLE] === 'controller')
    .map((c) => ({ name: c.labels[LABEL_NODE] ?? c.name, container: c.name, mgmtIp: c.addresses[mgmt.name] ?? '' }));
  const mgmtIp = freeAddress(mgmt.subnet, taken(mgmt.name));
  const underlayIp = freeAddress(underlay.subnet, taken(underlay.name));
  const prefix = parseCidr(underlay.subnet)?.prefixLength ?? 24;
  // Just enough of a plan for the node kind to build the node as deploy would.
  const plan = {
    lab,
    networks: {
      mgmt: { key: 'mgmt', name: mgmt.name, subnet: mgmt.subnet, gateway: '', mtu: mgmt.mtu ?? 1500, internal: false },
      underlay: { key: 'underlay', name: underlay.name, subnet: underlay.subnet, gateway: '', mtu: underlay.mtu ?? 1600, internal: true },
      physical: [],
    },
    controllers: { kind: 'builtin', members },
    // The lab runs TLS when its state holds authorities; a lab deployed before lab state did not.
    security: { tls: secrets?.authorities !== undefined },
    routers: [],
  } as unknown as LabPlan;
  const node = {
    name: spec.name,
    role: spec.role,
    container: containerName(lab, spec.name),
    encap: spec.encap ?? 'geneve',
    mgmtIp,
    underlayIp,
    underlayPrefixLength: prefix,
    ports: [],
    attachments: [],
  };
  const files = secrets ? await transportNodeSecretFiles(secrets, node) : [];
  await runtime.createNode(transportNodeSpec(plan, node, files));
  try {
    await runtime.start(node.container);
    if (members.length > 0) {
      const api = await labNorthbound(runtime, lab, client);
      unwrap(await api.transportNodes.create({ name: spec.name, role: spec.role, encap: node.encap, underlayIp, mgmtIp }));
    }
  } catch (error) {
    await runtime.removeContainer(node.container).catch(() => {});
    throw error;
  }
}

export async function removeTransportNode(runtime: Runtime, lab: string, name: string, client: ClientName = 'cli'): Promise<void> {
  const found = await nodeContainer(runtime, lab, name);
  const members = await runtime.listContainers({ [LABEL_LAB]: lab, [LABEL_ROLE]: 'controller' });
  if (members.length > 0) unwrap(await (await labNorthbound(runtime, lab, client)).transportNodes.delete(name));
  await runtime.removeContainer(found.name);
}
