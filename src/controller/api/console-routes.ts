// The web console's files (src/console, built by src/nodes/controller/assets.ts), served at `/`
// beside the API: the page, its one script and its one style sheet. They are not API routes (no
// OpenAPI entry); everything else keeps the API's JSON 404.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_FILES } from '../../model/index.ts';

/** The console as the member serves it: the contents of its three files. */
export interface ConsoleFiles {
  html: string;
  script: string;
  style: string;
}

/** The console's files from `dir` (where the controller's assets put them), or undefined when
 *  they are not there: a member without them serves the API alone. */
export async function readConsoleFiles(dir: string): Promise<ConsoleFiles | undefined> {
  try {
    const [html, script, style] = await Promise.all(
      [CONSOLE_FILES.html, CONSOLE_FILES.script, CONSOLE_FILES.style].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return { html: html!, script: script!, style: style! };
  } catch {
    return undefined;
  }
}

export function registerConsole(app: FastifyInstance, files: ConsoleFiles): void {
  // no-cache: a browser asks again on each load, so a lab redeployed with a new console never shows the old one.
  const serve = (url: string, type: string, body: string) =>
    app.get(url, async (_request, reply) => reply.header('content-type', type).header('cache-control', 'no-cache').send(body));
  serve('/', 'text/html; charset=utf-8', files.html);
  serve(`/${CONSOLE_FILES.html}`, 'text/html; charset=utf-8', files.html);
  serve(`/${CONSOLE_FILES.script}`, 'text/javascript; charset=utf-8', files.script);
  serve(`/${CONSOLE_FILES.style}`, 'text/css; charset=utf-8', files.style);
}
