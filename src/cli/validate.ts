import chalk from 'chalk';
import type { Command } from 'commander';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { parseScenarios } from '../scenario/suite.ts';
import { plural } from '../util/words.ts';
import { err, formatWarning, out } from './output.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a topology file and its scenarios; report every problem with file:line:column')
    .argument('<file>', 'topology file (YAML)')
    .action(async (file: string) => {
      const loaded = await loadTopology(file);
      for (const warning of loaded.warnings) err(formatWarning(warning));
      const plan = planLab(loaded.topology);
      // The scenarios' steps too, so a bad step is found before anything is deployed.
      parseScenarios(loaded, plan);
      const ports = plan.switches.reduce((n, s) => n + s.ports.length, 0);
      out(
        `${chalk.green('valid')} ${file}: lab ${plan.lab}, ${plural(plan.transportNodes.length, 'transport node')}, ` +
          `${plural(plan.switches.length, 'logical switch', 'logical switches')}, ${plural(ports, 'port')}, ` +
          `${plural(plan.hosts.length, 'host')}, ${plural(Object.keys(plan.scenarios).length, 'scenario')}`,
      );
    });
}
