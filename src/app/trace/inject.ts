// The injected half of `nvlab trace`: a marked packet sent by the controller members through
// their traceflow API (docs/controller.md, "Traceflows") and observed on every node it reaches.
import { runTraceflow } from '../../northbound-client/index.ts';
import type { ClientName } from '../../model/index.ts';
import type { Runtime } from '../../runtime/runtime.ts';
import { labNorthbound } from '../ports.ts';
import type { InjectTrace } from './tracer.ts';

/** How long an injected trace may take before the prediction is shown alone. */
const INJECT_TIMEOUT_MS = 10_000;

/** Injection through the lab's northbound API (any live member takes the request). */
export async function injectThroughApi(runtime: Runtime, lab: string, client: ClientName = 'cli'): Promise<InjectTrace> {
  const api = await labNorthbound(runtime, lab, client);
  return (request, view) => {
    // The store has no hosts: a request that names one says where it is.
    const named = view.hosts.filter((h) => h.name === request.from || h.name === request.to);
    const hosts = Object.fromEntries(named.map((h) => [h.name, { network: h.network, ip: h.ip, ...(h.mac ? { mac: h.mac } : {}) }]));
    return runTraceflow(api, named.length > 0 ? { ...request, hosts } : request, { timeoutMs: INJECT_TIMEOUT_MS });
  };
}
