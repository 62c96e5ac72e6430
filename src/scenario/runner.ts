// Runs scenarios, in order, against a lab driver. Checks are retried within their budget; a
// failed step fails its scenario, whose remaining steps are then skipped; traffic it started is
// stopped and artifacts are collected through the driver; the next scenario still runs.

import { join } from 'node:path';
import { realClock, type Clock } from './clock.ts';
import type { LabDriver, TrafficHandle } from './driver.ts';
import type { LabModel } from './lab-model.ts';
import { emit, type Reporter, type StepInfo } from './reporter.ts';
import type { ArtifactsResult, RunResult, ScenarioResult, StepResult, StepStatus } from './results.ts';
import { errorText, retryCheck } from './retry.ts';
import type { RunContext } from './step-def.ts';
import { summarizeTrace, type TraceRequest } from '../model/index.ts';
import { budgetOf, defOf, type Step } from './steps.ts';
import type { Scenario, ScenarioSuite } from './suite.ts';

export const DEFAULT_ARTIFACTS_DIR = 'nvlab-artifacts';

export interface RunOptions {
  reporters?: readonly Reporter[];
  /** Root of the artifacts of failed scenarios (`<root>/<lab>/<scenario>/`); false: do not collect. */
  artifactsDir?: string | false;
  clock?: Clock;
  /** Aborting stops the run after the current attempt; the steps not run are skipped. */
  signal?: AbortSignal;
}

/** Runs one list of steps (a scenario, or traffic's nested steps) and keeps what a scenario shares. */
export class StepRunner {
  /** Set once a step failed: the steps after it are skipped. */
  failed = false;
  /** The first step that failed, innermost when inside traffic. */
  firstFailure: StepResult | undefined;
  private readonly handles = new Set<TrafficHandle>();

  constructor(
    private readonly driver: LabDriver,
    public model: LabModel,
    private readonly scenario: string,
    private readonly options: { reporters: readonly Reporter[]; clock: Clock; signal?: AbortSignal },
  ) {}

  async runList(steps: readonly Step[], parentId?: string, depth = 0): Promise<StepResult[]> {
    const out: StepResult[] = [];
    for (const [i, step] of steps.entries()) {
      const id = parentId === undefined ? `${i + 1}` : `${parentId}.${i + 1}`;
      const interrupted = this.options.signal?.aborted === true;
      if (this.failed || interrupted) out.push(await this.skip(step, id, depth, interrupted ? 'interrupted' : undefined));
      else out.push(await this.runStep(step, id, depth));
    }
    return out;
  }

  private info(step: Step, id: string, depth: number): StepInfo {
    const def = defOf(step.kind);
    const budgetMs = budgetOf(step);
    return {
      scenario: this.scenario,
      id,
      depth,
      kind: def.kind,
      title: def.title(step.spec),
      ...(budgetMs !== undefined ? { budgetMs } : {}),
    };
  }

  private async skip(step: Step, id: string, depth: number, message?: string): Promise<StepResult> {
    const info = this.info(step, id, depth);
    const nested = step.kind === 'traffic' ? step.spec.during : [];
    const steps: StepResult[] = [];
    for (const [i, child] of nested.entries()) steps.push(await this.skip(child, `${id}.${i + 1}`, depth + 1, message));
    const result: StepResult = {
      id,
      kind: info.kind,
      title: info.title,
      status: 'skipped',
      durationMs: 0,
      ...(message ? { message } : {}),
      ...(steps.length > 0 ? { steps } : {}),
      ...(step.at ? { at: step.at } : {}),
    };
    await emit(this.options.reporters, 'onStepEnd', result, info);
    return result;
  }

  private context(id: string, depth: number): RunContext {
    const { clock, signal } = this.options;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const runner = this;
    return {
      driver: this.driver,
      get model() {
        return runner.model;
      },
      clock,
      ...(signal ? { signal } : {}),
      runSteps: (steps) => this.runList(steps, id, depth + 1),
      track: (handle) => {
        this.handles.add(handle);
        return () => void this.handles.delete(handle);
      },
    };
  }

  /** A failed check's message says where the failing pair's packet went, and the trace goes with
   *  the result (its artifacts keep it). A trace that cannot be made is said too. */
  private async withTrace(result: StepResult, request: TraceRequest | undefined): Promise<StepResult> {
    const driver = this.driver;
    if (!request || !driver.trace) return result;
    try {
      const trace = await driver.trace(request);
      return {
        ...result,
        message: `${result.message ?? 'failed'}; trace ${request.from} → ${request.to}: ${summarizeTrace(trace)}`,
        trace,
      };
    } catch (error) {
      return { ...result, message: `${result.message ?? 'failed'}; no trace of ${request.from} → ${request.to}: ${errorText(error)}` };
    }
  }

  private async runStep(step: Step, id: string, depth: number): Promise<StepResult> {
    const def = defOf(step.kind);
    const info = this.info(step, id, depth);
    const { clock, reporters, signal } = this.options;
    await emit(reporters, 'onStepStart', info);
    const start = clock.now();
    const base = { id, kind: info.kind, title: info.title, ...(step.at ? { at: step.at } : {}) };
    let result: StepResult;
    try {
      if (def.check) {
        const budgetMs = info.budgetMs ?? 0;
        const run = await retryCheck(def.check(step.spec, this.context(id, depth)), budgetMs, clock, signal);
        result = {
          ...base,
          status: run.ok ? 'passed' : 'failed',
          durationMs: clock.now() - start,
          budgetMs,
          attempts: run.attempts,
          ...(run.convergenceMs !== undefined ? { convergenceMs: run.convergenceMs } : {}),
          message: run.message,
          ...(run.observed !== undefined ? { observed: run.observed } : {}),
        };
      } else {
        const outcome = await def.run!(step.spec, this.context(id, depth));
        result = {
          ...base,
          status: outcome.ok ? 'passed' : 'failed',
          durationMs: clock.now() - start,
          ...(outcome.message !== undefined ? { message: outcome.message } : {}),
          ...(outcome.observed !== undefined ? { observed: outcome.observed } : {}),
          ...(outcome.traffic ? { traffic: outcome.traffic } : {}),
          ...(outcome.steps ? { steps: outcome.steps } : {}),
        };
      }
    } catch (error) {
      result = { ...base, status: 'failed', durationMs: clock.now() - start, message: errorText(error) };
    }
    // A check cut short by an interruption did not fail: it did not finish.
    if (result.status === 'failed' && def.check && signal?.aborted) {
      result = { ...result, status: 'skipped', message: `interrupted; last seen: ${result.message ?? 'nothing'}` };
    }
    if (result.status === 'failed' && def.traceOnFailure)
      result = await this.withTrace(result, def.traceOnFailure(step.spec, result.observed, this.model));
    // Traffic that could not start never ran its nested steps: report them as not run.
    if (step.kind === 'traffic' && result.status === 'failed' && result.steps === undefined) {
      const steps: StepResult[] = [];
      for (const [i, child] of step.spec.during.entries())
        steps.push(await this.skip(child, `${id}.${i + 1}`, depth + 1, 'the traffic did not start'));
      result = { ...result, steps };
    }
    if (result.status === 'passed' && def.apply) this.model = def.apply(step.spec, this.model);
    if (result.status === 'failed') {
      this.failed = true;
      this.firstFailure ??= result;
    }
    await emit(reporters, 'onStepEnd', result, info);
    return result;
  }

  /** Stops traffic still running (a scenario that ended early); errors are ignored. */
  async stopTraffic(): Promise<void> {
    for (const handle of [...this.handles]) {
      this.handles.delete(handle);
      await handle.stop().catch(() => undefined);
    }
  }
}

function statusOf(steps: readonly StepResult[]): StepStatus {
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.some((s) => s.status === 'skipped')) return 'skipped';
  return 'passed';
}

async function collect(driver: LabDriver, root: string, lab: string, scenario: string, failed: StepResult): Promise<ArtifactsResult> {
  const dir = join(root, lab, scenario);
  try {
    const { files } = await driver.collectArtifacts({ scenario, dir, failed });
    return { dir, files };
  } catch (error) {
    return { dir, files: [], error: errorText(error) };
  }
}

async function runScenario(
  scenario: Scenario,
  driver: LabDriver,
  model: LabModel,
  lab: string,
  options: Required<Pick<RunOptions, 'clock'>> & RunOptions & { reporters: readonly Reporter[] },
): Promise<{ result: ScenarioResult; model: LabModel }> {
  const { clock, reporters } = options;
  await emit(reporters, 'onScenarioStart', { name: scenario.name, steps: scenario.steps.length });
  const start = clock.now();
  const runner = new StepRunner(driver, model, scenario.name, { reporters, clock, ...(options.signal ? { signal: options.signal } : {}) });
  let steps: StepResult[];
  try {
    steps = await runner.runList(scenario.steps);
  } finally {
    await runner.stopTraffic();
  }
  const status = statusOf(steps);
  let artifacts: ArtifactsResult | undefined;
  const root = options.artifactsDir ?? DEFAULT_ARTIFACTS_DIR;
  if (status === 'failed' && root !== false && runner.firstFailure && options.signal?.aborted !== true) {
    artifacts = await collect(driver, root, lab, scenario.name, runner.firstFailure);
  }
  const result: ScenarioResult = {
    name: scenario.name,
    status,
    durationMs: clock.now() - start,
    steps,
    ...(artifacts ? { artifacts } : {}),
    ...(scenario.at ? { at: scenario.at } : {}),
  };
  await emit(reporters, 'onScenarioEnd', result);
  return { result, model: runner.model };
}

/** Runs every scenario of `suite` in order; the result says what passed, failed and was skipped. */
export async function runScenarios(suite: ScenarioSuite, driver: LabDriver, options: RunOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? realClock;
  const reporters = options.reporters ?? [];
  const opts = { ...options, clock, reporters };
  const startedAt = new Date().toISOString();
  const start = clock.now();
  await emit(reporters, 'onRunStart', {
    lab: suite.lab,
    ...(suite.file !== undefined ? { file: suite.file } : {}),
    scenarios: suite.scenarios.map((s) => ({ name: s.name, steps: s.steps.length })),
  });
  let model = suite.model;
  const scenarios: ScenarioResult[] = [];
  for (const scenario of suite.scenarios) {
    if (options.signal?.aborted) {
      scenarios.push({ name: scenario.name, status: 'skipped', durationMs: 0, steps: [], ...(scenario.at ? { at: scenario.at } : {}) });
      continue;
    }
    const ran = await runScenario(scenario, driver, model, suite.lab, opts);
    scenarios.push(ran.result);
    model = ran.model;
  }
  const result: RunResult = {
    lab: suite.lab,
    ...(suite.file !== undefined ? { file: suite.file } : {}),
    startedAt,
    durationMs: clock.now() - start,
    status: scenarios.every((s) => s.status === 'passed') ? 'passed' : 'failed',
    ...(options.signal?.aborted ? { interrupted: true } : {}),
    scenarios,
  };
  await emit(reporters, 'onRunEnd', result);
  return result;
}
