import chalk from 'chalk';
import type { Command } from 'commander';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { out } from './output.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a topology file; report every problem with file:line:column')
    .argument('<file>', 'topology file (YAML)')
    .action(async (file: string) => {
      const loaded = await loadTopology(file);
      const plan = planLab(loaded.topology);
      const ports = plan.switches.reduce((n, s) => n + s.ports.length, 0);
      out(
        `${chalk.green('valid')} ${file}: lab ${plan.lab}, ${plan.transportNodes.length} transport nodes, ` +
          `${plan.switches.length} logical switches, ${ports} ports, ${plan.hosts.length} hosts, ` +
          `${Object.keys(plan.scenarios).length} scenarios`,
      );
    });
}
