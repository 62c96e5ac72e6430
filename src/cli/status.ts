import type { Command } from 'commander';
import { defaultLab } from '../app/exec-target.ts';
import { createRuntime } from '../app/runtime.ts';
import { labStatus } from '../app/status/index.ts';
import { out } from './output.ts';
import { parseFormat } from './parse.ts';
import { statusReport } from './status-report.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("a lab's controller members, transport nodes with their tunnels, and logical ports, as the controllers see them")
    .argument('[node]', 'only this transport node and the ports bound to it')
    .option('-l, --lab <lab>', 'lab name (default: the only deployed lab)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as const)
    .action(async (node: string | undefined, opts: { lab?: string; format: 'table' | 'json' }) => {
      const runtime = await createRuntime();
      const lab = opts.lab ?? (await defaultLab(runtime));
      const status = await labStatus(runtime, lab, node === undefined ? {} : { node });
      if (opts.format === 'json') out(JSON.stringify(status, null, 2));
      else for (const line of statusReport(status)) out(line);
    });
}
