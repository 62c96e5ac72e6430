// A typed client of the northbound API, derived from its contract in src/model: per resource of
// RESOURCES, list, get, create, update and delete with the resource's own schemas (bodies are
// their input types, answers their parsed output), the members' status, traceflows and learned MAC
// bindings.
import type { z } from 'zod';
import { API_PREFIX, RESOURCES, StatusSchema, listOf, type ResourceDescription, type ResourceName, type Status } from '../model/index.ts';
import { NO_BODY, outcomeOf, type Outcome, type SuccessKind } from './outcomes.ts';
import { batchClient, type BatchClient } from './batch.ts';
import { macBindingClient, type MacBindingClient } from './mac-bindings.ts';
import { operationsClient, type OperationsClient } from './operations.ts';
import { traceflowClient, type TraceflowClient } from './traceflows.ts';
import {
  exchangeOnce,
  onceTransport,
  transport,
  type MemberOptions,
  type Method,
  type Transport,
  type TransportOptions,
} from './transport.ts';

type Named = { name: string };

/** The operations on one resource; each resolves to an outcome, never throws for an answer. */
export interface ResourceClient<C extends z.ZodType<Named, Named>, U extends z.ZodType> {
  list(): Promise<Outcome<z.output<C>[]>>;
  get(name: string): Promise<Outcome<z.output<C>>>;
  /**
   * Retry-safe: the client retries a POST answered "no quorum" or not at all, which may have
   * committed; the retry then meets its own row. So a conflict over a row of that name that
   * holds what was sent counts as created (with the row); any other stays a conflict.
   */
  create(body: z.input<C>): Promise<Outcome<z.output<C>, 'created'>>;
  /** Replaces the whole object; the name cannot change. */
  update(name: string, body: z.input<U>): Promise<Outcome<z.output<C>>>;
  /** A DELETE retried after an answer of unknown outcome that then meets 404 counts as done. */
  delete(name: string): Promise<Outcome<undefined>>;
}

type ClientOf<R extends ResourceDescription> =
  R['schema'] extends z.ZodType<Named, Named> ? ResourceClient<R['schema'], R['update']> : never;

export type NorthboundClient = { readonly [K in ResourceName]: ClientOf<(typeof RESOURCES)[K]> } & {
  /** The status of whichever member answers first. */
  status(): Promise<Outcome<Status>>;
  /** Injected traceflows (traceflows.ts). */
  traceflows: TraceflowClient;
  /** The MAC bindings the routers learned (mac-bindings.ts). */
  macBindings: MacBindingClient;
} & OperationsClient &
  BatchClient;

const STATUS_PATH = `${API_PREFIX}/status`;

/** JSON with object keys sorted: the API may answer a nested object with its keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Whether a stored row holds every field that was sent: objects alike once canonical, plain
 *  values alike but for case (the store lower-cases MACs). */
function holds(row: object, sent: object): boolean {
  const stored = new Map(Object.entries(row));
  return Object.entries(sent).every(
    ([k, v]) =>
      v === undefined ||
      (typeof v === 'object' ? canonical(stored.get(k)) === canonical(v) : String(stored.get(k)).toLowerCase() === String(v).toLowerCase()),
  );
}

function resourceClient<C extends z.ZodType<Named, Named>, U extends z.ZodType>(
  t: Transport,
  r: ResourceDescription<C, U>,
): ResourceClient<C, U> {
  const collection = `${API_PREFIX}/${r.segment}`;
  const item = (name: string) => `${collection}/${encodeURIComponent(name)}`;
  const call = async <S extends z.ZodType, K extends SuccessKind>(method: Method, path: string, body: unknown, success: K, schema: S) =>
    outcomeOf(method, path, await t.exchange(method, path, body), success, schema);
  const one = r.schema;
  const items = listOf(r.schema).transform((list) => list.items);
  const client: ResourceClient<C, U> = {
    list: () => call('GET', collection, undefined, 'ok', items),
    get: (name) => call('GET', item(name), undefined, 'ok', one),
    async create(body) {
      const created = await call('POST', collection, body, 'created', one);
      if (created.kind !== 'conflict') return created;
      const existing = await client.get(body.name);
      // Compared in the stored spelling: defaults filled in, a port's groups sorted.
      const sent = one.safeParse(body);
      return existing.kind === 'ok' && holds(existing.value, sent.success ? sent.data : body)
        ? { kind: 'created', value: existing.value }
        : created;
    },
    update: (name, body) => call('PUT', item(name), body, 'ok', one),
    delete: (name) => call('DELETE', item(name), undefined, 'ok', NO_BODY),
  };
  return client;
}

/**
 * A client of the cluster whose members' management addresses are given: it tries the members
 * in turn, and retries while the cluster has no quorum yet (503) or a member does not answer,
 * until the deadline (transport.ts).
 */
export function northbound(memberIps: readonly string[], options: TransportOptions = {}): NorthboundClient {
  return clientOver(transport(memberIps, options));
}

/** A client of one member that asks it once per request (no retry, no other member), each
 *  within `timeoutMs`: for reading every member, or one in particular. */
export function memberClient(ip: string, options: MemberOptions = {}): NorthboundClient {
  return clientOver(onceTransport(ip, options));
}

function clientOver(t: Transport): NorthboundClient {
  const names = Object.keys(RESOURCES) as ResourceName[];
  const resources = Object.fromEntries(
    names.map((name) => [name, resourceClient(t, RESOURCES[name] as ResourceDescription<z.ZodType<Named, Named>, z.ZodType>)]),
  ) as { [K in ResourceName]: ClientOf<(typeof RESOURCES)[K]> };
  return {
    ...resources,
    status: async () => outcomeOf('GET', STATUS_PATH, await t.exchange('GET', STATUS_PATH), 'ok', StatusSchema),
    ...operationsClient(t),
    ...batchClient(t),
    traceflows: traceflowClient(t),
    macBindings: macBindingClient(t),
  };
}

/** One member's status, asked once (no retry, no other member): for polling every member. */
export async function memberStatus(ip: string, options: MemberOptions = {}): Promise<Outcome<Status>> {
  return outcomeOf('GET', STATUS_PATH, await exchangeOnce(ip, 'GET', STATUS_PATH, options), 'ok', StatusSchema);
}
