// The northbound API's batch form (POST /api/v1/batch, as NSX's batch API): many writes of the
// resources' routes in one request, in order, by default in one store transaction (all or none).
// Each request's body is the body its own route takes, checked by that route's schema.
import { z } from 'zod';
import { API_PREFIX } from './api-paths.ts';
import { ErrorSchema, IssueSchema } from './northbound.ts';

export const BATCH_PATH = `${API_PREFIX}/batch`;

/** The writes a batch may hold: a create (POST to a collection), a replacement (PUT) or a delete
 *  of an object (its path). */
export const BATCH_METHODS = ['POST', 'PUT', 'DELETE'] as const;
export type BatchMethod = (typeof BATCH_METHODS)[number];

/** The most requests one batch takes, and the largest body (above: 400 and 413). A batch is one
 *  transaction that the store's leader works on alone, and its guards read tables whose size
 *  grows with the lab (about a second for 1,000 ports beside a few thousand objects): our client
 *  sends at most CLIENT_BATCH_LIMITS per call, fewer when the cluster answers slowly. */
export const BATCH_LIMITS = { requests: 5_000, bodyBytes: 16 * 1024 * 1024 } as const;
export const CLIENT_BATCH_LIMITS = { requests: 1_000, bodyBytes: 4 * 1024 * 1024 } as const;

export const BatchRequestItemSchema = z
  .object({
    method: z.enum(BATCH_METHODS, { error: 'a method: POST, PUT, DELETE' }),
    /** `/api/v1/<collection>` for a POST, `/api/v1/<collection>/<name>` for a PUT or DELETE. */
    path: z.string().max(1024),
    /** What the route takes (none for a DELETE). */
    body: z.unknown().optional(),
  })
  .strict();

export const BatchRequestSchema = z
  .object({
    requests: z
      .array(BatchRequestItemSchema)
      .min(1, { error: 'at least one request' })
      .max(BATCH_LIMITS.requests, { error: `at most ${BATCH_LIMITS.requests} requests` }),
    /** true (default): one transaction, all or none; false: each request alone, in order. */
    atomic: z.boolean().default(true),
  })
  .strict();

/** Each request's answer, in order: its status (201 created, 200 kept as it was or replaced,
 *  204 deleted; with `atomic: false`, also a failure's) and the body its route would give. */
export const BatchResultSchema = z.object({ status: z.int(), body: z.unknown().optional() });
export const BatchResponseSchema = z.object({ results: z.array(BatchResultSchema) });

/** An atomic batch refused for one of its requests: the error its route would give, with its
 *  place in `requests` and the name of the object it writes (no place: the batch itself is not
 *  one, e.g. no `requests`). */
export const BatchErrorSchema = ErrorSchema.extend({
  index: z.int().optional(),
  name: z.string().optional(),
  issues: z.array(IssueSchema).optional(),
});

export type BatchRequestItem = z.input<typeof BatchRequestItemSchema>;
export type BatchRequest = z.input<typeof BatchRequestSchema>;
export type BatchResult = z.infer<typeof BatchResultSchema>;
export type BatchResponse = z.infer<typeof BatchResponseSchema>;
export type BatchErrorBody = z.infer<typeof BatchErrorSchema>;
