// Every route of the northbound API as data: fastify registers them and the OpenAPI document is
// generated from the same list, so the document cannot miss or misdescribe a route. Each resource
// of RESOURCES brings its routes and components (resource-routes.ts).
import type { z } from 'zod';
import type { LabGraph, LaidOutGraph } from '../../graph/index.ts';
import {
  API_PREFIX,
  ClusterMemberSchema,
  ErrorSchema,
  listOf,
  NoQuorumErrorSchema,
  RESOURCES,
  raftRoleOf,
  StatusSchema,
  ValidationErrorSchema,
  type ClusterMember,
  type ResourceName,
} from '../../model/index.ts';
import type { Store } from '../store/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import { resourceComponents, resourceRoutes } from './resource-routes.ts';
import { STATUS_COMPONENTS, STATUS_ROUTES } from './status-routes.ts';
import { TRACEFLOW_COMPONENTS, TRACEFLOW_ROUTES } from './traceflow-routes.ts';
import { GRAPH_COMPONENTS, GRAPH_ROUTES } from './graph-routes.ts';
import { MAC_BINDING_COMPONENTS, MAC_BINDING_ROUTES } from './mac-binding-routes.ts';
import { BATCH_COMPONENTS, BATCH_ROUTES } from './batch-routes.ts';

export interface RouteContext {
  store: Store;
  member: string;
  params: Record<string, string>;
  body: unknown;
  extraStatus: (() => Record<string, unknown> | Promise<Record<string, unknown>>) | undefined;
  /** What the member reads from its switches (the status routes); absent in an API without one. */
  southbound?: SouthboundReader | undefined;
  /** Every member, each asked for its status (absent in an API that knows no peers). */
  members?: (() => Promise<ClusterMember[]>) | undefined;
  /** Lays a graph out (absent: the graph route answers 501). */
  layout?: ((graph: LabGraph) => Promise<LaidOutGraph>) | undefined;
}

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI form: `/api/v1/logical-ports/{name}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Component name of the request body schema. */
  body?: string;
  /** The largest body it takes, in bytes (default: fastify's, 1 MiB). */
  bodyLimit?: number;
  /** Status -> [description, component name of the response body (none: empty body)]. */
  responses: Record<number, [string, string?]>;
  handle(ctx: RouteContext): Promise<RouteReply> | RouteReply;
}

/** A named schema for the OpenAPI document; `io: 'input'` for request bodies (defaults optional). */
export interface ComponentSpec {
  schema: z.ZodType;
  io: 'input' | 'output';
}

const RESOURCE_NAMES = Object.keys(RESOURCES) as ResourceName[];

export const COMPONENTS: Record<string, ComponentSpec> = {
  ...Object.fromEntries(RESOURCE_NAMES.flatMap(resourceComponents)),
  ...MAC_BINDING_COMPONENTS,
  ...BATCH_COMPONENTS,
  Status: { schema: StatusSchema, io: 'output' },
  ClusterMemberList: { schema: listOf(ClusterMemberSchema), io: 'output' },
  Error: { schema: ErrorSchema, io: 'output' },
  ValidationError: { schema: ValidationErrorSchema, io: 'output' },
  NoQuorumError: { schema: NoQuorumErrorSchema, io: 'output' },
  ...STATUS_COMPONENTS,
  ...TRACEFLOW_COMPONENTS,
  ...GRAPH_COMPONENTS,
};

export const ROUTES: RouteSpec[] = [
  ...RESOURCE_NAMES.flatMap((name) => resourceRoutes(name)),
  ...MAC_BINDING_ROUTES,
  ...BATCH_ROUTES,
  {
    method: 'GET',
    path: `${API_PREFIX}/status`,
    operationId: 'getStatus',
    summary: 'This member: its store connection (leader, connected), members and masterships',
    tag: 'status',
    responses: { 200: ['Status of this member', 'Status'] },
    handle: async (ctx) => {
      const st = ctx.store.status();
      const now = Date.now();
      const extra = (await ctx.extraStatus?.()) ?? {};
      return {
        status: 200,
        body: {
          ...extra,
          member: ctx.member,
          store: {
            ...(st.remote ? { remote: st.remote } : {}),
            connected: st.connected,
            synced: st.synced,
            available: st.available,
            ...(st.server
              ? { model: st.server.model, clusterConnected: st.server.connected, leader: st.server.leader, role: raftRoleOf(st.server) }
              : {}),
            ...(st.server?.index !== undefined ? { index: st.server.index } : {}),
          },
          members: ctx.store.members().map((m) => ({ ...m, live: m.expires > now })),
          masterships: ctx.store.masterships(),
        },
      };
    },
  },
  {
    method: 'GET',
    path: `${API_PREFIX}/members`,
    operationId: 'listMembers',
    summary: 'Every controller member, each asked by this one: address, lease, Raft role, the nodes it masters, or why it did not answer',
    tag: 'status',
    responses: {
      200: ['Every member of the cluster', 'ClusterMemberList'],
      501: ['This API does not know its peers', 'Error'],
    },
    handle: async (ctx) =>
      ctx.members
        ? { status: 200, body: { items: await ctx.members() } }
        : { status: 501, body: { error: 'not implemented', detail: 'this API does not know its peers' } },
  },
  ...STATUS_ROUTES,
  ...TRACEFLOW_ROUTES,
  ...GRAPH_ROUTES,
];
