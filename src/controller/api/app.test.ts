// Routes whose answer does not depend on the store's contents (validation, unknown routes, the
// OpenAPI document), over a stand-in store that fails the test if a write reaches it. Routes
// over a real store are in test/integration/controller-store.
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';

const untouchable = new Proxy(
  {
    status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
    members: () => [
      { name: 'ctrl1', expires: Date.now() + 60_000 },
      { name: 'ctrl2', expires: 1 },
    ],
    masterships: () => [{ node: 'hv1', member: 'ctrl1', generation: 3 }],
  },
  {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      return () => {
        throw new Error(`the store was called (${String(prop)}) for a request that should not reach it`);
      };
    },
  },
) as unknown as Store;

describe('northbound API (no store needed)', () => {
  const app = createApi({ store: untouchable, member: 'ctrl1', status: () => ({ masterOf: ['hv1'] }) });
  afterAll(() => app.close());

  it('answers a bad body with 400 and every issue', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/logical-switches',
      payload: { name: 'Web', vni: 0, encap: 'stt', color: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid',
      detail: 'invalid request body (4 issues)',
      issues: [
        { path: 'name', message: 'a name matching [a-z][a-z0-9-]{0,30}' },
        { path: 'vni', message: 'a VNI from 1 to 16777215' },
        { path: 'encap', message: 'an encap: geneve, vxlan, gre' },
        { path: '', message: 'Unrecognized key: "color"' },
      ],
    });
  });

  it('answers a router body that cannot hold together with 400 before the store is asked', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/logical-routers',
      payload: {
        name: 'edge',
        interfaces: [
          { switch: 'web', ip: '10.0.1.1', mac: '0a:00:00:00:01:01' },
          { switch: 'web', ip: '10.0.9.1/24', mac: 'ff:ff:ff:ff:ff:ff' },
        ],
        uplink: { network: 'wan', ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:01', snat: 'yes', gateways: [{ node: 'gw1' }] },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([
      { path: 'interfaces.0.ip', message: 'an IPv4 address with its prefix length like 10.0.1.1/24, not the subnet or broadcast address' },
      { path: 'interfaces.1.mac', message: 'a unicast MAC address like 02:00:00:00:01:13' },
      { path: 'uplink.snat', message: 'true or false' },
      { path: 'uplink.gateways.0.nic', message: 'an interface name like eth2 (1 to 15 characters, no / or spaces)' },
    ]);
  });

  it('answers bad static routes with 400 and every issue, each naming its route, on POST and PUT', async () => {
    const payload = {
      name: 'edge',
      distributed: 'yes',
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
      routes: [
        { prefix: '10.50.0.1/16', nextHop: '10.0.1.254' },
        { prefix: '10.60.0.0/16', next_hop: '10.0.1.254' },
      ],
    };
    const post = await app.inject({ method: 'POST', url: '/api/v1/logical-routers', payload });
    expect(post.statusCode).toBe(400);
    expect(post.json().issues).toEqual([
      { path: 'distributed', message: 'true or false' },
      { path: 'routes.0.prefix', message: 'an IPv4 subnet like 10.0.1.0/24, host bits zero' },
      { path: 'routes.1.nextHop', message: 'an IPv4 address like 10.0.1.11' },
      { path: 'routes.1', message: 'Unrecognized key: "next_hop"' },
    ]);
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/logical-routers/edge',
      payload: {
        interfaces: payload.interfaces,
        routes: [
          { prefix: '10.50.0.0/16', nextHop: '10.9.0.1' },
          { prefix: '10.50.0.0/16', nextHop: '10.0.1.1' },
        ],
      },
    });
    expect(put.statusCode).toBe(400);
    expect(put.json()).toEqual({
      error: 'invalid',
      detail: 'invalid request body (3 issues)',
      issues: [
        { path: 'routes.0.nextHop', message: "route 10.50.0.0/16: next hop 10.9.0.1 is not a host of the router's subnets (10.0.1.0/24)" },
        { path: 'routes.1.prefix', message: 'route 10.50.0.0/16: a second route to 10.50.0.0/16 (routes.0): one route per prefix' },
        { path: 'routes.1.nextHop', message: "route 10.50.0.0/16: next hop 10.0.1.1 is the router's own address (interfaces.0.ip)" },
      ],
    });
  });

  it('refuses a body that is not an object, or not JSON', async () => {
    const arr = await app.inject({ method: 'PUT', url: '/api/v1/logical-ports/p1', payload: [1, 2] });
    expect(arr.statusCode).toBe(400);
    expect(arr.json().issues).toEqual([{ path: '', message: expect.stringContaining('expected object') }]);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/transport-nodes',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid', issues: [{ path: '' }] });
    const none = await app.inject({ method: 'POST', url: '/api/v1/transport-nodes' });
    expect(none.statusCode).toBe(400);
    expect(none.json().issues[0].message).toContain('expected object');
  });

  it('answers unknown routes with 404 in the same error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/routers' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found', detail: 'no route GET /api/v1/routers' });
  });

  it('answers a URL it cannot decode with 400 in the same error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/logical-ports/%zz' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'invalid',
      detail: "'/api/v1/logical-ports/%zz' is not a valid url component",
      issues: [{ path: '', message: "'/api/v1/logical-ports/%zz' is not a valid url component" }],
    });
  });

  it('answers a delete of a name no object can have with 404 without asking the store', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/v1/logical-switches/%00' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found', detail: 'logical switch "\u0000" not found' });
    const binding = await app.inject({ method: 'DELETE', url: '/api/v1/mac-bindings/web/10.0.1.%00' });
    expect(binding.statusCode).toBe(404);
    expect(binding.json()).toEqual({ error: 'not found', detail: 'MAC binding "web/10.0.1.\u0000" not found' });
  });

  it('refuses bodies keyed to reach a prototype with 400', async () => {
    for (const payload of ['{"__proto__":{"polluted":true},"name":"web"}', '{"constructor":{"prototype":{"polluted":true}}}']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/logical-switches',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid', detail: 'Object contains forbidden prototype property' });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('serves status with the caller-provided fields', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      member: 'ctrl1',
      masterOf: ['hv1'],
      store: { connected: true, available: true },
      members: [
        { name: 'ctrl1', live: true },
        { name: 'ctrl2', live: false },
      ],
      masterships: [{ node: 'hv1', member: 'ctrl1', generation: 3 }],
    });
  });

  it('serves the OpenAPI document', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toMatchObject({ openapi: '3.1.0', paths: { '/api/v1/status': { get: { operationId: 'getStatus' } } } });
  });
});

describe('northbound API while the store is cut off', () => {
  const cutOff = new Proxy(untouchable, {
    get(target, prop, receiver) {
      if (prop === 'status') return () => ({ remote: undefined, connected: false, synced: true, available: false, server: undefined });
      if (prop === 'resource')
        return (name: string) =>
          name === 'logicalSwitches' ? { list: () => [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }] } : undefined;
      return Reflect.get(target, prop, receiver);
    },
  });

  it('serves the last snapshot marked stale by default', async () => {
    const app = createApi({ store: cutOff, member: 'ctrl1' });
    const res = await app.inject({ method: 'GET', url: '/api/v1/logical-switches' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-nvstore-stale']).toBe('true');
    expect(res.json().items).toHaveLength(1);
    await app.close();
  });

  it("refuses reads with 503 under staleReads: 'refuse', but still serves status", async () => {
    const app = createApi({ store: cutOff, member: 'ctrl1', staleReads: 'refuse' });
    const res = await app.inject({ method: 'GET', url: '/api/v1/logical-switches' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'no quorum', applied: 'no' });
    const status = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(status.statusCode).toBe(200);
    expect(status.json().store).toMatchObject({ connected: false, available: false });
    await app.close();
  });
});
