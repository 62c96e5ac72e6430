// bench:scale's logical state, pushed through the northbound API as a cloud platform would:
// transport nodes, then switches, then ports (each refers to what came before), each stage
// through the bulk API (POST /api/v1/batch, paced on the cluster's answers) and timed.
import { API_PREFIX, RESOURCE_SEGMENTS } from '../src/model/index.ts';
import { unwrap, type NorthboundClient } from '../src/northbound-client/index.ts';
import type { Workload } from '../src/simulator/index.ts';

/** Writes per batch at most. Past a few thousand ports a batch of 1,000 took over a second to
 *  execute on the follower that took it, while members' heartbeats committed meanwhile: the
 *  leader refused it as based on an old entry, again and again ("does not match prerequisite"
 *  in the leader's log), and it timed out (docs/scale.md). */
export const LOAD_BATCH = 200;

export interface LoadTimes {
  nodesMs: number;
  switchesMs: number;
  portsMs: number;
}

/** Creates everything of `w`; progress lines go to `log`. */
export async function loadWorkload(api: NorthboundClient, w: Workload, log: (line: string) => void): Promise<LoadTimes> {
  const stage = async (what: string, segment: string, bodies: readonly object[]) => {
    const t0 = performance.now();
    const requests = bodies.map((body) => ({ method: 'POST' as const, path: `${API_PREFIX}/${segment}`, body }));
    unwrap(await api.batch(requests, { maxRequests: LOAD_BATCH }));
    const ms = performance.now() - t0;
    log(`  ${what}: ${bodies.length} in ${(ms / 1000).toFixed(1)} s (${((bodies.length * 1000) / ms).toFixed(0)}/s)`);
    return ms;
  };
  const nodesMs = await stage('transport nodes', RESOURCE_SEGMENTS.transportNodes, w.nodes);
  const switchesMs = await stage('switches', RESOURCE_SEGMENTS.logicalSwitches, w.switches);
  const portsMs = await stage('ports', RESOURCE_SEGMENTS.logicalPorts, w.ports);
  return { nodesMs, switchesMs, portsMs };
}
