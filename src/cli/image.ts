import type { Command } from 'commander';
import { createRuntime } from '../app/runtime.ts';
import { out, progress } from './output.ts';

export function registerImage(program: Command): void {
  program
    .command('image')
    .description('build the node image when it is missing (offline too) and print its tag')
    .action(async () => {
      out(await (await createRuntime()).prepare(progress));
    });
}
