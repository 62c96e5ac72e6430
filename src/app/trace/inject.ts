// The injected half of `nvlab trace`: a marked packet sent by the controller members through
// their traceflow API (docs/controller.md, "Traceflows") and observed on every node it reaches.
import { runTraceflow } from '../../northbound-client/index.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { labNorthbound } from '../ports.ts';
import type { InjectTrace } from './tracer.ts';

/** How long an injected trace may take before the prediction is shown alone. */
const INJECT_TIMEOUT_MS = 10_000;

/** Injection through the lab's northbound API (any live member takes the request). */
export async function injectThroughApi(runtime: Runtime, lab: string): Promise<InjectTrace> {
  const api = await labNorthbound(runtime, lab);
  return (request) => runTraceflow(api, request, { timeoutMs: INJECT_TIMEOUT_MS });
}
