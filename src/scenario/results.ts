// What a run produced, as plain data: reporters render it, the JSON reporter prints it as is.

import type { TraceResult } from '../model/index.ts';
import type { TrafficStats } from './driver.ts';

export type StepStatus = 'passed' | 'failed' | 'skipped';

/** Where a step is written, when it came from a file. */
export interface StepLocation {
  file: string;
  line: number;
  column: number;
}

export interface StepResult {
  /** Position in its scenario: '3', or '3.2' for the second step inside step 3 (traffic). */
  id: string;
  /** The step kind: ping, flood, expect-master, kill, traffic, … */
  kind: string;
  /** A short line for people: `ping web1 → web2`. */
  title: string;
  status: StepStatus;
  /** Wall time of the step, ms (0 when skipped). */
  durationMs: number;
  /** Checks: the budget the step had, ms. */
  budgetMs?: number;
  /** Passed checks: how long it took to pass, ms (the convergence time). */
  convergenceMs?: number;
  /** Checks: attempts made. */
  attempts?: number;
  /** Failed: what was expected and what was seen. Passed: what was seen (`ctrl2`), if worth saying. */
  message?: string;
  /** The last observation of a check, as data (flood copies, the master's name, …). */
  observed?: unknown;
  /** Traffic: the packets counted around its nested steps. */
  traffic?: TrafficStats;
  /** Traffic: its nested steps. */
  steps?: StepResult[];
  /** A failed check's trace of the failing pair (where the packet went, and why not further). */
  trace?: TraceResult;
  at?: StepLocation;
}

export interface ArtifactsResult {
  dir: string;
  files: string[];
  /** Set when collecting them failed; the scenario's own result stands. */
  error?: string;
}

export interface ScenarioResult {
  name: string;
  /** `skipped`: the run was interrupted before the scenario started. */
  status: StepStatus;
  durationMs: number;
  steps: StepResult[];
  artifacts?: ArtifactsResult;
  at?: StepLocation;
}

export interface RunResult {
  lab: string;
  file?: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  status: 'passed' | 'failed';
  /** Set when the run was stopped from outside (Ctrl-C) before every scenario had run. */
  interrupted?: boolean;
  scenarios: ScenarioResult[];
}

/** 0 when every scenario passed, 1 when a step failed (the spec's exit codes; 2 is for bad input). */
export function exitCodeOf(result: RunResult): 0 | 1 {
  return result.status === 'passed' ? 0 : 1;
}

/** Every step result, nested ones after their parent, in run order. */
export function flattenSteps(steps: readonly StepResult[]): StepResult[] {
  return steps.flatMap((s) => [s, ...flattenSteps(s.steps ?? [])]);
}

export interface StepCounts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

export function countSteps(steps: readonly StepResult[]): StepCounts {
  const all = flattenSteps(steps);
  const n = (status: StepStatus): number => all.filter((s) => s.status === status).length;
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped'), total: all.length };
}
