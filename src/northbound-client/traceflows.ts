// Injected traceflows through the northbound API: post a trace request, get its state, and
// runTraceflow, which does both until the trace ends and gives the observed path.
import {
  API_PREFIX,
  TraceflowCreatedSchema,
  TraceflowSchema,
  type TraceRequestInput,
  type TracePath,
  type Traceflow,
  type TraceflowCreated,
} from '../model/index.ts';
import { NorthboundError } from './errors.ts';
import { outcomeOf, unwrap, type Outcome } from './outcomes.ts';
import type { Transport } from './transport.ts';

const PATH = `${API_PREFIX}/traceflows`;

export interface TraceflowClient {
  /** Starts a trace; the answer is its id (the members run it, GET it for the result). Not
   *  idempotent: a POST retried after no answer may start a second trace. */
  create(request: TraceRequestInput): Promise<Outcome<TraceflowCreated, 'created'>>;
  get(id: string): Promise<Outcome<Traceflow>>;
}

export function traceflowClient(t: Transport): TraceflowClient {
  return {
    create: async (request) => outcomeOf('POST', PATH, await t.exchange('POST', PATH, request), 'created', TraceflowCreatedSchema),
    get: async (id) => {
      const path = `${PATH}/${encodeURIComponent(id)}`;
      return outcomeOf('GET', path, await t.exchange('GET', path), 'ok', TraceflowSchema);
    },
  };
}

export interface RunTraceflowOptions {
  /** How long to wait for the trace to end (default 20 s). */
  timeoutMs?: number;
  /** Between polls (default 200 ms). */
  pollMs?: number;
}

/**
 * Posts a trace and polls it until it ends: the observed path of a completed trace (a failed one
 * that observed something gives that too: its hops say `unreachable` where a node could not be
 * asked; GET the trace for its error). Throws a
 * NorthboundError when the API refuses the request, the trace fails with nothing observed, or
 * it does not end within the timeout.
 */
export async function runTraceflow(
  client: { traceflows: TraceflowClient },
  request: TraceRequestInput,
  options: RunTraceflowOptions = {},
): Promise<TracePath> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  const { id } = unwrap(await client.traceflows.create(request));
  for (;;) {
    const t = unwrap(await client.traceflows.get(id));
    if (t.state !== 'running') {
      if (!t.path) throw new NorthboundError(`traceflow ${id} ${t.state}: ${t.error ?? 'no path observed'}`);
      return t.path;
    }
    if (Date.now() > deadline) throw new NorthboundError(`traceflow ${id} did not end within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}
