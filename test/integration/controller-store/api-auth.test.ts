// The northbound API's security over a real 3-member NvStore cluster: a member's API over HTTPS
// with a certificate of the lab's authority (src/pki) and the lab's token on every /api/ route;
// a client without the token, with a wrong one, trusting another authority, or speaking plain
// HTTP gets nothing; the northbound client of the CLI, scenarios and deploy gets through with the
// lab's credentials; and each write and each refusal is in the member's audit log with who and what.
import { describe, expect, it } from 'vitest';
import { NorthboundError, northbound, unwrap } from '../../../src/northbound-client/index.ts';
import { apiRequest, testApiSecurity } from '../../support/api-security.ts';
import { useApiCluster, waitUntil } from './support.ts';

describe('the northbound API over HTTPS with the lab token, over a 3-member NvStore cluster', () => {
  const { secure, audit } = useApiCluster();
  /** Member 1 over HTTPS trusting the lab's authority, with `token` (none: no token). */
  const call = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const { port, authority } = secure();
    return apiRequest({ port }, path, { ...init, ca: authority.certificate, client: 'cli' });
  };

  it('refuses reads and writes without the token or with a wrong one: 401, WWW-Authenticate: Bearer, nothing written', async () => {
    const { token } = secure();
    const requests = [
      { path: '/api/v1/status' },
      { path: '/api/v1/logical-switches' },
      { path: '/api/v1/logical-switches', method: 'POST', body: { name: 'intruder', vni: 6666 } },
      { path: '/api/v1/logical-switches/intruder', method: 'DELETE' },
      { path: '/api/v2/anything' },
    ];
    for (const r of requests)
      for (const wrong of [undefined, `${token}x`, token.slice(0, -1), 'Bearer']) {
        const res = await call(r.path, { ...r, ...(wrong === undefined ? {} : { token: wrong }) });
        expect(res.status, `${r.method ?? 'GET'} ${r.path} with ${wrong === undefined ? 'no token' : 'a wrong token'}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.body).toMatchObject({ error: 'unauthorized', detail: expect.any(String) });
      }
    const switches = await call('/api/v1/logical-switches', { token });
    expect(switches.status).toBe(200);
    expect(switches.body).toEqual({ items: [] });
  });

  it('serves reads and writes with the token: 201, 200, 204', async () => {
    const { token } = secure();
    const created = await call('/api/v1/logical-switches', { method: 'POST', body: { name: 'web', vni: 5001 }, token });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/v1/logical-switches/web');
    expect((await call('/api/v1/logical-switches/web', { token })).body).toMatchObject({ name: 'web', vni: 5001 });
    expect((await call('/api/v1/status', { token })).body).toMatchObject({ member: 'ctrl2' });
    expect((await call('/api/v1/logical-switches/web', { method: 'DELETE', token })).status).toBe(204);
    // The OpenAPI document stays open, and says how to call the rest.
    expect((await call('/openapi.json')).body).toMatchObject({ security: [{ labToken: [] }] });
  });

  it('opens no connection to a client trusting another authority, and answers nothing in the clear', async () => {
    const { port, token } = secure();
    const rogue = await testApiSecurity('127.0.0.1', 'rogue');
    await expect(apiRequest({ port }, '/api/v1/status', { token, ca: rogue.authority.certificate })).rejects.toThrow(
      /its certificate is not trusted: .*\(SELF_SIGNED_CERT_IN_CHAIN\)/,
    );
    const client = northbound(['127.0.0.1'], { port, credentials: { token, ca: rogue.authority.certificate }, deadlineMs: 10_000 });
    const started = Date.now();
    const outcome = await client.logicalSwitches.list();
    expect(outcome).toMatchObject({ kind: 'unreachable', message: expect.stringContaining("controller cluster is not the lab's") });
    expect(Date.now() - started).toBeLessThan(2000);
    // Plain HTTP to the HTTPS port: no answer at all.
    await expect(apiRequest({ port }, '/api/v1/status', { token })).rejects.toThrow();
  });

  it("lets the client of the CLI, scenarios and deploy through with the lab's credentials, and no further with others", async () => {
    const { port, credentials } = secure();
    const client = northbound(['127.0.0.1'], { port, credentials, client: 'scenario', deadlineMs: 10_000 });
    expect(unwrap(await client.logicalSwitches.create({ name: 'db', vni: 5002 }))).toMatchObject({ name: 'db' });
    expect(unwrap(await client.logicalSwitches.list()).map((s) => s.name)).toEqual(['db']);
    const stale = northbound(['127.0.0.1'], { port, credentials: { ...credentials, token: 'an-old-labs-token' }, client: 'cli' });
    const refused = await stale.logicalSwitches.delete('db').catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'unauthorized' });
    const error = await stale.logicalSwitches
      .delete('db')
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NorthboundError);
    expect((error as Error).message).toMatch(/^controller cluster refused the request for want of the lab's API token .*→ 401/);
    expect(unwrap(await client.logicalSwitches.get('db')).name).toBe('db');
  });

  it('writes every write and every refusal to the audit log: time, member, who, method, path, status, what', async () => {
    const { token } = secure();
    await call('/api/v1/logical-switches', { method: 'POST', body: { name: 'audited', vni: 5003 }, token });
    await call('/api/v1/logical-switches/audited', { method: 'DELETE', token: 'guess' });
    await call('/api/v1/logical-switches/audited', { token });
    const find = async () => {
      const all = await audit('ctrl2');
      const write = all.find((e) => (e.what as { name?: string } | undefined)?.name === 'audited');
      const refusal = all.find((e) => e.path === '/api/v1/logical-switches/audited');
      return { write, refusal, reads: all.filter((e) => e.method === 'GET' && e.status !== 401) };
    };
    await waitUntil(async () => Object.values(await find()).every(Boolean), 5000, 'both requests in the audit log');
    const { write, refusal, reads } = await find();
    expect(reads).toEqual([]);
    expect(write).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      member: 'ctrl2',
      who: { holder: 'owner', address: '127.0.0.1', client: 'cli' },
      method: 'POST',
      path: '/api/v1/logical-switches',
      status: 201,
      what: { name: 'audited', vni: 5003 },
    });
    expect(refusal).toEqual({
      time: expect.any(String),
      member: 'ctrl2',
      who: { holder: 'anonymous', address: '127.0.0.1', client: 'cli' },
      method: 'DELETE',
      path: '/api/v1/logical-switches/audited',
      status: 401,
      refused: 'wrong token',
    });
    // Every write so far, by the client that made it: the scenario's, the CLI's; reads are not written.
    const all = await audit('ctrl2');
    expect(all.filter((e) => e.who.holder === 'owner').map((e) => `${e.who.client} ${e.method} ${e.status}`)).toEqual([
      'cli POST 201',
      'cli DELETE 204',
      'scenario POST 201',
      'cli POST 201',
    ]);
    expect(JSON.stringify(all)).not.toContain(token);
  });
});
