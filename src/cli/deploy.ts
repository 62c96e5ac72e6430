import chalk from 'chalk';
import type { Command } from 'commander';
import { deployLab, deploySummary, DEFAULT_CONCURRENCY, type DeployEvent } from '../app/deploy.ts';
import { inspectLab } from '../app/inspect.ts';
import { createRuntime } from '../app/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { printLab } from './lab-report.ts';
import { err, formatWarning, out, progress } from './output.ts';
import { parseCount, parseFormat } from './parse.ts';

/** Progress lines on stderr, one per stage and per node that came up. */
export function deployProgress(event: DeployEvent): void {
  if (event.type === 'stage') progress(`… ${event.stage}`);
  else if (event.type === 'progress') progress(`  ${event.line}`);
  else progress(`  ${chalk.green('✓')} ${event.name} ready (${event.done}/${event.total}, ${Math.round(event.ms)} ms)`);
}

/** Loads, plans and deploys a topology file; Ctrl-C during the deploy rolls it back. */
export async function deployFile(runtime: Runtime, file: string, concurrency?: number) {
  const loaded = await loadTopology(file);
  for (const warning of loaded.warnings) err(formatWarning(warning));
  const plan = planLab(loaded.topology, { usedSubnets: await runtime.usedSubnets() });
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    err(chalk.yellow('interrupted: rolling back (Ctrl-C again to leave at once)'));
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await deployLab(runtime, plan, {
      onEvent: deployProgress,
      signal: abort.signal,
      ...(concurrency ? { concurrency } : {}),
    });
    return { plan, result };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('deploy the lab a topology file describes')
    .argument('<file>', 'topology file (YAML)')
    .option('-c, --concurrency <n>', `nodes created at once (default ${DEFAULT_CONCURRENCY})`, parseCount)
    .option('--format <format>', 'table or json', parseFormat, 'table' as const)
    .action(async (file: string, opts: { concurrency?: number; format: string }) => {
      const runtime = await createRuntime();
      const { plan, result } = await deployFile(runtime, file, opts.concurrency);
      const state = await inspectLab(runtime, plan.lab);
      if (opts.format === 'json') {
        out(JSON.stringify({ ...result, state }, null, 2));
        return;
      }
      printLab(state);
      out(chalk.green(deploySummary(result)));
    });
}
