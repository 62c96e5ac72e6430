// Proof that the overlay works as the topology says: within each logical switch every port
// reaches every other; across switches, a port never reaches an address that exists only in
// another switch (tenants stay isolated even with identical addresses).
import type { LabPlan, PortPlan } from '../topology/plan-types.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { mapLimit } from '../util/pool.ts';

export interface OverlayPair {
  from: string;
  to: string;
  ip: string;
  /** Whether the ping should be answered. */
  expected: boolean;
  ok: boolean;
}

async function ping(runtime: Runtime, plan: LabPlan, from: PortPlan, ip: string): Promise<boolean> {
  const node = plan.transportNodes.find((n) => n.name === from.node);
  if (!node) return false;
  const result = await runtime.exec(node.container, ['ip', 'netns', 'exec', from.name, 'ping', '-c', '1', '-W', '2', ip]);
  return result.exitCode === 0;
}

export async function checkOverlay(runtime: Runtime, plan: LabPlan): Promise<OverlayPair[]> {
  const checks: Omit<OverlayPair, 'ok'>[] = [];
  for (const sw of plan.switches) {
    for (const a of sw.ports) for (const b of sw.ports) if (a !== b) checks.push({ from: a.name, to: b.name, ip: b.ip, expected: true });
    // An address only another switch has: its first port's, when this switch does not use it.
    for (const other of plan.switches) {
      const foreign = other.ports.find((p) => !sw.ports.some((q) => q.ip === p.ip));
      const from = sw.ports[0];
      if (other !== sw && foreign && from) checks.push({ from: from.name, to: foreign.name, ip: foreign.ip, expected: false });
    }
  }
  const ports = new Map(plan.switches.flatMap((s) => s.ports).map((p) => [p.name, p]));
  return mapLimit(checks, 8, async (c) => ({ ...c, ok: (await ping(runtime, plan, ports.get(c.from)!, c.ip)) === c.expected }));
}
