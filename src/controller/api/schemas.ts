// Request and response bodies of the northbound API, built from the store's object schemas so
// the store, the API's validation and the OpenAPI document cannot disagree.
import { z } from 'zod';
import { LogicalPortSchema, LogicalSwitchSchema, TransportNodeSchema } from '../store/index.ts';

// A router's update schema lives with the store's: its cross-field checks must wrap the partial object.
export { LogicalRouterUpdateSchema } from '../store/index.ts';

// PUT replaces the whole object; the name comes from the URL (a body may repeat it, unchanged).
export const TransportNodeUpdateSchema = TransportNodeSchema.partial({ name: true });
export const LogicalSwitchUpdateSchema = LogicalSwitchSchema.partial({ name: true });
export const LogicalPortUpdateSchema = LogicalPortSchema.partial({ name: true });

export const IssueSchema = z.object({
  /** Dotted path into the body ("vni", "ports.0.mac"); "" for the body itself. */
  path: z.string(),
  message: z.string(),
});

export const ValidationErrorSchema = z.object({
  error: z.literal('invalid'),
  detail: z.string(),
  issues: z.array(IssueSchema),
});

export const ErrorSchema = z.object({
  error: z.string(),
  detail: z.string(),
});

export const NoQuorumErrorSchema = z.object({
  error: z.literal('no quorum'),
  detail: z.string(),
  /** "no": the write was not applied; "unknown": it reached the store and may still commit. */
  applied: z.enum(['no', 'unknown']),
});

export const StatusSchema = z
  .object({
    member: z.string(),
    store: z.object({
      remote: z.string().optional(),
      connected: z.boolean(),
      synced: z.boolean(),
      available: z.boolean(),
      model: z.string().optional(),
      clusterConnected: z.boolean().optional(),
      leader: z.boolean().optional(),
      index: z.int().optional(),
    }),
    members: z.array(z.object({ name: z.string(), expires: z.int(), live: z.boolean() })),
    masterships: z.array(z.object({ node: z.string(), member: z.string(), generation: z.int() })),
  })
  .catchall(z.unknown());

export const listOf = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item) });

/** Formats zod issues for people: a dotted path and the message. */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): z.infer<typeof IssueSchema>[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
