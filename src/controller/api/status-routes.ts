// The operations tools' routes: a transport node's status, a logical port's status and its
// counters, as the answering member reads them from its switches (src/controller/status).
import {
  API_PREFIX,
  LogicalPortStatisticsSchema,
  LogicalPortStatusSchema,
  RESOURCES,
  TransportNodeStatusSchema,
} from '../../model/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import type { ComponentSpec, RouteContext, RouteReply, RouteSpec } from './routes.ts';

export const STATUS_COMPONENTS: Record<string, ComponentSpec> = {
  TransportNodeStatus: { schema: TransportNodeStatusSchema, io: 'output' },
  LogicalPortStatus: { schema: LogicalPortStatusSchema, io: 'output' },
  LogicalPortStatistics: { schema: LogicalPortStatisticsSchema, io: 'output' },
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
];
