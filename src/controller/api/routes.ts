// Every route of the northbound API as data: fastify registers them and the OpenAPI document is
// generated from the same list, so the document cannot miss or misdescribe a route.
import type { z } from 'zod';
import {
  API_PREFIX,
  ErrorSchema,
  LogicalPortSchema,
  LogicalPortUpdateSchema,
  LogicalRouterSchema,
  LogicalRouterUpdateSchema,
  LogicalSwitchSchema,
  LogicalSwitchUpdateSchema,
  NoQuorumErrorSchema,
  StatusSchema,
  TransportNodeSchema,
  TransportNodeUpdateSchema,
  ValidationErrorSchema,
  listOf,
} from '../../model/index.ts';
import { InvalidError, type Store } from '../store/index.ts';

export interface RouteContext {
  store: Store;
  member: string;
  params: Record<string, string>;
  body: unknown;
  extraStatus: (() => Record<string, unknown> | Promise<Record<string, unknown>>) | undefined;
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
  /** Status -> [description, component name of the response body (none: empty body)]. */
  responses: Record<number, [string, string?]>;
  handle(ctx: RouteContext): Promise<RouteReply> | RouteReply;
}

/** A named schema for the OpenAPI document; `io: 'input'` for request bodies (defaults optional). */
export interface ComponentSpec {
  schema: z.ZodType;
  io: 'input' | 'output';
}

export const COMPONENTS: Record<string, ComponentSpec> = {
  TransportNode: { schema: TransportNodeSchema, io: 'output' },
  TransportNodeCreate: { schema: TransportNodeSchema, io: 'input' },
  TransportNodeUpdate: { schema: TransportNodeUpdateSchema, io: 'input' },
  TransportNodeList: { schema: listOf(TransportNodeSchema), io: 'output' },
  LogicalSwitch: { schema: LogicalSwitchSchema, io: 'output' },
  LogicalSwitchCreate: { schema: LogicalSwitchSchema, io: 'input' },
  LogicalSwitchUpdate: { schema: LogicalSwitchUpdateSchema, io: 'input' },
  LogicalSwitchList: { schema: listOf(LogicalSwitchSchema), io: 'output' },
  LogicalPort: { schema: LogicalPortSchema, io: 'output' },
  LogicalPortCreate: { schema: LogicalPortSchema, io: 'input' },
  LogicalPortUpdate: { schema: LogicalPortUpdateSchema, io: 'input' },
  LogicalPortList: { schema: listOf(LogicalPortSchema), io: 'output' },
  LogicalRouter: { schema: LogicalRouterSchema, io: 'output' },
  LogicalRouterCreate: { schema: LogicalRouterSchema, io: 'input' },
  LogicalRouterUpdate: { schema: LogicalRouterUpdateSchema, io: 'input' },
  LogicalRouterList: { schema: listOf(LogicalRouterSchema), io: 'output' },
  Status: { schema: StatusSchema, io: 'output' },
  Error: { schema: ErrorSchema, io: 'output' },
  ValidationError: { schema: ValidationErrorSchema, io: 'output' },
  NoQuorumError: { schema: NoQuorumErrorSchema, io: 'output' },
};

/** Validates a request body against a component's schema; every issue is reported. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
  throw new InvalidError(`invalid request body (${issues.length} issue${issues.length === 1 ? '' : 's'})`, issues);
}

interface ResourceSpec<T extends { name: string }> {
  segment: string;
  kind: string;
  component: string;
  list(store: Store): T[];
  get(store: Store, name: string): T;
  create(store: Store, input: unknown): Promise<T>;
  update(store: Store, name: string, input: unknown): Promise<T>;
  remove(store: Store, name: string): Promise<void>;
}

const WRITE_ERRORS: Record<number, [string, string?]> = {
  400: ['Invalid body: every issue with its path', 'ValidationError'],
  409: ['Clash with the store: duplicate name, VNI, MAC or IP, the object is in use, or a reference of the wrong kind (a router gateway that is not an l3-gateway)', 'Error'],
  503: ['The store member cannot reach a majority of the cluster', 'NoQuorumError'],
};

function resourceRoutes<T extends { name: string }>(r: ResourceSpec<T>): RouteSpec[] {
  const collection = `${API_PREFIX}/${r.segment}`;
  const item = `${collection}/{name}`;
  const op = r.component;
  const name = (ctx: RouteContext) => ctx.params.name ?? '';
  return [
    {
      method: 'GET',
      path: collection,
      operationId: `list${op}s`,
      summary: `List ${r.kind}s`,
      tag: r.segment,
      responses: { 200: [`All ${r.kind}s, by name`, `${op}List`] },
      handle: (ctx) => ({ status: 200, body: { items: r.list(ctx.store) } }),
    },
    {
      method: 'POST',
      path: collection,
      operationId: `create${op}`,
      summary: `Create a ${r.kind}`,
      tag: r.segment,
      body: `${op}Create`,
      responses: { 201: [`The ${r.kind} as stored`, op], ...WRITE_ERRORS, 404: ['A referenced object does not exist', 'Error'] },
      handle: async (ctx) => {
        const created = await r.create(ctx.store, parseBody(COMPONENTS[`${op}Create`]!.schema, ctx.body));
        return { status: 201, body: created, headers: { location: `${collection}/${created.name}` } };
      },
    },
    {
      method: 'GET',
      path: item,
      operationId: `get${op}`,
      summary: `Get a ${r.kind}`,
      tag: r.segment,
      responses: { 200: [`The ${r.kind}`, op], 404: [`No such ${r.kind}`, 'Error'] },
      handle: (ctx) => ({ status: 200, body: r.get(ctx.store, name(ctx)) }),
    },
    {
      method: 'PUT',
      path: item,
      operationId: `update${op}`,
      summary: `Replace a ${r.kind} (the name cannot change)`,
      tag: r.segment,
      body: `${op}Update`,
      responses: { 200: [`The ${r.kind} as stored`, op], ...WRITE_ERRORS, 404: [`No such ${r.kind}, or a referenced object does not exist`, 'Error'] },
      handle: async (ctx) => ({ status: 200, body: await r.update(ctx.store, name(ctx), parseBody(COMPONENTS[`${op}Update`]!.schema, ctx.body)) }),
    },
    {
      method: 'DELETE',
      path: item,
      operationId: `delete${op}`,
      summary: `Delete a ${r.kind}`,
      tag: r.segment,
      responses: { 204: ['Deleted'], 404: [`No such ${r.kind}`, 'Error'], 409: WRITE_ERRORS[409]!, 503: WRITE_ERRORS[503]! },
      handle: async (ctx) => {
        await r.remove(ctx.store, name(ctx));
        return { status: 204 };
      },
    },
  ];
}

type Input<S extends z.ZodType> = z.output<S>;

export const ROUTES: RouteSpec[] = [
  ...resourceRoutes({
    segment: 'transport-nodes',
    kind: 'transport node',
    component: 'TransportNode',
    list: (s) => s.listNodes(),
    get: (s, n) => s.getNode(n),
    create: (s, b) => s.createNode(b as Input<typeof TransportNodeSchema>),
    update: (s, n, b) => s.updateNode(n, b as Input<typeof TransportNodeUpdateSchema>),
    remove: (s, n) => s.deleteNode(n),
  }),
  ...resourceRoutes({
    segment: 'logical-switches',
    kind: 'logical switch',
    component: 'LogicalSwitch',
    list: (s) => s.listSwitches(),
    get: (s, n) => s.getSwitch(n),
    create: (s, b) => s.createSwitch(b as Input<typeof LogicalSwitchSchema>),
    update: (s, n, b) => s.updateSwitch(n, b as Input<typeof LogicalSwitchUpdateSchema>),
    remove: (s, n) => s.deleteSwitch(n),
  }),
  ...resourceRoutes({
    segment: 'logical-ports',
    kind: 'logical port',
    component: 'LogicalPort',
    list: (s) => s.listPorts(),
    get: (s, n) => s.getPort(n),
    create: (s, b) => s.createPort(b as Input<typeof LogicalPortSchema>),
    update: (s, n, b) => s.updatePort(n, b as Input<typeof LogicalPortUpdateSchema>),
    remove: (s, n) => s.deletePort(n),
  }),
  ...resourceRoutes({
    segment: 'logical-routers',
    kind: 'logical router',
    component: 'LogicalRouter',
    list: (s) => s.listRouters(),
    get: (s, n) => s.getRouter(n),
    create: (s, b) => s.createRouter(b as Input<typeof LogicalRouterSchema>),
    update: (s, n, b) => s.updateRouter(n, b as Input<typeof LogicalRouterUpdateSchema>),
    remove: (s, n) => s.deleteRouter(n),
  }),
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
            ...(st.server ? { model: st.server.model, clusterConnected: st.server.connected, leader: st.server.leader } : {}),
            ...(st.server?.index !== undefined ? { index: st.server.index } : {}),
          },
          members: ctx.store.members().map((m) => ({ ...m, live: m.expires > now })),
          masterships: ctx.store.masterships(),
        },
      };
    },
  },
];
