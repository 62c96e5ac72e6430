// The controller's northbound REST API (fastify 4, zod 4 bodies, OpenAPI 3.1 at /openapi.json).
export { createApi, type ApiOptions } from './app.ts';
export { readConsoleFiles, type ConsoleFiles } from './console-routes.ts';
export { buildOpenApiDocument, type OpenApiDocument } from './openapi.ts';
export { toHttpError, type HttpError, type ErrorBody } from './errors.ts';
export { ROUTES, type RouteSpec } from './routes.ts';
export { formatIssues } from './schemas.ts';
export { auditFile, type AuditEntry, type AuditSink } from './audit.ts';
export { readApiSecrets, type ApiSecrets } from './secrets.ts';
export type { TlsMaterial } from './limits.ts';
