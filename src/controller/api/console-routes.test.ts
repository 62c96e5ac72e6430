// The web console served beside the API: its page at `/`, its scripts and style sheet with their
// content types, the API's routes and JSON 404 as they were; the files read from a directory as
// a member does; and the console as the lab ships it (built from src/console) names the files the
// member serves.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_FILES } from '../../model/index.ts';
import { buildConsole } from '../../nodes/controller/assets.ts';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';
import { readConsoleFiles } from './console-routes.ts';

const store = {
  status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
  members: () => [{ name: 'ctrl1', expires: Date.now() + 60_000 }],
  masterships: () => [],
  resource: () => ({ list: () => [] }),
} as unknown as Store;

const files = {
  [CONSOLE_FILES.html]: '<!doctype html><title>console</title>',
  [CONSOLE_FILES.script]: 'import("./console-abc.js")',
  'console-abc.js': 'export const chunk = 1;',
  [CONSOLE_FILES.style]: 'body{margin:0}',
};

describe('the console beside the API', () => {
  const app = createApi({ store, member: 'ctrl1', console: files });
  const bare = createApi({ store, member: 'ctrl1' });
  afterAll(async () => {
    await app.close();
    await bare.close();
  });

  it('answers / and /index.html with the page, as HTML', async () => {
    for (const url of ['/', `/${CONSOLE_FILES.html}`]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(files[CONSOLE_FILES.html]);
    }
  });

  it('serves its scripts (the entry and a chunk split off it) and style sheet with their content types', async () => {
    for (const [name, type] of [
      [CONSOLE_FILES.script, 'text/javascript; charset=utf-8'],
      ['console-abc.js', 'text/javascript; charset=utf-8'],
      [CONSOLE_FILES.style, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: `/${name}` });
      expect([res.statusCode, res.headers['content-type'], res.body], name).toEqual([200, type, files[name]]);
    }
  });

  it('reads the files a member serves from its directory; none there: no console', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nvlab-console-'));
    try {
      expect(await readConsoleFiles(dir)).toBeUndefined();
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      await writeFile(join(dir, 'notes.txt'), 'not served');
      expect(await readConsoleFiles(dir)).toEqual(files);
    } finally {
      await rm(dir, { recursive: true });
    }
    expect(await readConsoleFiles(join(dir, 'gone'))).toBeUndefined();
  });

  it('leaves the API, the OpenAPI document and the JSON 404 as they were', async () => {
    for (const api of [app, bare]) {
      const status = await api.inject({ method: 'GET', url: '/api/v1/status' });
      expect(status.statusCode).toBe(200);
      expect(status.json()).toMatchObject({ member: 'ctrl1', members: [{ name: 'ctrl1', live: true }] });
      expect((await api.inject({ method: 'GET', url: '/api/v1/logical-switches' })).json()).toEqual({ items: [] });
      expect((await api.inject({ method: 'GET', url: '/openapi.json' })).json()).toMatchObject({ openapi: '3.1.0' });
      const missing = await api.inject({ method: 'GET', url: '/console.map' });
      expect([missing.statusCode, missing.json()]).toEqual([404, { error: 'not found', detail: 'no route GET /console.map' }]);
    }
  });

  it('without console files, / is the JSON 404 it always was', async () => {
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect([res.statusCode, res.json()]).toEqual([404, { error: 'not found', detail: 'no route GET /' }]);
  });

  it('the console as the lab ships it: its page asks for the script and style sheet the member serves, and nothing from elsewhere', async () => {
    const built = await buildConsole();
    const [html, script, style] = [built[CONSOLE_FILES.html]!, built[CONSOLE_FILES.script]!, built[CONSOLE_FILES.style]!];
    expect(html).toContain(`<script type="module" src="${CONSOLE_FILES.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${CONSOLE_FILES.style}" />`);
    // The page's script and the layout worker's, and only chunks they name.
    expect(built[CONSOLE_FILES.layoutWorker]).toBeDefined();
    const chunks = Object.keys(built).filter((n) => n.endsWith('.js') && n !== CONSOLE_FILES.script && n !== CONSOLE_FILES.layoutWorker);
    for (const c of chunks)
      expect(
        Object.values(built).some((text) => text.includes(`./${c}`)),
        c,
      ).toBe(true);
    // Offline: the page and the style sheet name nothing of another origin (the browser tests
    // check that the running console asks nothing of one).
    for (const text of [html, style]) expect(text.match(/(https?:)?\/\/[\w.-]+/g)).toBeNull();
    // A browser script: nothing of Node's (checked as a boolean: the bundle is too long to print).
    const scripts = Object.entries(built).filter(([n]) => n.endsWith('.js'));
    for (const [n, text] of scripts) expect(/\bfrom ?["']node:|require\(["']node:/.test(text), `${n} imports a node: module`).toBe(false);
    expect(script.length).toBeGreaterThan(1000);
    // Nor zod: the console takes the model's words from its zod-free files (zod tripled the
    // script and took ~150 ms of each load to evaluate its schemas).
    for (const [n, text] of scripts) expect(/\$Zod[A-Z]/.test(text), `${n} bundles zod`).toBe(false);
  });
});
