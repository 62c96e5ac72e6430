// Scenarios from TypeScript: the same steps as the YAML (as plain objects), the same validation,
// the same runner, so a scenario can be a script or a vitest test:
//
//   const lab = createSession(driver, plan);
//   await lab.assert({ ping: { from: 'web1', to: 'web2' } });
//   await lab.assert([{ kill: 'master-of:hv1' }, { expect: { master: { of: 'hv1', 'is-not': 'ctrl1' } } }]);

import { join } from 'node:path';
import { formatPath, type PathIssue } from '../topology/issues.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import { NvlabError } from '../util/errors.ts';
import { plural } from '../util/words.ts';
import { realClock } from './clock.ts';
import type { LabDriver } from './driver.ts';
import { modelFromPlan, type LabModel } from './lab-model.ts';
import { StepParser } from './parse.ts';
import type { Reporter } from './reporter.ts';
import { flattenSteps, type StepResult } from './results.ts';
import { StepRunner, type RunOptions } from './runner.ts';
import type { Step, StepInput } from './steps.ts';

/** Steps given to the API are invalid; `issues` holds every problem with its path. Exit code 2. */
export class InvalidStepsError extends NvlabError {
  declare readonly code: 'INVALID_STEPS';
  readonly issues: readonly PathIssue[];

  constructor(issues: readonly PathIssue[]) {
    const lines = issues.map((i) => `${formatPath(i.path)}: ${i.message}${i.expected ? ` (expected ${i.expected})` : ''}`);
    super('INVALID_STEPS', [`${plural(issues.length, 'problem')} in the steps`, ...lines].join('\n'), {
      exitCode: 2,
    });
    this.issues = issues;
  }
}

/** A step given to `assert` failed; `results` holds every step's result. */
export class StepFailedError extends NvlabError {
  declare readonly code: 'STEP_FAILED';
  readonly results: readonly StepResult[];
  readonly failed: StepResult;

  constructor(failed: StepResult, results: readonly StepResult[]) {
    super('STEP_FAILED', `step ${failed.id} ${failed.title} failed: ${failed.message ?? 'no message'}`, { exitCode: 1 });
    this.failed = failed;
    this.results = results;
  }
}

const modelOf = (lab: LabPlan | LabModel): LabModel => ('transportNodes' in lab ? modelFromPlan(lab) : lab);

/**
 * Parses and validates one step or a list of steps written as objects, against `lab` (a plan, or
 * a model that earlier steps changed). Throws InvalidStepsError listing every problem.
 */
export function parseSteps(input: StepInput | readonly StepInput[], lab: LabPlan | LabModel): Step[] {
  return parseAndAdvance(input, modelOf(lab)).steps;
}

function parseAndAdvance(input: unknown, model: LabModel): { steps: Step[]; model: LabModel } {
  const parser = new StepParser(model);
  const steps = Array.isArray(input) ? parser.list(input, ['steps']) : [parser.step(input, ['step'])].filter((s) => s !== undefined);
  if (parser.issues.length > 0) throw new InvalidStepsError(parser.issues);
  return { steps, model: parser.model };
}

export interface SessionOptions extends Pick<RunOptions, 'clock' | 'signal'> {
  reporters?: readonly Reporter[];
  /** Name in reports and of the artifacts folder; default `session`. */
  name?: string;
  /** Where to save artifacts when a run fails (`<dir>/<lab>/<name>/`, e.g. DEFAULT_ARTIFACTS_DIR); default: not saved. */
  artifactsDir?: string | false;
}

/**
 * A lab under test from TypeScript. It remembers the logical changes its steps made (a port
 * added in one call can be pinged in the next), like a scenario does between its steps.
 */
export class ScenarioSession {
  private current: LabModel;

  constructor(
    private readonly driver: LabDriver,
    lab: LabPlan | LabModel,
    private readonly options: SessionOptions = {},
  ) {
    this.current = modelOf(lab);
  }

  /** The lab as the session's steps have left it. */
  get model(): LabModel {
    return this.current;
  }

  /** Validates steps against the lab as it is now, without running them; throws InvalidStepsError. */
  parse(input: StepInput | readonly StepInput[]): Step[] {
    return parseAndAdvance(input, this.current).steps;
  }

  /**
   * Runs steps in order; after a failed one the rest are skipped, traffic is stopped and (if
   * configured) artifacts are saved. Never throws for a failed step: read the results.
   */
  async run(input: StepInput | readonly StepInput[]): Promise<StepResult[]> {
    const { steps } = parseAndAdvance(input, this.current);
    const name = this.options.name ?? 'session';
    const runner = new StepRunner(this.driver, this.current, name, {
      reporters: this.options.reporters ?? [],
      clock: this.options.clock ?? realClock,
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    let results: StepResult[];
    try {
      results = await runner.runList(steps);
    } finally {
      await runner.stopTraffic();
    }
    this.current = runner.model;
    const root = this.options.artifactsDir ?? false;
    if (runner.firstFailure && root !== false) {
      const dir = join(root, this.current.lab, name);
      await this.driver.collectArtifacts({ scenario: name, dir, failed: runner.firstFailure }).catch(() => undefined);
    }
    return results;
  }

  /** Runs steps and throws StepFailedError (whose message says what was expected and seen) if one failed. */
  async assert(input: StepInput | readonly StepInput[]): Promise<StepResult[]> {
    const results = await this.run(input);
    const failed = flattenSteps(results).find((r) => r.status === 'failed' && (r.steps ?? []).every((c) => c.status !== 'failed'));
    if (failed) throw new StepFailedError(failed, results);
    return results;
  }
}

export function createSession(driver: LabDriver, lab: LabPlan | LabModel, options: SessionOptions = {}): ScenarioSession {
  return new ScenarioSession(driver, lab, options);
}

/** One-shot: runs steps against a lab; resolves to their results (see ScenarioSession.run). */
export async function runSteps(
  driver: LabDriver,
  lab: LabPlan | LabModel,
  input: StepInput | readonly StepInput[],
  options: SessionOptions = {},
): Promise<StepResult[]> {
  return new ScenarioSession(driver, lab, options).run(input);
}
