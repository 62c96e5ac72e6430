// `nvlab console [LAB]`: prints the URL of the lab's web console (every member serves it), and
// opens it in a browser where one is at hand (a desktop session, or $BROWSER).
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { labConsole } from '../app/console.ts';
import { defaultLab } from '../app/exec-target.ts';
import { createRuntime } from '../app/runtime.ts';
import { out } from './output.ts';

/** The browser to open a URL with: $BROWSER, or the desktop's opener in a graphical session. */
function browserCommand(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BROWSER) return env.BROWSER;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? 'xdg-open' : undefined;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description(
      "the URL of a running lab's web console (served by every controller member, the lab's API token in the URL's fragment), opened where a browser is at hand",
    )
    .argument('[lab]', 'lab name (default: the only deployed lab)')
    .option('--no-open', 'print the URL only')
    .action(async (labArg: string | undefined, opts: { open: boolean }) => {
      const runtime = await createRuntime();
      const lab = labArg ?? (await defaultLab(runtime));
      const { urls, authority } = await labConsole(runtime, lab);
      const [first, ...others] = urls;
      out(first!.url);
      for (const o of others) out(`  also ${o.url} (${o.member})`);
      if (authority) out(`  (the members' certificates are signed by the lab's own authority, ${authority})`);
      const browser = opts.open ? browserCommand(process.env) : undefined;
      if (browser) {
        // Detached: the browser outlives this command, and its failure is not ours.
        const child = spawn(browser, [first!.url], { detached: true, stdio: 'ignore' });
        child.on('error', () => {});
        child.unref();
      }
    });
}
