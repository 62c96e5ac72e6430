// The northbound API over a real 3-member NvStore cluster: written through member 0's API
// (fastify inject), read back through member 1's API (a real HTTP listener) and the store on
// member 2; clashes, bad bodies and the OpenAPI document as a client sees them.
import { describe, expect, it } from 'vitest';
import { useApiCluster, waitUntil } from './support.ts';

describe('northbound API over a 3-member NvStore cluster', () => {
  const { post, http1, stores, api0, remotes } = useApiCluster();

  it('creates through one member and reads back through another member and a third store', async () => {
    const node = await post('/api/v1/transport-nodes', {
      name: 'hv1',
      underlayIp: '172.30.0.11',
      underlayMac: '02:00:00:00:00:11',
      mgmtIp: '172.31.0.11',
    });
    expect(node.statusCode).toBe(201);
    expect(node.headers.location).toBe('/api/v1/transport-nodes/hv1');
    expect(node.json()).toEqual({
      name: 'hv1',
      role: 'hypervisor',
      encap: 'geneve',
      underlayIp: '172.30.0.11',
      underlayMac: '02:00:00:00:00:11',
      mgmtIp: '172.31.0.11',
    });
    expect((await post('/api/v1/transport-nodes', { name: 'sn1', role: 'service-node', underlayIp: '172.30.0.21' })).statusCode).toBe(201);
    const ls = await post('/api/v1/logical-switches', { name: 'web', vni: 5001, subnet: '10.0.1.0/24' });
    expect(ls.statusCode).toBe(201);
    expect(ls.json()).toEqual({ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.0.1.0/24' });
    const lp = await post('/api/v1/logical-ports', {
      name: 'web-1',
      switch: 'web',
      mac: '02:00:00:00:01:01',
      ip: '10.0.1.11',
      node: 'hv1',
    });
    expect(lp.statusCode).toBe(201);

    // Member 0 reads its own writes at once.
    expect((await api0.inject({ method: 'GET', url: '/api/v1/logical-ports/web-1' })).json()).toEqual(lp.json());
    // Member 1 (over HTTP) and the store on member 2 converge on the same objects.
    await waitUntil(async () => (await http1('/api/v1/logical-ports/web-1')).status === 200, 10_000, 'port on member 1');
    expect((await http1('/api/v1/logical-ports/web-1')).body).toEqual(lp.json());
    expect((await http1('/api/v1/transport-nodes')).body).toEqual({
      items: [node.json(), { name: 'sn1', role: 'service-node', encap: 'geneve', underlayIp: '172.30.0.21' }],
    });
    expect((await http1('/api/v1/logical-switches/web')).body).toEqual(ls.json());
    await waitUntil(() => stores[2]!.state().ports.length === 1, 10_000, 'port in the store on member 2');
    expect(stores[2]!.state()).toEqual({
      nodes: [
        { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11', underlayMac: '02:00:00:00:00:11' },
        { name: 'sn1', role: 'service-node', encap: 'geneve', underlayIp: '172.30.0.21' },
      ],
      switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }],
      ports: [{ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.11', node: 'hv1' }],
      routers: [],
    });
  });

  it('answers clashes with 409: name, VNI (written through another member), MAC, IP', async () => {
    const vni = await http1('/api/v1/logical-switches', { method: 'POST', body: JSON.stringify({ name: 'db', vni: 5001 }) });
    expect(vni).toMatchObject({ status: 409, body: { error: 'conflict', detail: 'VNI 5001 is already used by logical switch "web"' } });
    expect((await post('/api/v1/logical-switches', { name: 'web', vni: 5009 })).json()).toEqual({
      error: 'conflict',
      detail: 'logical switch "web" already exists',
    });
    const mac = await post('/api/v1/logical-ports', { name: 'web-2', switch: 'web', mac: '02:00:00:00:01:01' });
    expect(mac.statusCode).toBe(409);
    expect(mac.json().detail).toBe('MAC 02:00:00:00:01:01 is already used on logical switch "web" by port "web-1"');
    const ip = await post('/api/v1/logical-ports', { name: 'web-2', switch: 'web', mac: '02:00:00:00:01:02', ip: '10.0.1.11' });
    expect(ip.statusCode).toBe(409);
    const missing = await post('/api/v1/logical-ports', { name: 'web-2', switch: 'nope', mac: '02:00:00:00:01:02' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not found', detail: 'logical switch "nope" not found' });
  });

  it('races through two members: one VNI, one winner; a port never outlives its switch', async () => {
    // Each side starts after a random few ms, so both orders occur.
    const later = <T>(f: () => Promise<T>) => new Promise<void>((r) => setTimeout(r, Math.random() * 6)).then(f);
    for (let round = 0; round < 10; round++) {
      const vni = 9000 + round;
      const [r0, r1] = await Promise.all([
        later(() => post('/api/v1/logical-switches', { name: `race-a${round}`, vni })),
        later(() => http1('/api/v1/logical-switches', { method: 'POST', body: JSON.stringify({ name: `race-b${round}`, vni }) })),
      ]);
      expect([r0.statusCode, r1.status].sort()).toEqual([201, 409]);
      const winner = r0.statusCode === 201 ? `race-a${round}` : `race-b${round}`;
      // Create a port on the winner through one member while the other deletes the switch.
      const [port, del] = await Promise.all([
        later(() =>
          http1('/api/v1/logical-ports', {
            method: 'POST',
            body: JSON.stringify({ name: `race-p${round}`, switch: winner, mac: '02:00:00:00:09:01' }),
          }),
        ),
        later(() => api0.inject({ method: 'DELETE', url: `/api/v1/logical-switches/${winner}` })),
      ]);
      // Either the port came first (the delete sees it: 409) or the delete did (the port: 404).
      expect([
        [201, 409],
        [404, 204],
      ]).toContainEqual([port.status, del.statusCode]);
      if (port.status === 201) {
        expect((await api0.inject({ method: 'DELETE', url: `/api/v1/logical-ports/race-p${round}` })).statusCode).toBe(204);
        expect((await api0.inject({ method: 'DELETE', url: `/api/v1/logical-switches/${winner}` })).statusCode).toBe(204);
      }
    }
    await waitUntil(
      () =>
        !stores[2]!.state().switches.some((s) => s.name.startsWith('race')) &&
        !stores[2]!.state().ports.some((p) => p.name.startsWith('race')),
      10_000,
      'races cleaned up',
    );
  });

  it('answers a bad body with 400 listing every issue (HTTP client view)', async () => {
    const res = await http1('/api/v1/logical-ports', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', mac: 'ff:ff:ff:ff:ff:ff', ip: '10.0.1', vlan: 3 }),
    });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([
      { path: 'switch', message: 'a name matching [a-z][a-z0-9-]{0,30}' },
      { path: 'mac', message: 'a unicast MAC address like 02:00:00:00:01:13' },
      { path: 'ip', message: 'an IPv4 address like 10.0.1.11' },
      { path: '', message: 'Unrecognized key: "vlan"' },
    ]);
  });

  it('updates with PUT and deletes, with 404 for unknown names and 409 for a switch in use', async () => {
    const put = await http1('/api/v1/logical-switches/web', {
      method: 'PUT',
      body: JSON.stringify({ vni: 5002, replication: 'service-node' }),
    });
    expect(put).toMatchObject({ status: 200, body: { name: 'web', vni: 5002, replication: 'service-node', encap: 'geneve' } });
    expect((await http1('/api/v1/logical-switches/web', { method: 'PUT', body: JSON.stringify({ name: 'www', vni: 5002 }) })).body).toEqual(
      {
        error: 'invalid',
        detail: 'the name cannot change (is "web")',
        issues: [{ path: 'name', message: 'the name cannot change (is "web")' }],
      },
    );
    expect((await http1('/api/v1/logical-switches/nope', { method: 'PUT', body: JSON.stringify({ vni: 7 }) })).status).toBe(404);
    expect((await http1('/api/v1/logical-switches/nope')).status).toBe(404);
    const inUse = await api0.inject({ method: 'DELETE', url: '/api/v1/logical-switches/web' });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().detail).toBe('logical switch "web" still has logical ports: web-1');
    // Member 0 must see member 1's update before moving the port (its guard reads the server anyway).
    const moved = await api0.inject({
      method: 'PUT',
      url: '/api/v1/logical-ports/web-1',
      payload: { switch: 'web', mac: '02:00:00:00:01:01' },
    });
    expect(moved.json()).toEqual({ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01' });
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-ports/web-1' })).statusCode).toBe(204);
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-ports/web-1' })).statusCode).toBe(404);
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-switches/web' })).statusCode).toBe(204);
    await waitUntil(async () => (await http1('/api/v1/logical-switches')).body.items.length === 0, 10_000, 'delete replicated');
  });

  it('reports the member and its store in /api/v1/status', async () => {
    await stores[1]!.heartbeat('ctrl2', Date.now() + 60_000);
    await stores[1]!.bumpGeneration('hv1', 'ctrl2');
    const res = await http1('/api/v1/status');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      member: 'ctrl2',
      store: { remote: remotes[1], connected: true, synced: true, available: true, model: 'clustered', clusterConnected: true },
      members: [{ name: 'ctrl2', live: true }],
      masterships: [{ node: 'hv1', member: 'ctrl2', generation: 1 }],
    });
    expect(typeof res.body.store.leader).toBe('boolean');
  });

  it('serves a structurally valid OpenAPI 3 document listing every route', async () => {
    const { status, body: doc } = await http1('/openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const ops = Object.entries(
      doc.paths as Record<
        string,
        Record<
          string,
          {
            operationId: string;
            responses: Record<string, { description: string; content?: Record<string, { schema: { $ref: string } }> }>;
            requestBody?: { content: Record<string, { schema: { $ref: string } }> };
          }
        >
      >,
    );
    const listed = ops.flatMap(([p, byMethod]) => Object.keys(byMethod).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    const expected = ['transport-nodes', 'logical-switches', 'security-groups', 'logical-ports', 'logical-routers']
      .flatMap((r) => [
        `GET /api/v1/${r}`,
        `POST /api/v1/${r}`,
        `GET /api/v1/${r}/{name}`,
        `PUT /api/v1/${r}/{name}`,
        `DELETE /api/v1/${r}/{name}`,
      ])
      .concat(
        'GET /api/v1/status',
        'GET /api/v1/members',
        'GET /api/v1/transport-nodes/{name}/status',
        'GET /api/v1/logical-ports/{name}/status',
        'GET /api/v1/logical-ports/{name}/statistics',
        'POST /api/v1/traceflows',
        'GET /api/v1/traceflows/{id}',
        'GET /api/v1/status/transport-nodes',
        'GET /api/v1/statistics/logical-ports',
        'POST /api/v1/graph/layout',
        'GET /api/v1/mac-bindings',
        'DELETE /api/v1/mac-bindings/{switch}/{ip}',
        'POST /api/v1/batch',
      )
      .sort();
    expect(listed).toEqual(expected);
    for (const [path, byMethod] of ops) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, o] of Object.entries(byMethod)) {
        expect(Object.keys(o.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [code, r] of Object.entries(o.responses)) {
          expect(code).toMatch(/^[1-5]\d\d$/);
          expect(typeof r.description).toBe('string');
          for (const media of Object.values(r.content ?? {}))
            expect(doc.components.schemas[media.schema.$ref.replace('#/components/schemas/', '')]).toBeDefined();
        }
        if (path === '/api/v1/batch')
          expect(o.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/BatchRequest');
        else if (method === 'post' || method === 'put')
          expect(o.requestBody?.content['application/json']?.schema.$ref).toMatch(/Create$|Update$/);
      }
    }
  });
});
