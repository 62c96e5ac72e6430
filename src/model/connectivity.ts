// The port connectivity matrix's contract (`nvlab connectivity --format json`, docs/operations.md):
// every ordered pair of logical ports, what the design says of it, and what a trace found. Other
// tools read it, so fields are only ever added, never renamed.
import { z } from 'zod';
import { DROP_REASONS, TraceDivergenceSchema } from './trace.ts';

/** What the logical design says of a pair: the same switch, joined by a router with an uplink
 *  (it runs on its gateways and routes), or on switches nothing joins. */
export const DESIGNS = ['switch', 'routed', 'isolated'] as const;
export type Design = (typeof DESIGNS)[number];

/** reachable and isolated: as designed; broken: not as designed (the reason says why). */
export const CONNECTIVITY = ['reachable', 'isolated', 'broken'] as const;
export type Connectivity = (typeof CONNECTIVITY)[number];

const REASONS = [...(Object.keys(DROP_REASONS) as (keyof typeof DROP_REASONS)[]), 'leak', 'divergence', 'error'] as const;

/** What one trace of the pair found: delivered, or dropped where and why. */
export const PairTraceSchema = z.object({
  delivered: z.boolean(),
  reason: z.string().optional(),
  /** The node where it was dropped. */
  node: z.string().optional(),
});
export type PairTrace = z.infer<typeof PairTraceSchema>;

export const ConnectivityPairSchema = z.object({
  from: z.string(),
  to: z.string(),
  design: z.enum(DESIGNS),
  /** The router that joins the two switches (design `routed`). */
  router: z.string().optional(),
  status: z.enum(CONNECTIVITY),
  /** Broken: a drop reason of the trace contract, `leak` (an isolated pair delivered),
   *  `divergence` (the injected packet left the predicted path) or `error` (no trace made). */
  reason: z.enum(REASONS).optional(),
  /** Broken: the node where it happened. */
  node: z.string().optional(),
  /** Broken: in a sentence. */
  detail: z.string().optional(),
  predicted: PairTraceSchema.optional(),
  /** Where a marked packet was injected. */
  injected: PairTraceSchema.optional(),
  divergence: TraceDivergenceSchema.optional(),
});
export type ConnectivityPair = z.infer<typeof ConnectivityPairSchema>;

export const ConnectivityMatrixSchema = z.object({
  lab: z.string(),
  /** Only this switch's ports, when asked. */
  switch: z.string().optional(),
  /** Whether the pairs were confirmed by injection. */
  injected: z.boolean(),
  ports: z.array(z.object({ name: z.string(), switch: z.string(), node: z.string().optional() })),
  pairs: z.array(ConnectivityPairSchema),
  summary: z.object({ reachable: z.int(), isolated: z.int(), broken: z.int() }),
});
export type ConnectivityMatrix = z.infer<typeof ConnectivityMatrixSchema>;
