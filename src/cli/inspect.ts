import chalk from 'chalk';
import type { Command } from 'commander';
import { inspectLab } from '../app/inspect.ts';
import { listLabs } from '../app/labs.ts';
import { createRuntime } from '../app/runtime.ts';
import { printLab } from './lab-report.ts';
import { out } from './output.ts';
import { parseFormat } from './parse.ts';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show deployed labs: nodes, roles, addresses and Open vSwitch state')
    .argument('[lab]', 'lab name (default: every deployed lab)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as const)
    .action(async (lab: string | undefined, opts: { format: 'table' | 'json' }) => {
      const runtime = await createRuntime();
      const labs = lab ? [lab] : await listLabs(runtime);
      const states = await Promise.all(labs.map((name) => inspectLab(runtime, name)));
      if (opts.format === 'json') {
        out(JSON.stringify(lab ? states[0] : states, null, 2));
        return;
      }
      if (states.length === 0) out(chalk.dim('no labs deployed'));
      states.forEach((state, i) => {
        if (i > 0) out();
        printLab(state);
      });
    });
}
