// bench:scale's logical state, pushed through the northbound API as a cloud platform would:
// transport nodes, then switches, then ports (each refers to what came before), each stage
// through the bulk API (POST /api/v1/batch, paced on the cluster's answers) and timed.
import { API_PREFIX, RESOURCE_SEGMENTS } from '../src/model/index.ts';
import { unwrap, type NorthboundClient } from '../src/northbound-client/index.ts';
import type { Workload } from '../src/simulator/index.ts';

export interface LoadTimes {
  nodesMs: number;
  switchesMs: number;
  portsMs: number;
}

/** Creates everything of `w`; progress lines go to `log`. */
export async function loadWorkload(api: NorthboundClient, w: Workload, log: (line: string) => void): Promise<LoadTimes> {
  const stage = async (what: string, segment: string, bodies: readonly object[]) => {
    const t0 = performance.now();
    unwrap(await api.batch(bodies.map((body) => ({ method: 'POST', path: `${API_PREFIX}/${segment}`, body }))));
    const ms = performance.now() - t0;
    log(`  ${what}: ${bodies.length} in ${(ms / 1000).toFixed(1)} s (${((bodies.length * 1000) / ms).toFixed(0)}/s)`);
    return ms;
  };
  const nodesMs = await stage('transport nodes', RESOURCE_SEGMENTS.transportNodes, w.nodes);
  const switchesMs = await stage('switches', RESOURCE_SEGMENTS.logicalSwitches, w.switches);
  const portsMs = await stage('ports', RESOURCE_SEGMENTS.logicalPorts, w.ports);
  return { nodesMs, switchesMs, portsMs };
}
