// The scenarios of a topology file, parsed and validated against its lab. Problems come out the
// way the topology's own do: all at once, each at file:line:column with its key path, as a
// TopologyError (exit code 2).

import { TopologyError, compareIssues, type TopologyIssue } from '../topology/issues.ts';
import type { LoadedTopology } from '../topology/load.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import { UsageError } from '../util/errors.ts';
import { modelFromPlan, type LabModel } from './lab-model.ts';
import { StepParser } from './parse.ts';
import type { StepLocation } from './results.ts';
import type { Step } from './steps.ts';

export interface Scenario {
  name: string;
  steps: Step[];
  at?: StepLocation;
}

export interface ScenarioSuite {
  lab: string;
  file?: string;
  /** The lab as the file describes it; the runner moves it forward as actions change the lab. */
  model: LabModel;
  /** In file order. */
  scenarios: Scenario[];
}

/**
 * Parses every scenario of `loaded` (planned as `plan`). Each scenario is checked against the lab
 * as the file describes it plus the changes of its own earlier steps: scenarios may run alone
 * (`--scenario`), so one cannot rely on names another one adds.
 */
export function parseScenarios(loaded: LoadedTopology, plan: LabPlan): ScenarioSuite {
  const model = modelFromPlan(plan);
  const issues: TopologyIssue[] = [];
  const scenarios: Scenario[] = [];
  for (const [name, raw] of Object.entries(plan.scenarios)) {
    const prefix = ['scenarios', name];
    const locate = (path: readonly (string | number)[]): StepLocation => ({
      file: loaded.file,
      ...loaded.positionOf([...prefix, ...path]),
    });
    const parser = new StepParser(model, locate);
    const steps = parser.list(raw, []);
    if (raw.length === 0) parser.issues.push({ path: [], message: 'a scenario with no steps', expected: 'at least one step' });
    issues.push(...loaded.toIssues(parser.issues, prefix));
    scenarios.push({ name, steps, at: { file: loaded.file, ...loaded.positionOf(prefix, { atKey: true }) } });
  }
  if (issues.length > 0) throw new TopologyError(loaded.file, issues.sort(compareIssues));
  return { lab: plan.lab, file: loaded.file, model, scenarios };
}

/** The scenarios named (all when none is), in file order; an unknown name is a usage error. */
export function selectScenarios(suite: ScenarioSuite, names: readonly string[]): ScenarioSuite {
  if (names.length === 0) return suite;
  const known = suite.scenarios.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const list = known.length > 0 ? known.join(', ') : 'none';
    throw new UsageError(`no scenario ${unknown.map((n) => `"${n}"`).join(', ')} in ${suite.file ?? suite.lab} (it has: ${list})`);
  }
  return { ...suite, scenarios: suite.scenarios.filter((s) => names.includes(s.name)) };
}
