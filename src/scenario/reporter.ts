// What the runner tells reporters as a run goes. Every hook is optional and may be async; the
// runner awaits each one, so output stays in step order. Implementations live in src/reporters.

import type { RunResult, ScenarioResult, StepResult } from './results.ts';

export interface RunInfo {
  lab: string;
  file?: string;
  scenarios: { name: string; steps: number }[];
}

export interface StepInfo {
  scenario: string;
  /** '3', or '3.2' inside traffic. */
  id: string;
  /** 0 for a scenario's own steps, 1 inside traffic, … */
  depth: number;
  kind: string;
  title: string;
  /** Checks: their budget, ms. */
  budgetMs?: number;
}

export interface Reporter {
  onRunStart?(info: RunInfo): void | Promise<void>;
  onScenarioStart?(scenario: { name: string; steps: number }): void | Promise<void>;
  onStepStart?(step: StepInfo): void | Promise<void>;
  /** Also called, without a start, for each skipped step (nested ones before their parent). */
  onStepEnd?(result: StepResult, step: StepInfo): void | Promise<void>;
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>;
  onRunEnd?(result: RunResult): void | Promise<void>;
}

type Hooks = Required<Reporter>;

/** Calls `hook` on every reporter that has it, in order. */
export async function emit<K extends keyof Hooks>(reporters: readonly Reporter[], hook: K, ...args: Parameters<Hooks[K]>): Promise<void> {
  for (const r of reporters) {
    const fn = r[hook] as ((...a: Parameters<Hooks[K]>) => void | Promise<void>) | undefined;
    if (fn) await fn.apply(r, args);
  }
}
