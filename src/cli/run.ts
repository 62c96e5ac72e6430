// `nvlab run FILE`: check the file and its scenarios, deploy the lab (or use --lab), run the
// scenarios, report, destroy unless --keep. The report goes to stdout or --output; progress and
// logs go to stderr, so `nvlab run FILE --reporter junit > report.xml` yields a clean file.
// The lab itself comes from an OpenScenarioLab (src/app), given to registerRun.

import type { WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import chalk from 'chalk';
import { Option, type Command } from 'commander';
import { REPORTER_NAMES, createReporter, type TextSink } from '../reporters/index.ts';
import type { OpenScenarioLab, ScenarioLab } from '../scenario/driver.ts';
import type { Reporter } from '../scenario/reporter.ts';
import { exitCodeOf } from '../scenario/results.ts';
import { runScenarios } from '../scenario/runner.ts';
import { parseScenarios, selectScenarios } from '../scenario/suite.ts';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { UsageError } from '../util/errors.ts';
import { formatWarning } from './output.ts';

export interface RunFlags {
  /** Scenario names to run; all when empty. */
  scenario: string[];
  reporter: string;
  output?: string;
  keep: boolean;
  lab?: string;
}

export interface RunIo {
  stdout: TextSink;
  stderr: TextSink;
}

/** Exit code of a run stopped by Ctrl-C, as shells report SIGINT. */
export const INTERRUPTED_EXIT_CODE = 130;

// Opened before the lab is deployed, so a report that cannot be written costs nothing.
async function openReport(path: string): Promise<WriteStream> {
  try {
    return (await open(path, 'w')).createWriteStream();
  } catch (error) {
    throw new UsageError(`cannot write the report to ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs the scenarios of `file`; resolves to the exit code. Bad input throws (exit code 2). */
export async function runFile(file: string, flags: RunFlags, openLab: OpenScenarioLab, io: RunIo, signal: AbortSignal): Promise<number> {
  // Everything that can be wrong with the input is found before a container starts.
  const loaded = await loadTopology(file);
  for (const warning of loaded.warnings) io.stderr.write(`${formatWarning(warning)}\n`);
  const suite = selectScenarios(parseScenarios(loaded, planLab(loaded.topology)), flags.scenario);
  if (suite.scenarios.length === 0) throw new UsageError(`${file} has no scenarios to run`);
  const progress = (line: string): void => void io.stderr.write(`${chalk.dim(line)}\n`);
  const reportFile = flags.output === undefined ? undefined : await openReport(flags.output);
  const reporters: Reporter[] = [];
  // Progress on stderr whenever stdout is not already showing it.
  if (flags.reporter !== 'pretty' || reportFile) reporters.push(createReporter('pretty', { stream: io.stderr }));
  reporters.push(createReporter(flags.reporter, reportFile ? { stream: reportFile, color: false } : { stream: io.stdout }));

  let lab: ScenarioLab | undefined;
  try {
    lab = await openLab({ loaded, ...(flags.lab ? { lab: flags.lab } : {}), progress, signal });
    const result = await runScenarios({ ...suite, lab: lab.name }, lab.driver, { reporters, signal });
    return result.interrupted ? INTERRUPTED_EXIT_CODE : exitCodeOf(result);
  } finally {
    if (lab) {
      const kept = flags.keep || flags.lab !== undefined;
      await lab.release({ keep: flags.keep });
      progress(kept ? `lab ${lab.name} left running (nvlab destroy ${lab.name} removes it)` : `lab ${lab.name} destroyed`);
    }
    if (reportFile) {
      reportFile.end();
      await finished(reportFile);
    }
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the `run` verb; `openLab` deploys or attaches to the lab the scenarios run on. */
export function registerRun(program: Command, openLab: OpenScenarioLab): void {
  program
    .command('run')
    .description("deploy a topology's lab, run its scenarios, report, destroy the lab")
    .argument('<file>', 'topology file (YAML) with scenarios')
    .option('-s, --scenario <name>', 'run only this scenario (repeatable)', collect, [])
    .addOption(new Option('-r, --reporter <name>', 'report format').choices(REPORTER_NAMES).default('pretty'))
    .option('-o, --output <path>', 'write the report to this file instead of stdout')
    .option('-k, --keep', 'leave the lab running afterwards')
    .option('--lab <name>', 'run against this deployed lab instead of deploying one (it is never destroyed)')
    .action(async (file: string, opts: { scenario: string[]; reporter: string; output?: string; keep?: boolean; lab?: string }) => {
      process.exitCode = await runInterruptibly(
        file,
        {
          scenario: opts.scenario,
          reporter: opts.reporter,
          keep: opts.keep === true,
          ...(opts.output ? { output: opts.output } : {}),
          ...(opts.lab ? { lab: opts.lab } : {}),
        },
        openLab,
      );
    });
}

/** runFile on the process's stdout and stderr. First Ctrl-C: finish the current attempt, skip
 *  the rest, release the lab. Second: leave now. */
export async function runInterruptibly(file: string, flags: RunFlags, openLab: OpenScenarioLab): Promise<number> {
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    process.stderr.write(chalk.yellow('interrupted: stopping after the current step (Ctrl-C again to leave at once)\n'));
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runFile(file, flags, openLab, { stdout: process.stdout, stderr: process.stderr }, abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
