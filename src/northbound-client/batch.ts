// Many writes in few requests (POST /api/v1/batch): a list of any length is sent in order, in
// batches of at most CLIENT_BATCH_LIMITS (1,000 requests, 4 MiB), fewer when the cluster takes
// long over them (pacing.ts BatchSize: about a second each). Each batch is atomic on its own; one
// that fails stops the list, the batches before it stay written, and the list sent again keeps
// them (a create of an object held as sent answers 200), so a caller may simply send it again.
import {
  BATCH_PATH,
  BatchErrorSchema,
  BatchResponseSchema,
  CLIENT_BATCH_LIMITS,
  type BatchRequestItem,
  type BatchResult,
} from '../model/index.ts';
import { outcomeOf, type Failure, type Outcome } from './outcomes.ts';
import type { Transport } from './transport.ts';

export interface BatchOptions {
  /** true (default): each batch all or none; false: each request alone, answered for itself. */
  atomic?: boolean;
  /** The most requests in one batch (default CLIENT_BATCH_LIMITS.requests). */
  maxRequests?: number;
  /** The most bytes of requests' JSON in one batch (default CLIENT_BATCH_LIMITS.bodyBytes). */
  maxBytes?: number;
}

export interface BatchClient {
  /** Sends `requests` in order, in as many batches as needed: every request's status and body,
   *  in order, or the failure that stopped the list. */
  batch(requests: readonly BatchRequestItem[], options?: BatchOptions): Promise<Outcome<BatchResult[]>>;
}

/** Where the batch that starts at `from` ends: at most `maxRequests` requests and `maxBytes` of
 *  their JSON, and never empty (a request larger than `maxBytes` goes alone). */
export function batchEnd(sizes: readonly number[], from: number, maxRequests: number, maxBytes: number): number {
  let end = from;
  let bytes = 0;
  while (end < sizes.length && end - from < maxRequests && (end === from || bytes + sizes[end]! + 1 <= maxBytes)) {
    bytes += sizes[end]! + 1;
    end++;
  }
  return end;
}

/** A failure of a batch after others were written: said with its place in the whole list. */
function placed(failure: Failure, offset: number, json: unknown): Failure {
  const index = BatchErrorSchema.safeParse(json).data?.index;
  if (offset === 0 || index === undefined) return failure;
  return { ...failure, message: `${failure.message} (request ${offset + index} of the list; the ${offset} before its batch are written)` };
}

/** Times a paced client sends a batch again, each time half as large, after no answer or "no
 *  quorum" (a batch too large to commit within the member's bound). */
export const BATCH_RETRIES = 3;

export function batchClient(t: Transport): BatchClient {
  return {
    async batch(requests, options = {}) {
      const maxRequests = options.maxRequests ?? CLIENT_BATCH_LIMITS.requests;
      // Room for the envelope in the body.
      const maxBytes = (options.maxBytes ?? CLIENT_BATCH_LIMITS.bodyBytes) - 64;
      const sizes = requests.map((r) => Buffer.byteLength(JSON.stringify(r)));
      const results: BatchResult[] = [];
      let retries = 0;
      for (let from = 0; from < requests.length;) {
        const end = batchEnd(sizes, from, Math.min(maxRequests, t.pacer?.batchSize.next ?? maxRequests), maxBytes);
        const body = { requests: requests.slice(from, end), ...(options.atomic === false ? { atomic: false } : {}) };
        const started = Date.now();
        const exchange = await t.exchange('POST', BATCH_PATH, body);
        const outcome = outcomeOf('POST', BATCH_PATH, exchange, 'ok', BatchResponseSchema);
        if (!('value' in outcome)) {
          const lost = outcome.kind === 'unreachable' || outcome.kind === 'no-quorum';
          if (lost) t.pacer?.batchSize.failed();
          // A batch the cluster could not finish in time is sent again, smaller: sent again,
          // a batch does what it did, so what the first attempt wrote is not written twice.
          if (lost && t.pacer && retries++ < BATCH_RETRIES) continue;
          return placed(outcome, from, exchange.kind === 'answer' ? exchange.json : undefined);
        }
        retries = 0;
        t.pacer?.batchSize.took(end - from, Date.now() - started);
        results.push(...outcome.value.results);
        from = end;
      }
      return { kind: 'ok', value: results };
    },
  };
}
