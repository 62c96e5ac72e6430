// The northbound API as a fastify app. No listen here: the member process (or a test) listens.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { StoreUnavailableError, type Store } from '../store/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import { registerAudit, type AuditSink } from './audit.ts';
import { OPEN_ROUTE, refusalOf, registerAuth } from './auth.ts';
import { registerConsole, type ConsoleFiles } from './console-routes.ts';
import { toHttpError, type HttpError } from './errors.ts';
import { API_LIMITS, serverOptions, type ApiLimits, type TlsMaterial } from './limits.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { registerProgress } from './progress.ts';
import { ROUTES, type RouteReply } from './routes.ts';
import { API_PREFIX, type ClusterMember } from '../../model/index.ts';
import type { LabGraph, LaidOutGraph } from '../../graph/index.ts';

export interface ApiOptions {
  store: Store;
  /** This member's name (ctrlK). */
  member: string;
  /** Extra fields for GET /api/v1/status (e.g. the nodes this member is master of). */
  status?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * GETs while the store is cut off from its quorum: 'serve' the last snapshot with header
   * `x-nvstore-stale: true` (default), or 'refuse' with 503. Status is always served.
   */
  staleReads?: 'serve' | 'refuse';
  /** What the member reads from its switches, for the status routes (absent: they answer 501). */
  southbound?: SouthboundReader;
  /** Every member of the cluster, each asked for its status (GET /api/v1/members). */
  members?: () => Promise<ClusterMember[]>;
  /** Lays out the graphs the console sends (POST /api/v1/graph/layout; absent: 501). */
  layout?: (graph: LabGraph) => Promise<LaidOutGraph>;
  /** The web console's files, served at `/` (absent: the API alone). */
  console?: ConsoleFiles;
  /** fastify logger option (default off). */
  logger?: boolean;
  /** Body size and timeouts of the listener (default API_LIMITS; tests shorten them). */
  limits?: Partial<ApiLimits>;
  /** HTTPS with this key and certificate (absent: plain HTTP). */
  tls?: TlsMaterial;
  /** The lab's API token, wanted on every /api/ route (auth.ts). Absent: nothing is asked, for
   *  tests of the routes alone; a member always has one. */
  token?: string;
  /** Takes every write answered and every request refused for the token (audit.ts). */
  audit?: AuditSink;
}

export function createApi(options: ApiOptions): FastifyInstance {
  const send = (reply: FastifyReply, r: RouteReply | HttpError) => {
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    return reply.send(r.body);
  };
  const token = options.token;
  // Answers fastify gives without the hooks (an undecodable URL): checked for the token and
  // audited here.
  let audited: ((request: FastifyRequest, status: number) => void) | undefined;
  const sendUnhooked = (request: FastifyRequest, reply: FastifyReply, r: RouteReply | HttpError) => {
    audited?.(request, r.status);
    return send(reply, r);
  };

  // Over HTTPS the instance is fastify's https flavour; every use of it here is the same.
  const app = Fastify({
    logger: options.logger ?? false,
    ...serverOptions({ ...API_LIMITS, ...options.limits }, options.tls),
    // A URL fastify cannot decode gets the API's error shape too; a client without the token
    // gets 401 first, as on any other route.
    frameworkErrors: (err, request, reply) => sendUnhooked(request, reply, refusalOf(request, token) ?? toHttpError(err)),
  }) as unknown as FastifyInstance;
  if (token !== undefined) registerAuth(app, token, send);
  if (options.audit) audited = registerAudit(app, options.member, options.audit);
  registerProgress(app);
  const openapi = buildOpenApiDocument();

  app.setErrorHandler((err, request, reply) => {
    const e = toHttpError(err);
    // Say what the limit is, so a client knows what it may send.
    if (e.status === 413)
      e.body = { error: 'payload too large', detail: `the body is over this route's limit of ${request.routeOptions.bodyLimit} bytes` };
    if (e.status >= 500 && e.status !== 503) app.log.error(err);
    return send(reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendUnhooked(
      request,
      reply,
      // An undecodable URL of a method without routes comes here without the hooks.
      refusalOf(request, token) ?? { status: 404, body: { error: 'not found', detail: `no route ${request.method} ${request.url}` } },
    ),
  );

  for (const route of ROUTES) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{([^}]+)\}/g, ':$1'),
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      handler: async (request, reply) => {
        const stale = route.method === 'GET' && !options.store.status().available;
        if (stale && options.staleReads === 'refuse' && route.path !== `${API_PREFIX}/status`) {
          throw new StoreUnavailableError('the store member is cut off from its quorum; its last snapshot may be stale', 'no');
        }
        const r = await route.handle({
          store: options.store,
          member: options.member,
          params: (request.params ?? {}) as Record<string, string>,
          body: request.body,
          extraStatus: options.status,
          southbound: options.southbound,
          members: options.members,
          layout: options.layout,
        });
        // Reads come from this member's replica; say so when it may be behind the cluster.
        if (stale) reply.header('x-nvstore-stale', 'true');
        return send(reply, r);
      },
    });
  }
  app.get('/openapi.json', OPEN_ROUTE, async () => openapi);
  if (options.console) registerConsole(app, options.console);
  return app;
}
