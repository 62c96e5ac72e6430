// `nvlab graph LAB`: a running lab's graph as its controller cluster sees it, drawn from the
// northbound API alone (as the console draws it): the resources the cluster holds, and the live
// state its members answer (`nvlab status`).
import type { Runtime } from '../runtime/runtime.ts';
import { graphFromResources, withLiveState, type GraphView, type LabGraph } from '../graph/index.ts';
import { memberClient, unwrap } from '../northbound-client/index.ts';
import type { ClientName } from '../model/index.ts';
import { NvlabError } from '../util/errors.ts';
import { labApiAccess } from './lab-api.ts';
import { labStatus } from './status/index.ts';

export async function labGraph(
  runtime: Runtime,
  lab: string,
  view: GraphView = 'both',
  options: { timeoutMs?: number; client?: ClientName } = {},
): Promise<LabGraph> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const access = await labApiAccess(lab, options.client);
  const status = await labStatus(runtime, lab, { timeoutMs, ...(options.client ? { client: options.client } : {}) });
  const readAt = new Date().toISOString();
  const answering = status.members.find((m) => m.ip && m.raft === 'leader') ?? status.members.find((m) => m.ip && m.error === undefined);
  if (!answering?.ip) throw new NvlabError('NO_ANSWER', `no controller member of lab ${lab} answers`);
  const client = memberClient(answering.ip, { timeoutMs, ...access });
  const [transportNodes, switches, ports, routers] = await Promise.all([
    client.transportNodes.list().then(unwrap),
    client.logicalSwitches.list().then(unwrap),
    client.logicalPorts.list().then(unwrap),
    client.logicalRouters.list().then(unwrap),
  ]);
  const members = status.members.map((m) => ({ name: m.name, ip: m.ip }));
  const graph = graphFromResources({ lab, members, transportNodes, switches, ports, routers }, view);
  return withLiveState(graph, { readAt, members: status.members, nodes: status.nodes, ports: status.ports });
}
