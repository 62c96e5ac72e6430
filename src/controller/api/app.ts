// The northbound API as a fastify app. No listen here: the member process (or a test) listens.
import Fastify, { type FastifyInstance } from 'fastify';
import { StoreUnavailableError, type Store } from '../store/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import { registerConsole, type ConsoleFiles } from './console-routes.ts';
import { toHttpError } from './errors.ts';
import { API_LIMITS, serverOptions, type ApiLimits } from './limits.ts';
import { buildOpenApiDocument } from './openapi.ts';
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
}

export function createApi(options: ApiOptions): FastifyInstance {
  const send = (reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b?: unknown): unknown }, r: RouteReply) => {
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    return reply.send(r.body);
  };

  const app = Fastify({
    logger: options.logger ?? false,
    ...serverOptions({ ...API_LIMITS, ...options.limits }),
    // A URL fastify cannot decode, or a body its parsers refuse, gets the API's error shape too.
    frameworkErrors: (err, _request, reply) => send(reply, toHttpError(err)),
  });
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
    send(reply, { status: 404, body: { error: 'not found', detail: `no route ${request.method} ${request.url}` } }),
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
  app.get('/openapi.json', async () => openapi);
  if (options.console) registerConsole(app, options.console);
  return app;
}
