// `nvlab demo`: the main job on the built-in demo lab. It deploys topologies/demo.yaml, runs
// its scenarios (tunnels, reachability, isolation, flooding, failover) and destroys the lab.
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { dockerScenarioLab } from '../app/lab-driver/open-lab.ts';
import { REPORTER_NAMES } from '../reporters/index.ts';
import { projectRoot } from '../util/paths.ts';
import { runInterruptibly } from './run.ts';

export const DEMO_TOPOLOGY = join(projectRoot, 'topologies/demo.yaml');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the main job on the built-in demo lab: deploy it, run its scenarios, destroy it (nvlab run on topologies/demo.yaml)')
    .option('-t, --topology <file>', 'topology file', DEMO_TOPOLOGY)
    .addOption(new Option('-r, --reporter <name>', 'report format').choices(REPORTER_NAMES).default('pretty'))
    .option('-k, --keep', 'leave the lab running')
    .action(async (opts: { topology: string; reporter: string; keep?: boolean }) => {
      process.exitCode = await runInterruptibly(
        opts.topology,
        { scenario: [], reporter: opts.reporter, keep: opts.keep === true },
        dockerScenarioLab(),
      );
    });
}
