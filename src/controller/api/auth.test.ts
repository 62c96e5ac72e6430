import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../../test/fixtures/api/memory-store.ts';
import { createApi } from './app.ts';
import type { AuditEntry } from './audit.ts';
import { identify } from './auth.ts';
import { buildOpenApiDocument } from './openapi.ts';

const TOKEN = 'unit-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('identify', () => {
  it("names the token's holder, and says why a request has none", () => {
    expect(identify(`Bearer ${TOKEN}`, TOKEN)).toEqual({ holder: 'owner' });
    expect(identify(`bearer ${TOKEN}  `, TOKEN)).toEqual({ holder: 'owner' });
    expect(identify(undefined, TOKEN)).toEqual({ holder: 'anonymous', refused: 'no token' });
    expect(identify('Bearer', TOKEN)).toEqual({ holder: 'anonymous', refused: 'no token' });
    expect(identify(`Basic ${TOKEN}`, TOKEN)).toEqual({ holder: 'anonymous', refused: 'no token' });
    expect(identify(`Bearer ${TOKEN}x`, TOKEN)).toEqual({ holder: 'anonymous', refused: 'wrong token' });
    expect(identify(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toEqual({ holder: 'anonymous', refused: 'wrong token' });
  });
});

describe('the API with a token', () => {
  const audit: AuditEntry[] = [];
  const app = createApi({
    store: memoryStore(),
    member: 'ctrl1',
    token: TOKEN,
    audit: (e) => audit.push(e),
    console: { 'index.html': '<title>nvlab console</title>', 'console.js': '' },
  });
  afterAll(() => app.close());

  it('refuses every /api/ route, reads and writes, without the token or with a wrong one, before reading the body', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/status'],
      ['GET', '/api/v1/logical-switches'],
      ['POST', '/api/v1/logical-switches'],
      ['DELETE', '/api/v1/logical-switches/web'],
      ['GET', '/api/v9/nothing'],
      ['PATCH', '/api/v1/logical-ports/%/statistics'],
    ] as const) {
      for (const headers of [{}, { authorization: 'Bearer nope' }]) {
        const res = await app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: '{"name":' });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
      }
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/logical-switches', headers: auth })).json()).toEqual({ items: [] });
  });

  it('serves the routes with the token, and the console and the OpenAPI document to anyone', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/logical-switches',
      headers: auth,
      payload: { name: 'web', vni: 5001 },
    });
    expect(created.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/api/v1/logical-switches/web', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('nvlab console');
    expect((await app.inject({ method: 'GET', url: '/console.js' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/openapi.json' })).json()).toMatchObject({ security: [{ labToken: [] }] });
    // Not open: another method on an open path, and an unknown file.
    expect((await app.inject({ method: 'POST', url: '/' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/secret.txt' })).statusCode).toBe(401);
  });

  it('writes every write it answers and every refusal to the audit log: who, what, and the answer', async () => {
    audit.length = 0;
    const client = { ...auth, 'x-nvlab-client': 'cli' };
    await app.inject({ method: 'POST', url: '/api/v1/logical-switches', headers: client, payload: { name: 'db', vni: 5002 } });
    await app.inject({ method: 'POST', url: '/api/v1/logical-switches', headers: client, payload: { name: 'db', vni: 5002 } });
    await app.inject({ method: 'GET', url: '/api/v1/logical-switches', headers: client });
    await app.inject({
      method: 'DELETE',
      url: '/api/v1/logical-switches/db',
      headers: { 'x-nvlab-client': 'scenario', authorization: 'Bearer x' },
    });
    await app.inject({ method: 'GET', url: '/api/v1/status' });
    const big = { name: 'big', vni: 5003, description: 'x'.repeat(10_000) };
    await app.inject({ method: 'POST', url: '/api/v1/logical-switches', headers: auth, payload: big });
    // URLs fastify cannot decode, answered without its hooks, are in the log all the same.
    await app.inject({ method: 'PATCH', url: '/api/v1/logical-ports/%/statistics' });
    await app.inject({ method: 'GET', url: '/api/v1/logical-ports/%zz' });
    await app.inject({ method: 'PUT', url: '/api/v1/logical-ports/%zz', headers: auth, payload: {} });
    await app.inject({ method: 'PATCH', url: '/api/v1/logical-ports/%', headers: auth });
    expect(audit.map((e) => `${e.who.holder} ${e.who.client ?? '-'} ${e.method} ${e.path} ${e.status} ${e.refused ?? ''}`.trim())).toEqual([
      'owner cli POST /api/v1/logical-switches 201',
      'owner cli POST /api/v1/logical-switches 409',
      'anonymous scenario DELETE /api/v1/logical-switches/db 401 wrong token',
      'anonymous - GET /api/v1/status 401 no token',
      'owner - POST /api/v1/logical-switches 400',
      'anonymous - PATCH /api/v1/logical-ports/%/statistics 401 no token',
      'anonymous - GET /api/v1/logical-ports/%zz 401 no token',
      'owner - PUT /api/v1/logical-ports/%zz 400',
      'owner - PATCH /api/v1/logical-ports/% 404',
    ]);
    expect(audit[0]).toMatchObject({ member: 'ctrl1', who: { address: '127.0.0.1' }, what: { name: 'db', vni: 5002 } });
    expect(Date.parse(audit[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(audit[2]!.what).toBeUndefined();
    // A long body is kept cut, with its length.
    expect(typeof audit[4]!.what).toBe('string');
    expect((audit[4]!.what as string).length).toBe(4096);
    expect(audit[4]!.whatLength).toBe(JSON.stringify(big).length);
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });
});

describe('the OpenAPI document', () => {
  it('describes the bearer token as the security of every operation, and its 401', () => {
    const doc = buildOpenApiDocument();
    expect(doc.security).toEqual([{ labToken: [] }]);
    expect(doc.components.securitySchemes).toMatchObject({ labToken: { type: 'http', scheme: 'bearer' } });
    expect(doc.components.responses.Unauthorized).toMatchObject({ headers: { 'www-authenticate': {} } });
  });
});
