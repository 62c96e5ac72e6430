// The operations tools' routes: a transport node's status, a logical port's status and its
// counters, as the answering member reads them from its switches (src/controller/status); and
// every node's status, or every port's counters, in one answer (read in parallel, each switch
// bounded as for one).
import {
  API_PREFIX,
  BULK_PATHS,
  listOf,
  LogicalPortStatisticsSchema,
  LogicalPortStatusSchema,
  RESOURCES,
  TransportNodeStatusSchema,
} from '../../model/index.ts';
import { NotFoundError } from '../store/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import type { ComponentSpec, RouteContext, RouteReply, RouteSpec } from './routes.ts';

export const STATUS_COMPONENTS: Record<string, ComponentSpec> = {
  TransportNodeStatus: { schema: TransportNodeStatusSchema, io: 'output' },
  LogicalPortStatus: { schema: LogicalPortStatusSchema, io: 'output' },
  LogicalPortStatistics: { schema: LogicalPortStatisticsSchema, io: 'output' },
  TransportNodeStatusList: { schema: listOf(TransportNodeStatusSchema), io: 'output' },
  LogicalPortStatisticsList: { schema: listOf(LogicalPortStatisticsSchema), io: 'output' },
};

const NO_SOUTHBOUND: RouteReply = {
  status: 501,
  body: { error: 'not implemented', detail: 'this API has no southbound to read switches from' },
};

/** Answers with what the member's southbound reader gives, or 501 where the API has none. */
function reading(read: (reader: SouthboundReader, name: string) => Promise<unknown>) {
  return async (ctx: RouteContext): Promise<RouteReply> =>
    ctx.southbound ? { status: 200, body: await read(ctx.southbound, ctx.params.name ?? '') } : NO_SOUTHBOUND;
}

/** Every item's reading, in the store's order, as one list (one deleted meanwhile is left out). */
function readings(names: (ctx: RouteContext) => string[], read: (reader: SouthboundReader, name: string) => Promise<unknown>) {
  return async (ctx: RouteContext): Promise<RouteReply> => {
    const reader = ctx.southbound;
    if (!reader) return NO_SOUTHBOUND;
    const gone = (err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    };
    const items = await Promise.all(names(ctx).map((name) => read(reader, name).catch(gone)));
    return { status: 200, body: { items: items.filter((i) => i !== undefined) } };
  };
}

const nodes = `${API_PREFIX}/${RESOURCES.transportNodes.segment}/{name}`;
const ports = `${API_PREFIX}/${RESOURCES.logicalPorts.segment}/{name}`;
const NOT_READING: [string, string] = ['This API does not read switches (no southbound)', 'Error'];

export const STATUS_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: `${nodes}/status`,
    operationId: 'getTransportNodeStatus',
    summary: 'A transport node as this member sees it: connections, master, programmed, flows, tunnels (link, BFD, counters)',
    tag: 'status',
    responses: {
      200: ['The node as this member sees it', 'TransportNodeStatus'],
      404: ['No such transport node', 'Error'],
      501: NOT_READING,
    },
    handle: reading((r, name) => r.nodeStatus(name)),
  },
  {
    method: 'GET',
    path: `${ports}/status`,
    operationId: 'getLogicalPortStatus',
    summary: 'A logical port: where it is bound, plugged, up or down, and the flows installed for it',
    tag: 'status',
    responses: { 200: ['The port as this member sees it', 'LogicalPortStatus'], 404: ['No such logical port', 'Error'], 501: NOT_READING },
    handle: reading((r, name) => r.portStatus(name)),
  },
  {
    method: 'GET',
    path: `${ports}/statistics`,
    operationId: 'getLogicalPortStatistics',
    summary: "A logical port's counters: its interface's port statistics, and its classify and delivery flows' packets",
    tag: 'status',
    responses: {
      200: ['The counters, as its node counts them', 'LogicalPortStatistics'],
      404: ['No such logical port', 'Error'],
      501: NOT_READING,
    },
    handle: reading((r, name) => r.portStatistics(name)),
  },
  {
    method: 'GET',
    path: BULK_PATHS.nodeStatuses,
    operationId: 'listTransportNodeStatuses',
    summary: 'Every transport node as this member sees it (each as GET transport-nodes/{name}/status answers, read in parallel)',
    tag: 'status',
    responses: { 200: ['Every transport node, as this member sees it', 'TransportNodeStatusList'], 501: NOT_READING },
    handle: readings(
      (ctx) => ctx.store.listNodes().map((n) => n.name),
      (r, name) => r.nodeStatus(name),
    ),
  },
  {
    method: 'GET',
    path: BULK_PATHS.portStatistics,
    operationId: 'listLogicalPortStatistics',
    summary: "Every logical port's counters (each as GET logical-ports/{name}/statistics answers, read in parallel)",
    tag: 'status',
    responses: { 200: ["Every port's counters", 'LogicalPortStatisticsList'], 501: NOT_READING },
    handle: readings(
      (ctx) => ctx.store.listPorts().map((p) => p.name),
      (r, name) => r.portStatistics(name),
    ),
  },
];
