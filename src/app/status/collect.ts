// `nvlab status`: a lab's members, transport nodes (tunnels among them) and logical ports, read
// from the northbound API of its members at their management addresses (as the lab's containers
// give them). Every member is asked for its status at once; then every node, each of its master,
// and every port, each of its node's master, all at once.
import type { Runtime } from '../../runtime/runtime.ts';
import { NvlabError } from '../../util/errors.ts';
import {
  memberClient,
  memberFor,
  memberStatuses,
  referenceStatus,
  unwrap,
  type ApiAccess,
  type MemberAnswer,
  type NorthboundClient,
} from '../../northbound-client/index.ts';
import {
  LABEL_LAB,
  LABEL_NODE,
  LABEL_ROLE,
  type ClientName,
  type LabMemberStatus,
  type LabStatus,
  type Status,
} from '../../model/index.ts';
import { labApiAccess } from '../lab-api.ts';
import { assembleLabStatus } from './assemble.ts';

export interface LabStatusOptions {
  /** Only this transport node and the ports bound to it. */
  node?: string;
  /** How long one member may take to answer one request (default 2 s). */
  timeoutMs?: number;
  /** Who asks (default the CLI). */
  client?: ClientName;
}

async function askMembers(runtime: Runtime, lab: string, timeoutMs: number, access: ApiAccess): Promise<MemberAnswer[]> {
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  if (containers.length === 0) throw new NvlabError('NO_LAB', `no lab named ${lab} is deployed`, { exitCode: 2 });
  const controllers = containers.filter((c) => c.labels[LABEL_ROLE] === 'controller');
  if (controllers.length === 0) throw new NvlabError('NO_CONTROLLER', `lab ${lab} has no controller members`, { exitCode: 2 });
  return Promise.all(
    controllers.map(async (c): Promise<MemberAnswer> => {
      const ip = Object.values(c.addresses).find(Boolean);
      const running = c.state === 'running';
      const status = running && ip ? await memberClient(ip, { timeoutMs, ...access }).status() : undefined;
      return { name: c.labels[LABEL_NODE] ?? c.name, ip, running, status };
    }),
  );
}

/** The lab's members, each asked at once, and the status whose view of the cluster counts. */
async function membersOf(
  runtime: Runtime,
  lab: string,
  timeoutMs: number,
  access: ApiAccess,
): Promise<{ members: MemberAnswer[]; reference: Status }> {
  const members = await askMembers(runtime, lab, timeoutMs, access);
  const reference = referenceStatus(members);
  if (!reference) {
    const why = members.map((m) => (m.status && 'message' in m.status ? m.status.message : `${m.name}: not running`));
    throw new NvlabError('NO_ANSWER', `no controller member of lab ${lab} answers: ${why.join('; ')}`);
  }
  return { members, reference };
}

/** The lab's controller members alone (`nvlab status`'s first part). */
export async function labMembers(runtime: Runtime, lab: string, timeoutMs = 2000, client?: ClientName): Promise<LabMemberStatus[]> {
  const { members, reference } = await membersOf(runtime, lab, timeoutMs, await labApiAccess(lab, client));
  return memberStatuses(members, reference);
}

export async function labStatus(runtime: Runtime, lab: string, options: LabStatusOptions = {}): Promise<LabStatus> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const access = await labApiAccess(lab, options.client);
  const { members, reference } = await membersOf(runtime, lab, timeoutMs, access);
  const clients = new Map<string, NorthboundClient>();
  const clientOf = (m: MemberAnswer) => {
    let client = clients.get(m.name);
    if (!client) clients.set(m.name, (client = memberClient(m.ip!, { timeoutMs, ...access })));
    return client;
  };
  const any = clientOf(memberFor(undefined, reference, members)!);
  const [nodeList, portList] = await Promise.all([any.transportNodes.list(), any.logicalPorts.list()]);
  const allNodes = unwrap(nodeList);
  const allPorts = unwrap(portList);
  if (options.node !== undefined && !allNodes.some((n) => n.name === options.node)) {
    throw new NvlabError('NO_NODE', `lab ${lab} has no transport node ${options.node}`, { exitCode: 2 });
  }
  const nodes = options.node === undefined ? allNodes : allNodes.filter((n) => n.name === options.node);
  const ports = options.node === undefined ? allPorts : allPorts.filter((p) => p.node === options.node);
  const ask = (node: string | undefined) => clientOf(memberFor(node, reference, members)!);
  const [nodeAnswers, portAnswers] = await Promise.all([
    Promise.all(nodes.map(async (n) => ({ node: n.name, role: n.role, status: await ask(n.name).transportNodeStatus(n.name) }))),
    Promise.all(ports.map(async (p) => ({ port: p.name, status: await ask(p.node).logicalPortStatus(p.name) }))),
  ]);
  return assembleLabStatus(lab, memberStatuses(members, reference), nodeAnswers, portAnswers);
}
