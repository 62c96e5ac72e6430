// The OpenAPI 3.1 document of the northbound API, generated from the route list and the zod
// schemas (OpenAPI 3.1 schemas are JSON Schema 2020-12, which z.toJSONSchema emits).
import { z } from 'zod';
import { PROGRESS_HEADER } from '../../model/index.ts';
import { COMPONENTS, ROUTES, type ComponentSpec, type RouteSpec } from './routes.ts';

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  /** Every operation wants the lab's token (the console's files and this document do not). */
  security: Record<string, string[]>[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown>; responses: Record<string, unknown> };
};

const STALE_HEADER = {
  'x-nvstore-stale': {
    description:
      "Present when this member's store is not in touch with a quorum: the answer is its last snapshot and may be behind the cluster.",
    schema: { type: 'string', enum: ['true'] },
  },
};
const RETRY_AFTER = { 'retry-after': { description: 'Seconds before a retry may succeed', schema: { type: 'string' } } };

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` });

/** The lab's API token as a bearer token; what a request without it gets. */
const SECURITY_SCHEMES = {
  labToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      "The lab's API token, made at deploy (`nvlab inspect` prints it for the lab's owner): `Authorization: Bearer <token>` on every /api/ request, reads too.",
  },
};
const UNAUTHORIZED_RESPONSE = {
  description: "Without the lab's token, or with a wrong one (checked before the body is read)",
  headers: { 'www-authenticate': { description: 'Bearer', schema: { type: 'string' } } },
  content: { 'application/json': { schema: ref('Error') } },
};

function componentSchema(spec: ComponentSpec): unknown {
  const { $schema: _drop, ...schema } = z.toJSONSchema(spec.schema, {
    io: spec.io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return schema;
}

export function buildOpenApiDocument(
  routes: readonly RouteSpec[] = ROUTES,
  components: Record<string, ComponentSpec> = COMPONENTS,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, [description, component]] of Object.entries(r.responses)) {
      responses[status] = {
        description,
        ...(r.method === 'GET' && status === '200' ? { headers: STALE_HEADER } : {}),
        ...(status === '503' ? { headers: RETRY_AFTER } : {}),
        ...(component ? { content: { 'application/json': { schema: ref(component) } } } : {}),
      };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: [r.tag],
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'nvlab controller northbound API',
      version: '1.0.0',
      description: `Transport nodes, logical switches, security groups, logical ports and logical routers of the replicated store, the MAC bindings the routers learned, and member status. Every operation wants the lab's API token (security scheme labToken) and answers 401 \`{"error":"unauthorized"}\` with \`WWW-Authenticate: Bearer\` without it (components/responses/Unauthorized); each write, and each refusal, is written to the member's audit log (a batch as one entry with its count). A client that sends the header \`${PROGRESS_HEADER}\` gets an interim \`102 Processing\` every second while the member works on its request, so it can tell a member that is slow from one that stopped answering.`,
    },
    paths,
    security: [{ labToken: [] }],
    components: {
      schemas: Object.fromEntries(Object.entries(components).map(([name, spec]) => [name, componentSchema(spec)])),
      securitySchemes: SECURITY_SCHEMES,
      responses: { Unauthorized: UNAUTHORIZED_RESPONSE },
    },
  };
}
