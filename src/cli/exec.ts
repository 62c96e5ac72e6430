import type { Command } from 'commander';
import { resolveExecTarget } from '../app/exec-target.ts';
import { createRuntime } from '../app/runtime.ts';

export function registerExec(program: Command): void {
  program
    .command('exec')
    .description("run a command on a node, or inside a port's VM namespace")
    .argument('<target>', 'node (transport node, host, controller member) or logical port')
    .argument('<cmd...>', 'command and its arguments (put them after --)')
    .option('-l, --lab <lab>', 'lab name (default: the only deployed lab)')
    .action(async (target: string, cmd: string[], opts: { lab?: string }) => {
      const runtime = await createRuntime();
      const where = await resolveExecTarget(runtime, target, opts.lab);
      const result = await runtime.exec(where.container, where.wrap(cmd));
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
