// The member's audit log: every write the API answered (POST, PUT, PATCH, DELETE, whatever the
// answer) and every request it refused for the token, one JSON object per line: when, which
// member, who (the token's holder or "anonymous", the client's address, the name our clients
// give), what was asked and answered, and the body that came with it (cut to a few KiB). The
// token itself is never written.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, BATCH_PATH, CLIENT_HEADER } from '../../model/index.ts';
import { identityOf, type Refusal } from './auth.ts';

export interface AuditEntry {
  /** ISO 8601. */
  time: string;
  member: string;
  who: {
    /** The token's holder (TOKEN_HOLDER), or "anonymous" for a refused request. */
    holder: string;
    /** The client's address as the member saw it. */
    address: string;
    /** The name the client gave itself (CLIENT_HEADER), when it did: cli, scenario, console... */
    client?: string;
  };
  method: string;
  /** The request's path and query (cut to MAX_PATH characters). */
  path: string;
  status: number;
  /** Why a 401 was given. */
  refused?: Refusal;
  /** The request body as parsed, or the start of its JSON when it is longer than MAX_WHAT. */
  what?: unknown;
  /** Present when `what` was cut: the length of the whole body's JSON. */
  whatLength?: number;
  /** A batch (POST /api/v1/batch, one entry for all of it): how many requests it held. */
  count?: number;
}

/** Takes each entry (a file in the member, an array in tests); must not throw. */
export type AuditSink = (entry: AuditEntry) => void;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const MAX_WHAT = 4096;
const MAX_PATH = 1024;
const MAX_CLIENT = 64;

/** The body as the log keeps it: whole when its JSON is short, else the start of that JSON. */
function what(body: unknown): Pick<AuditEntry, 'what' | 'whatLength'> {
  if (body === undefined) return {};
  const text = JSON.stringify(body) ?? String(body);
  return text.length <= MAX_WHAT ? { what: body } : { what: text.slice(0, MAX_WHAT), whatLength: text.length };
}

/** The number of requests of a batch's body. */
function countOf(request: FastifyRequest): Pick<AuditEntry, 'count'> {
  const requests = (request.body as { requests?: unknown } | undefined)?.requests;
  return request.routeOptions.url === BATCH_PATH && Array.isArray(requests) ? { count: requests.length } : {};
}

export function auditEntry(request: FastifyRequest, status: number, member: string, now = new Date()): AuditEntry {
  const who = identityOf(request);
  const client = request.headers[CLIENT_HEADER];
  return {
    time: now.toISOString(),
    member,
    who: {
      holder: who?.holder ?? ANONYMOUS,
      address: request.ip,
      ...(typeof client === 'string' && client ? { client: client.slice(0, MAX_CLIENT) } : {}),
    },
    method: request.method,
    path: request.url.slice(0, MAX_PATH),
    status,
    ...(who?.refused ? { refused: who.refused } : {}),
    ...countOf(request),
    ...what(request.body),
  };
}

/** Notes every write answered and every request refused for the token. fastify answers an
 *  undecodable URL without running the hooks: the returned function notes such an answer (and
 *  nothing the hooks saw, which onResponse notes). */
export function registerAudit(app: FastifyInstance, member: string, sink: AuditSink): (request: FastifyRequest, status: number) => void {
  const hooked = new WeakSet<FastifyRequest>();
  const note = (request: FastifyRequest, status: number) => {
    if (WRITES.has(request.method) || status === 401) sink(auditEntry(request, status, member));
  };
  app.addHook('onRequest', async (request) => void hooked.add(request));
  app.addHook('onResponse', async (request, reply) => note(request, reply.statusCode));
  return (request, status) => {
    if (!hooked.has(request)) note(request, status);
  };
}

/** An audit sink appending to `path` (made readable by root only: bodies may hold anything);
 *  a failure to write is said once on stderr, and the member goes on serving. */
export function auditFile(path: string): AuditSink & { close(): Promise<void> } {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  let failed = false;
  stream.on('error', (error) => {
    if (!failed) console.error(`audit log ${path}: ${error.message}`);
    failed = true;
  });
  const sink = (entry: AuditEntry) => {
    if (!failed) stream.write(`${JSON.stringify(entry)}\n`);
  };
  return Object.assign(sink, { close: () => new Promise<void>((resolve) => stream.end(resolve)) });
}
