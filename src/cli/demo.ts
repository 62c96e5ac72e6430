import { join } from 'node:path';
import chalk from 'chalk';
import type { Command } from 'commander';
import { destroyLab } from '../app/destroy.ts';
import { inspectLab } from '../app/inspect.ts';
import { createRuntime } from '../app/runtime.ts';
import { checkOverlay } from '../app/overlay-check.ts';
import { checkUnderlay } from '../app/underlay-check.ts';
import { projectRoot } from '../util/paths.ts';
import { deployFile } from './deploy.ts';
import { printLab } from './lab-report.ts';
import { out } from './output.ts';

export const DEMO_TOPOLOGY = join(projectRoot, 'topologies/demo.yaml');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job on the built-in demo lab: deploy, report what came up, verify the underlay and overlay, destroy')
    .option('-t, --topology <file>', 'topology file', DEMO_TOPOLOGY)
    .option('-k, --keep', 'leave the lab running')
    .action(async (opts: { topology: string; keep?: boolean }) => {
      const runtime = await createRuntime();
      const { plan, result } = await deployFile(runtime, opts.topology);
      let failed = 0;
      try {
        const state = await inspectLab(runtime, plan.lab);
        printLab(state);
        out(`deployed ${plan.lab}: ${result.nodes} nodes in ${(result.durationMs / 1000).toFixed(1)} s`);
        const pairs = await checkUnderlay(runtime, state);
        failed = pairs.filter((p) => !p.ok).length;
        for (const p of pairs.filter((q) => !q.ok)) out(`  ${chalk.red('✗')} underlay ${p.from} → ${p.to}`);
        out(
          failed === 0
            ? `${chalk.green('✓')} underlay: all ${pairs.length} transport-node pairs reach each other`
            : chalk.red(`underlay: ${failed} of ${pairs.length} pairs unreachable`),
        );
        const overlay = await checkOverlay(runtime, plan);
        const reach = overlay.filter((p) => p.expected);
        const isolation = overlay.filter((p) => !p.expected);
        for (const p of overlay.filter((q) => !q.ok)) {
          out(`  ${chalk.red('✗')} ${p.from} → ${p.to} (${p.ip}): ${p.expected ? 'no answer' : 'answered across tenants'}`);
        }
        failed += overlay.filter((p) => !p.ok).length;
        out(`${reach.every((p) => p.ok) ? chalk.green('✓') : chalk.red('✗')} overlay: ${reach.filter((p) => p.ok).length}/${reach.length} port pairs within their switch reach each other`);
        if (isolation.length > 0) {
          out(`${isolation.every((p) => p.ok) ? chalk.green('✓') : chalk.red('✗')} isolation: ${isolation.filter((p) => p.ok).length}/${isolation.length} cross-tenant addresses unreachable`);
        }
      } finally {
        if (!opts.keep) {
          const report = await destroyLab(runtime, plan.lab);
          out(`destroyed ${plan.lab}: ${report.containers} containers, ${report.networks} networks`);
        }
      }
      if (failed > 0) process.exitCode = 1;
    });
}
