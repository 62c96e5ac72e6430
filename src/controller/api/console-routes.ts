// The web console's files (src/console, built by src/nodes/controller/assets.ts), served at `/`
// beside the API: the page, its script (with the chunks esbuild splits off it, loaded when first
// used) and its style sheet. They are not API routes (no OpenAPI entry); everything else keeps
// the API's JSON 404. They hold no data, so they are open: the page takes the token from its URL.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_FILES } from '../../model/index.ts';
import { OPEN_ROUTE } from './auth.ts';

/** The console as the member serves it: each file's contents by its name (the page is
 *  CONSOLE_FILES.html). */
export type ConsoleFiles = Readonly<Record<string, string>>;

/** What the console is made of, by extension; other files are not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The console's files from `dir` (where the controller's assets put them), or undefined when
 *  there is no page there: a member without them serves the API alone. */
export async function readConsoleFiles(dir: string): Promise<ConsoleFiles | undefined> {
  try {
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && CONTENT_TYPES[extname(e.name)])
      .map((e) => e.name);
    if (!names.includes(CONSOLE_FILES.html)) return undefined;
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)));
  } catch {
    return undefined;
  }
}

export function registerConsole(app: FastifyInstance, files: ConsoleFiles): void {
  // no-cache: a browser asks again on each load, so a lab redeployed with a new console never shows the old one.
  const serve = (url: string, name: string) => {
    const type = CONTENT_TYPES[extname(name)];
    const body = files[name];
    if (type && body !== undefined)
      app.get(url, OPEN_ROUTE, async (_request, reply) =>
        reply.header('content-type', type).header('cache-control', 'no-cache').send(body),
      );
  };
  serve('/', CONSOLE_FILES.html);
  for (const name of Object.keys(files)) serve(`/${name}`, name);
}
