import { existsSync } from 'node:fs';
import chalk from 'chalk';
import type { Command } from 'commander';
import { destroyAllLabs, destroyLab, type DestroyReport } from '../app/destroy.ts';
import { defaultLab } from '../app/exec-target.ts';
import { labExists } from '../app/labs.ts';
import { hasLabState } from '../app/lab-state.ts';
import { createRuntime } from '../app/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import { NvlabError } from '../util/errors.ts';
import { out } from './output.ts';

function printReport(report: DestroyReport): void {
  out(`${chalk.green('destroyed')} ${report.lab}: ${report.containers} containers, ${report.networks} networks`);
}

export function registerDestroy(program: Command): void {
  program
    .command('destroy')
    .description('remove a lab: every container and network labelled with it, nothing else')
    .argument('[lab]', 'lab name or topology file (default: the only deployed lab)')
    .option('-a, --all', 'destroy every nvlab lab on this host')
    .action(async (target: string | undefined, opts: { all?: boolean }) => {
      const runtime = await createRuntime();
      if (opts.all) {
        const reports = await destroyAllLabs(runtime);
        if (reports.length === 0) out('no labs to destroy');
        reports.forEach(printReport);
        return;
      }
      let lab = target ?? (await defaultLab(runtime));
      if (/\.ya?ml$/.test(lab) && existsSync(lab)) lab = (await loadTopology(lab)).topology.name;
      // A deploy killed before its first network leaves only the lab's state: that goes too.
      if (!(await labExists(runtime, lab)) && !(await hasLabState(lab)))
        throw new NvlabError('NO_LAB', `no lab named ${lab} is deployed`, { exitCode: 2 });
      printReport(await destroyLab(runtime, lab));
    });
}
