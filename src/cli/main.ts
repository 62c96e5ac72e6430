// The nvlab command line: a thin shell over src/app. Each verb lives in its own file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { dockerScenarioLab } from '../app/lab-driver/open-lab.ts';
import { projectRoot } from '../util/paths.ts';
import { registerDemo } from './demo.ts';
import { registerConnectivity } from './connectivity.ts';
import { registerConsole } from './console.ts';
import { registerDeploy } from './deploy.ts';
import { registerDestroy } from './destroy.ts';
import { registerExec } from './exec.ts';
import { registerGraph } from './graph.ts';
import { registerImage } from './image.ts';
import { registerInspect } from './inspect.ts';
import { reportError } from './output.ts';
import { registerRun } from './run.ts';
import { registerStatus } from './status.ts';
import { registerTrace } from './trace.ts';
import { registerValidate } from './validate.ts';

const { version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };

const program = new Command('nvlab')
  .description('NVP-style overlay network labs on real Open vSwitch in Docker')
  .version(version)
  .showHelpAfterError()
  // Usage errors exit 2, as bad input does everywhere else.
  .exitOverride();

registerDeploy(program);
registerRun(program, dockerScenarioLab());
registerDestroy(program);
registerInspect(program);
registerStatus(program);
registerTrace(program);
registerConnectivity(program);
registerExec(program);
registerValidate(program);
registerGraph(program);
registerConsole(program);
registerDemo(program);
registerImage(program);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2;
  } else {
    process.exitCode = reportError(error);
  }
}
