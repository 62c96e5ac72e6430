// bench:scale's logical state, pushed through the northbound API as a cloud platform would:
// transport nodes, then switches, then ports (each refers to what came before), a bounded number
// of requests in flight, each stage timed.
import { unwrap, type NorthboundClient } from '../src/northbound-client/index.ts';
import { mapLimit } from '../src/util/pool.ts';
import type { Workload } from '../src/simulator/index.ts';

/** Requests in flight: enough to keep the leader's transactions coming, few enough that none
 *  waits long behind the others (each attempt has 5 s). */
export const LOAD_CONCURRENCY = 16;

export interface LoadTimes {
  nodesMs: number;
  switchesMs: number;
  portsMs: number;
}

/** Creates everything of `w`; progress lines go to `log`. */
export async function loadWorkload(api: NorthboundClient, w: Workload, log: (line: string) => void): Promise<LoadTimes> {
  const stage = async <T>(what: string, items: readonly T[], create: (item: T) => Promise<unknown>) => {
    const t0 = performance.now();
    let done = 0;
    const tick = setInterval(() => log(`  ${what}: ${done}/${items.length}`), 10_000);
    try {
      await mapLimit(items, LOAD_CONCURRENCY, async (item) => {
        await create(item);
        done++;
      });
    } finally {
      clearInterval(tick);
    }
    const ms = performance.now() - t0;
    log(`  ${what}: ${items.length} in ${(ms / 1000).toFixed(1)} s (${((items.length * 1000) / ms).toFixed(0)}/s)`);
    return ms;
  };
  const nodesMs = await stage('transport nodes', w.nodes, async (n) => unwrap(await api.transportNodes.create(n)));
  const switchesMs = await stage('switches', w.switches, async (s) => unwrap(await api.logicalSwitches.create(s)));
  const portsMs = await stage('ports', w.ports, async (p) => unwrap(await api.logicalPorts.create(p)));
  return { nodesMs, switchesMs, portsMs };
}
