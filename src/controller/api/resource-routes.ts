// The routes and OpenAPI components of one resource of RESOURCES, generated from its model entry
// (segment, kind, component name, schemas) over the store's generic operations: a resource is in
// the API and its document by being described.
import type { z } from 'zod';
import { API_PREFIX, RESOURCES, listOf, nameSchema, type ResourceName } from '../../model/index.ts';
import { InvalidError, NotFoundError, type ResourceOf } from '../store/index.ts';
import type { ComponentSpec, RouteContext, RouteSpec } from './routes.ts';
import { NO_QUORUM_RESPONSE } from './errors.ts';

/** Validates a request body against a component's schema; every issue is reported. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
  throw new InvalidError(`invalid request body (${issues.length} issue${issues.length === 1 ? '' : 's'})`, issues);
}

/** A name from a path, for a write that names an existing object: one the model refuses names
 *  nothing, so it is 404 without asking the store (ovsdb-server drops a client that sends some
 *  strings, a NUL among them, and the request would read as a lost quorum). */
export function existingName(kind: string, name: string): string {
  if (!nameSchema.safeParse(name).success) throw new NotFoundError(kind, name);
  return name;
}

const WRITE_ERRORS: Record<number, [string, string?]> = {
  400: ['Invalid body: every issue with its path', 'ValidationError'],
  409: [
    'Clash with the store: duplicate name, VNI, MAC or IP, the object is in use, or a reference of the wrong kind (a router gateway that is not an l3-gateway)',
    'Error',
  ],
  503: NO_QUORUM_RESPONSE,
};

/** The object, its create and update bodies (defaults optional: the zod input side), and its list. */
export function resourceComponents(name: ResourceName): [string, ComponentSpec][] {
  const r = RESOURCES[name];
  return [
    [r.component, { schema: r.schema, io: 'output' }],
    [`${r.component}Create`, { schema: r.schema, io: 'input' }],
    [`${r.component}Update`, { schema: r.update, io: 'input' }],
    [`${r.component}List`, { schema: listOf(r.schema), io: 'output' }],
  ];
}

// A parsed body is also a valid input (its defaults filled in); TypeScript cannot see it for any N.
type Input<N extends ResourceName> = z.input<(typeof RESOURCES)[N]['schema']>;
type UpdateInput<N extends ResourceName> = z.input<(typeof RESOURCES)[N]['update']>;

/** List, create, get, replace and delete, under `/api/v1/<segment>`. */
export function resourceRoutes<N extends ResourceName>(name: N): RouteSpec[] {
  const r = RESOURCES[name];
  const collection = `${API_PREFIX}/${r.segment}`;
  const item = `${collection}/{name}`;
  const op = r.component;
  const objects = (ctx: RouteContext): ResourceOf<N> => ctx.store.resource(name);
  const key = (ctx: RouteContext) => ctx.params.name ?? '';
  return [
    {
      method: 'GET',
      path: collection,
      operationId: `list${op}s`,
      summary: `List ${r.kind}s`,
      tag: r.segment,
      responses: { 200: [`All ${r.kind}s, by name`, `${op}List`] },
      handle: (ctx) => ({ status: 200, body: { items: objects(ctx).list() } }),
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
        // The body is checked before the store is reached.
        const body = parseBody(r.schema, ctx.body) as Input<N>;
        const created = await objects(ctx).create(body);
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
      handle: (ctx) => ({ status: 200, body: objects(ctx).get(key(ctx)) }),
    },
    {
      method: 'PUT',
      path: item,
      operationId: `update${op}`,
      summary: `Replace a ${r.kind} (the name cannot change)`,
      tag: r.segment,
      body: `${op}Update`,
      responses: {
        200: [`The ${r.kind} as stored`, op],
        ...WRITE_ERRORS,
        404: [`No such ${r.kind}, or a referenced object does not exist`, 'Error'],
      },
      handle: async (ctx) => {
        const body = parseBody(r.update, ctx.body) as UpdateInput<N>;
        return { status: 200, body: await objects(ctx).update(key(ctx), body) };
      },
    },
    {
      method: 'DELETE',
      path: item,
      operationId: `delete${op}`,
      summary: `Delete a ${r.kind}`,
      tag: r.segment,
      responses: { 204: ['Deleted'], 404: [`No such ${r.kind}`, 'Error'], 409: WRITE_ERRORS[409]!, 503: WRITE_ERRORS[503]! },
      handle: async (ctx) => {
        const name = existingName(r.kind, key(ctx));
        await objects(ctx).delete(name);
        return { status: 204 };
      },
    },
  ];
}
