// For people at a terminal: one line per step as it finishes, with its time (on a terminal a
// "…" line shows the step in progress), then a summary that repeats each failure and where its
// artifacts are.

import { Chalk, type ChalkInstance } from 'chalk';
import { formatDuration, formatElapsed } from '../scenario/duration.ts';
import type { Reporter, RunInfo, StepInfo } from '../scenario/reporter.ts';
import { countSteps, flattenSteps, type RunResult, type ScenarioResult, type StepResult } from '../scenario/results.ts';
import type { ReporterOptions, TextSink } from './types.ts';
import { plural } from '../util/words.ts';

const CLEAR_LINE = '\r\x1b[2K';

/** `12 passed, 1 failed, 3 skipped`, leaving out zeros (but never saying nothing). */
function tally(c: ChalkInstance, counts: { passed: number; failed: number; skipped: number }): string {
  const parts: string[] = [];
  if (counts.failed > 0) parts.push(c.red(`${counts.failed} failed`));
  if (counts.passed > 0 || parts.length === 0) parts.push(c.green(`${counts.passed} passed`));
  if (counts.skipped > 0) parts.push(c.yellow(`${counts.skipped} skipped`));
  return parts.join(', ');
}

export class PrettyReporter implements Reporter {
  private readonly c: ChalkInstance;
  private readonly out: TextSink;
  private readonly live: boolean;
  /** The id of the step whose "…" line is on screen, waiting to be replaced. */
  private pending: string | undefined;

  constructor(options: ReporterOptions) {
    this.out = options.stream;
    this.live = options.stream.isTTY === true;
    this.c = new Chalk({ level: (options.color ?? this.live) ? 1 : 0 });
  }

  private line(text: string): void {
    if (this.pending !== undefined) {
      this.out.write(CLEAR_LINE);
      this.pending = undefined;
    }
    this.out.write(`${text}\n`);
  }

  private indent(depth: number): string {
    return '  '.repeat(depth + 1);
  }

  onRunStart(info: RunInfo): void {
    const where = info.file ? ` from ${info.file}` : '';
    this.line(this.c.bold(`lab ${info.lab}: ${plural(info.scenarios.length, 'scenario')}${where}`));
  }

  onScenarioStart(scenario: { name: string; steps: number }): void {
    this.line('');
    this.line(`${this.c.bold(scenario.name)} ${this.c.dim(`(${plural(scenario.steps, 'step')})`)}`);
  }

  onStepStart(step: StepInfo): void {
    const head = `${this.indent(step.depth)}${step.kind === 'traffic' ? '▸' : '…'} ${step.title}`;
    // Traffic gets a line of its own: its nested steps print under it while it runs.
    if (step.kind === 'traffic') this.line(this.c.cyan(head));
    else if (this.live) {
      // Left without a newline: the step's result line replaces it.
      if (this.pending !== undefined) this.out.write(CLEAR_LINE);
      this.out.write(this.c.dim(head));
      this.pending = step.id;
    }
  }

  onStepEnd(result: StepResult, step: StepInfo): void {
    const pad = this.indent(step.depth);
    const c = this.c;
    if (result.status === 'skipped') {
      this.line(c.dim(`${pad}- ${result.title} (skipped${result.message ? `: ${result.message}` : ''})`));
      return;
    }
    const icon = result.status === 'passed' ? c.green('✓') : c.red('✗');
    const time = c.dim(formatElapsed(result.durationMs));
    const note = result.status === 'passed' && result.message ? c.dim(` · ${result.message}`) : '';
    this.line(`${pad}${icon} ${result.title}  ${time}${note}`);
    if (result.status === 'failed') {
      this.line(`${pad}    ${c.red(result.message ?? 'failed')}`);
      if (result.budgetMs !== undefined) {
        const tries = plural(result.attempts ?? 0, 'attempt');
        this.line(
          c.dim(`${pad}    gave up after ${formatElapsed(result.durationMs)} (${tries}, within ${formatDuration(result.budgetMs)})`),
        );
      }
    }
  }

  onScenarioEnd(result: ScenarioResult): void {
    const c = this.c;
    if (result.artifacts) {
      const a = result.artifacts;
      const what = a.error ? c.red(`could not be saved: ${a.error}`) : `${plural(a.files.length, 'file')} in ${a.dir}`;
      this.line(`  ${c.dim('artifacts:')} ${what}`);
    }
    const status = result.status === 'passed' ? c.green('passed') : result.status === 'failed' ? c.red('failed') : c.yellow('skipped');
    this.line(`  ${result.name} ${status} in ${formatElapsed(result.durationMs)}`);
  }

  onRunEnd(result: RunResult): void {
    const c = this.c;
    const scenarios = {
      passed: result.scenarios.filter((s) => s.status === 'passed').length,
      failed: result.scenarios.filter((s) => s.status === 'failed').length,
      skipped: result.scenarios.filter((s) => s.status === 'skipped').length,
    };
    const steps = countSteps(result.scenarios.flatMap((s) => s.steps));
    this.line('');
    this.line(`${c.bold('Scenarios')}  ${tally(c, scenarios)} (${result.scenarios.length})`);
    this.line(`${c.bold('Steps    ')}  ${tally(c, steps)} (${steps.total})`);
    this.line(`${c.bold('Duration ')}  ${formatElapsed(result.durationMs)}${result.interrupted ? c.yellow(' (interrupted)') : ''}`);
    const failures = result.scenarios.flatMap((s) =>
      flattenSteps(s.steps)
        .filter((r) => r.status === 'failed' && !(r.steps ?? []).some((n) => n.status === 'failed'))
        .map((r) => ({ scenario: s, step: r })),
    );
    if (failures.length === 0) return;
    this.line('');
    this.line(c.red.bold('Failed'));
    for (const { scenario, step } of failures) {
      this.line(`  ${scenario.name} › ${step.id} ${step.title}`);
      this.line(`    ${c.red(step.message ?? 'failed')}`);
      const where = step.at ? `${step.at.file}:${step.at.line}:${step.at.column}` : undefined;
      const artifacts = scenario.artifacts && !scenario.artifacts.error ? `artifacts in ${scenario.artifacts.dir}` : undefined;
      const extra = [where, artifacts].filter(Boolean).join(' · ');
      if (extra) this.line(c.dim(`    ${extra}`));
    }
  }
}

export const createPrettyReporter = (options: ReporterOptions): Reporter => new PrettyReporter(options);
