// `nvlab connectivity`: the port connectivity matrix of a running lab (NVP's port connectivity
// tool). Exit 0 when every pair is as designed, 1 when one is broken, 2 on bad input.
import type { Command } from 'commander';
import { connectivityMatrix } from '../app/connectivity/index.ts';
import { defaultLab } from '../app/exec-target.ts';
import { createRuntime } from '../app/runtime.ts';
import { injectThroughApi, labTracer, readLabView } from '../app/trace/index.ts';
import { connectivityLines } from './connectivity-report.ts';
import { out } from './output.ts';
import { parseFormat } from './parse.ts';

interface ConnectivityFlags {
  lab?: string;
  switch?: string;
  inject: boolean;
  format: 'table' | 'json';
}

export function registerConnectivity(program: Command): void {
  program
    .command('connectivity')
    .description('every pair of logical ports: reachable, isolated by design, or broken (with where and why)')
    .option('-l, --lab <lab>', 'lab name (default: the only deployed lab)')
    .option('--switch <switch>', 'only the ports of this logical switch')
    .option('--no-inject', 'predicted paths only (no marked packet injected)')
    .option('--format <format>', 'table or json', parseFormat, 'table' as const)
    .action(async (flags: ConnectivityFlags) => {
      const runtime = await createRuntime();
      const lab = flags.lab ?? (await defaultLab(runtime));
      const view = await readLabView(runtime, lab);
      const matrix = await connectivityMatrix({
        lab,
        ports: view.ports,
        routers: view.routers,
        trace: await labTracer(runtime, lab, { view, inject: flags.inject ? await injectThroughApi(runtime, lab) : undefined }),
        switch: flags.switch,
        injected: flags.inject,
      });
      if (flags.format === 'json') out(JSON.stringify(matrix, null, 2));
      else for (const line of connectivityLines(matrix)) out(line);
      process.exitCode = matrix.summary.broken > 0 ? 1 : 0;
    });
}
