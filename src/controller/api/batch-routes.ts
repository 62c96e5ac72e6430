// POST /api/v1/batch: many writes of the resources' routes in one request (as NSX's batch API),
// each checked as its own route checks it (parseBody, existingName) and written by the store as
// one transaction (store/batch.ts), or each alone with `atomic: false`.
import {
  API_PREFIX,
  BATCH_LIMITS,
  BATCH_PATH,
  BatchErrorSchema,
  BatchRequestSchema,
  BatchResponseSchema,
  RESOURCES,
  type BatchErrorBody,
  type BatchResult,
  type ResourceName,
} from '../../model/index.ts';
import { BatchWriteError, InvalidError, StoreError, type BatchOutcome, type BatchWrite, type Store } from '../store/index.ts';
import { NO_QUORUM_RESPONSE, toHttpError, type HttpError } from './errors.ts';
import { existingName, parseBody } from './resource-routes.ts';
import type { ComponentSpec, RouteReply, RouteSpec } from './routes.ts';
import { formatIssues } from './schemas.ts';

export const BATCH_COMPONENTS: Record<string, ComponentSpec> = {
  BatchRequest: { schema: BatchRequestSchema, io: 'input' },
  BatchResponse: { schema: BatchResponseSchema, io: 'output' },
  BatchError: { schema: BatchErrorSchema, io: 'output' },
};

type Item = { method: 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown };

const BY_SEGMENT = new Map(Object.entries(RESOURCES).map(([name, r]) => [r.segment as string, name as ResourceName]));
const ROUTE = new RegExp(`^${API_PREFIX}/([^/?#]+)(?:/([^/?#]+))?$`);

const decoded = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/** A request of a batch as the write it is, its body checked as its own route checks it. */
function writeOf(item: Item): BatchWrite {
  const m = ROUTE.exec(item.path);
  const resource = m ? BY_SEGMENT.get(m[1]!) : undefined;
  const name = m?.[2] === undefined ? undefined : decoded(m[2]);
  const r = resource && RESOURCES[resource];
  if (r && item.method === 'POST' && m?.[2] === undefined) return { resource, op: 'create', input: parseBody(r.schema, item.body) };
  if (r && item.method === 'PUT' && name !== undefined) return { resource, op: 'update', name, input: parseBody(r.update, item.body) };
  if (r && item.method === 'DELETE' && name !== undefined) return { resource, op: 'delete', name: existingName(r.kind, name) };
  const message = `not a write of a resource: POST ${API_PREFIX}/<collection>, or PUT or DELETE ${API_PREFIX}/<collection>/<name>`;
  throw new InvalidError(`${item.method} ${item.path} is ${message}`, [{ path: ['path'], message }]);
}

/** The name of the object a request writes, where it says one. */
function nameOf(item: Item): string | undefined {
  const fromPath = ROUTE.exec(item.path)?.[2];
  if (fromPath !== undefined) return decoded(fromPath);
  const name = (item.body as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** The answer its own route would give to a failed request, with its place in the batch; the
 *  issues of a bad body have their path from the batch's body (`requests.3.body.vni`). */
function failureOf(index: number, item: Item, error: StoreError): HttpError & { body: BatchErrorBody } {
  const e = toHttpError(error);
  const name = nameOf(item);
  const issues =
    error instanceof InvalidError
      ? formatIssues(error.issues.map((i) => ({ ...i, path: ['requests', index, ...prefix(i.path), ...i.path] })))
      : undefined;
  return {
    ...e,
    body: {
      ...e.body,
      detail: `request ${index} (${item.method} ${item.path}${name === undefined ? '' : `, "${name}"`}): ${e.body.detail}`,
      index,
      ...(name === undefined ? {} : { name }),
      ...(issues ? { issues } : {}),
    },
  };
}

// A body's issues are under `body`; a path's issue is `path` already.
const prefix = (path: (string | number)[]): string[] => (path[0] === 'path' && path.length === 1 ? [] : ['body']);

const resultOf = (o: BatchOutcome): BatchResult =>
  o.outcome === 'deleted' ? { status: 204 } : { status: o.outcome === 'created' ? 201 : 200, body: o.value };

/** Each request checked; the first that fails, the issues of every bad one. */
function checkAll(items: readonly Item[]): (BatchWrite | StoreError)[] {
  return items.map((item) => {
    try {
      return writeOf(item);
    } catch (error) {
      if (error instanceof StoreError) return error;
      throw error;
    }
  });
}

async function handleBatch(store: Store, body: unknown): Promise<RouteReply> {
  const { requests, atomic } = parseBody(BatchRequestSchema, body);
  const checked = checkAll(requests);
  if (!atomic) {
    const writes = checked.filter((c): c is BatchWrite => !(c instanceof StoreError));
    const done = writes.length > 0 ? await store.batch(writes, { atomic: false }) : [];
    const results = checked.map((c, i): BatchResult => {
      const r = c instanceof StoreError ? { error: c } : done.shift()!;
      if ('outcome' in r) return resultOf(r);
      const { status, body } = failureOf(i, requests[i]!, r.error);
      return { status, body };
    });
    return { status: 200, body: { results } };
  }
  const bad = checked.findIndex((c) => c instanceof StoreError);
  if (bad >= 0) {
    const failure = failureOf(bad, requests[bad]!, checked[bad] as StoreError);
    // Every bad body's issues at once, so that a client mends them in one go.
    if (failure.status === 400)
      failure.body.issues = checked.flatMap((c, i) => (c instanceof InvalidError ? (failureOf(i, requests[i]!, c).body.issues ?? []) : []));
    return failure;
  }
  try {
    const done = await store.batch(checked as BatchWrite[]);
    return { status: 200, body: { results: done.map(resultOf) } };
  } catch (error) {
    if (error instanceof BatchWriteError) return failureOf(error.index, requests[error.index]!, error.error);
    throw error;
  }
}

export const BATCH_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: BATCH_PATH,
    operationId: 'batch',
    summary:
      'Many writes in one request, in order: creates (POST to a collection), replacements (PUT) and deletes (DELETE) of objects, each with the body its own route takes. ' +
      'Atomic (default): one store transaction, all or none; a request may refer to an object an earlier one creates. ' +
      'A create of an object that exists exactly as sent keeps it (200), so a batch sent again after a lost answer does what it did. ' +
      `With "atomic": false, each request alone and answered for itself. At most ${BATCH_LIMITS.requests} requests and ${BATCH_LIMITS.bodyBytes / 1024 / 1024} MiB.`,
    tag: 'batch',
    body: 'BatchRequest',
    bodyLimit: BATCH_LIMITS.bodyBytes,
    responses: {
      200: ["Every request's status and body, in order (201 created, 200 kept or replaced, 204 deleted)", 'BatchResponse'],
      400: ['The batch is not one, or a request of an atomic batch is not valid: every issue, with the first bad request', 'BatchError'],
      404: ['A request of an atomic batch names an object that does not exist (nothing was written)', 'BatchError'],
      409: ['A request of an atomic batch clashes with the store (nothing was written)', 'BatchError'],
      503: NO_QUORUM_RESPONSE,
    },
    handle: (ctx) => handleBatch(ctx.store, ctx.body),
  },
];
