// Proof that a lab's underlay carries traffic: every transport node pings every other
// transport node's IP from its own br-phy.
import type { Runtime } from '../runtime/runtime.ts';
import { mapLimit } from '../util/pool.ts';
import type { LabState } from './inspect.ts';

export interface UnderlayPair {
  from: string;
  to: string;
  ok: boolean;
}

export async function checkUnderlay(runtime: Runtime, state: LabState): Promise<UnderlayPair[]> {
  const nodes = state.nodes.filter((n) => n.underlayIp && n.state === 'running');
  const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => ({ a, b })));
  return mapLimit(pairs, 8, async ({ a, b }) => {
    const result = await runtime.exec(a.container, ['ping', '-c', '1', '-W', '2', b.underlayIp as string]);
    return { from: a.name, to: b.name, ok: result.exitCode === 0 };
  });
}
