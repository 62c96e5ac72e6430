// The web console served beside the API: its page at `/`, its script and style sheet with their
// content types, the API's routes and JSON 404 as they were; and the console as the lab ships it
// (built from src/console) names the files the member serves.
import { afterAll, describe, expect, it } from 'vitest';
import { CONSOLE_FILES } from '../../model/index.ts';
import { buildConsole } from '../../nodes/controller/assets.ts';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';

const store = {
  status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
  members: () => [{ name: 'ctrl1', expires: Date.now() + 60_000 }],
  masterships: () => [],
  resource: () => ({ list: () => [] }),
} as unknown as Store;

const files = { html: '<!doctype html><title>console</title>', script: 'console.log(1)', style: 'body{margin:0}' };

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
      expect(res.body).toBe(files.html);
    }
  });

  it('serves its script and style sheet with their content types', async () => {
    const script = await app.inject({ method: 'GET', url: `/${CONSOLE_FILES.script}` });
    expect([script.statusCode, script.headers['content-type'], script.body]).toEqual([200, 'text/javascript; charset=utf-8', files.script]);
    const style = await app.inject({ method: 'GET', url: `/${CONSOLE_FILES.style}` });
    expect([style.statusCode, style.headers['content-type'], style.body]).toEqual([200, 'text/css; charset=utf-8', files.style]);
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
    expect(built.html).toContain(`<script type="module" src="${CONSOLE_FILES.script}"></script>`);
    expect(built.html).toContain(`<link rel="stylesheet" href="${CONSOLE_FILES.style}" />`);
    // Offline: the page and the style sheet name nothing of another origin (the browser tests
    // check that the running console asks nothing of one).
    for (const text of [built.html, built.style]) expect(text.match(/(https?:)?\/\/[\w.-]+/g)).toBeNull();
    // A browser script: nothing of Node's (checked as a boolean: the bundle is too long to print).
    expect(/\bfrom ?["']node:|require\(["']node:/.test(built.script), 'the script imports a node: module').toBe(false);
    expect(built.script.length).toBeGreaterThan(1000);
    // Nor zod: the console takes the model's words from its zod-free files (zod tripled the
    // script and took ~150 ms of each load to evaluate its schemas).
    expect(/\$Zod[A-Z]/.test(built.script), 'the script bundles zod').toBe(false);
  });
});
