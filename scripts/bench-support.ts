// Shared by the bench scripts: their lab, waiting, and the statistics they print.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import type { Runtime } from '../src/runtime/runtime.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import type { LabPlan } from '../src/topology/plan-types.ts';

/** Deploys a bench's lab from its topology text (written into `dir`), after destroying whatever
 *  an earlier run left of a lab of that name; its plan. */
export async function deployBenchLab(runtime: Runtime, lab: string, topology: string, dir: string): Promise<LabPlan> {
  await destroyLab(runtime, lab).catch(() => {});
  const file = join(dir, 'lab.yaml');
  await writeFile(file, topology);
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  await deployLab(runtime, plan);
  return plan;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The value at fraction `p` of the sorted values (nearest rank, rounded down; p = 0.95: p95). */
export const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;

/** The middle value; of an even count, the upper of the two. */
export const median = (values: number[]) => percentile(values, 0.5);
