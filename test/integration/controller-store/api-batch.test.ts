// The batch form of the northbound API (POST /api/v1/batch) over a real 3-member NvStore cluster:
// many writes in one store transaction, in order (a port on a switch made by an earlier request),
// all or none, a failed request named by its place with the error its own route gives; sent again
// after a lost answer it does what it did; `atomic: false` answers each request for itself; one
// audit entry per batch.
import { describe, expect, it } from 'vitest';
import { useApiCluster, waitUntil } from './support.ts';

const BATCH = '/api/v1/batch';
const hex = (b: number) => b.toString(16).padStart(2, '0');
const node = (name: string, i: number) => ({ name, underlayIp: `172.30.0.${i}`, mgmtIp: `172.31.0.${i}` });
const port = (name: string, sw: string, i: number, nodeName = 'hv1') => ({
  name,
  switch: sw,
  mac: `02:00:00:00:${hex(i >> 8)}:${hex(i & 255)}`,
  ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
  node: nodeName,
});
const create = (collection: string, body: unknown) => ({ method: 'POST', path: `/api/v1/${collection}`, body });

describe('the batch API over a 3-member NvStore cluster', () => {
  const { post, http1, stores, api0, audit } = useApiCluster();
  const names = async (collection: string) =>
    ((await api0.inject({ method: 'GET', url: `/api/v1/${collection}` })).json().items as { name: string }[]).map((x) => x.name);

  const first = {
    requests: [
      create('transport-nodes', node('hv1', 11)),
      create('logical-switches', { name: 'web', vni: 5001, subnet: '10.0.0.0/16' }),
      create('security-groups', { name: 'ssh', rules: [] }),
      create('logical-ports', { ...port('web-1', 'web', 1), securityGroups: ['ssh'] }),
      create('logical-ports', port('web-2', 'web', 2)),
      { method: 'PUT', path: '/api/v1/security-groups/ssh', body: { rules: [{ direction: 'ingress', protocol: 'tcp', ports: 22 }] } },
      { method: 'DELETE', path: '/api/v1/logical-ports/web-2' },
    ],
  };

  it('writes in order in one transaction: a port on a switch an earlier request made, then a change and a delete of them', async () => {
    const res = await post(BATCH, first);
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.map((r: { status: number }) => r.status)).toEqual([201, 201, 201, 201, 201, 200, 204]);
    expect(results[1].body).toEqual({ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.0.0.0/16' });
    expect(results[6].body).toBeUndefined();
    expect(await names('logical-ports')).toEqual(['web-1']);
    // One change of the logical state, seen by the other members like any write.
    await waitUntil(() => stores[2]!.state().ports.length === 1, 10_000, 'the batch on member 2');
    expect(stores[2]!.state().securityGroups?.[0]?.rules).toHaveLength(1);
    expect((await http1('/api/v1/logical-ports/web-1')).body).toMatchObject({ switch: 'web', securityGroups: ['ssh'] });
    // Sent again: what exists as the batch leaves it is kept (the group as its later PUT made it).
    const again = await post(BATCH, first);
    expect(again.json().results.map((r: { status: number }) => r.status)).toEqual([200, 200, 200, 200, 201, 200, 204]);
  });

  it('writes nothing when one request fails, and names it by its place and name with the error of its own route', async () => {
    const before = await names('logical-ports');
    const clash = await post(BATCH, {
      requests: [
        create('logical-ports', port('web-3', 'web', 3)),
        create('logical-ports', { ...port('web-4', 'web', 4), mac: port('', '', 1).mac }),
      ],
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toEqual({
      error: 'conflict',
      detail:
        'request 1 (POST /api/v1/logical-ports, "web-4"): MAC 02:00:00:00:00:01 is already used on logical switch "web" by port "web-1"',
      index: 1,
      name: 'web-4',
    });
    // Two requests of the batch clash with each other: the later one is named.
    const twice = await post(BATCH, {
      requests: [create('logical-switches', { name: 'db', vni: 5002 }), create('logical-switches', { name: 'app', vni: 5002 })],
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ index: 1, name: 'app', detail: expect.stringMatching(/^request 1 .*VNI 5002 is already used/) });
    // A guard: the switch of a port does not exist.
    const missing = await post(BATCH, {
      requests: [create('logical-ports', port('web-5', 'web', 5)), create('logical-ports', port('db-1', 'nope', 6))],
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({
      error: 'not found',
      detail: 'request 1 (POST /api/v1/logical-ports, "db-1"): logical switch "nope" not found',
      index: 1,
      name: 'db-1',
    });
    // An update or a delete of a missing object fails the batch too (a count could not undo it).
    for (const last of [
      { method: 'DELETE', path: '/api/v1/logical-ports/ghost' },
      { method: 'PUT', path: '/api/v1/logical-switches/ghost', body: { vni: 77 } },
    ]) {
      const res = await post(BATCH, { requests: [create('logical-switches', { name: 'db', vni: 5003 }), last] });
      expect(res.statusCode, last.method).toBe(404);
      expect(res.json()).toMatchObject({ index: 1, name: 'ghost' });
    }
    expect(await names('logical-ports')).toEqual(before);
    expect(await names('logical-switches')).toEqual(['web']);
  });

  it('checks every request as its own route does before the store is asked: every issue, with its path in the batch', async () => {
    const res = await http1(BATCH, {
      method: 'POST',
      body: JSON.stringify({
        requests: [
          create('logical-switches', { name: 'ok', vni: 6001 }),
          create('logical-switches', { name: 'Bad', vni: 0 }),
          { method: 'PUT', path: '/api/v1/logical-ports/web-1', body: { switch: 'web', mac: 'nope' } },
          { method: 'POST', path: '/api/v1/status', body: {} },
        ],
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid',
      detail: 'request 1 (POST /api/v1/logical-switches, "Bad"): invalid request body (2 issues)',
      index: 1,
      name: 'Bad',
      issues: [
        { path: 'requests.1.body.name', message: 'a name matching [a-z][a-z0-9-]{0,30}' },
        { path: 'requests.1.body.vni', message: 'a VNI from 1 to 16777215' },
        { path: 'requests.2.body.mac', message: 'a unicast MAC address like 02:00:00:00:01:13' },
        {
          path: 'requests.3.path',
          message: 'not a write of a resource: POST /api/v1/<collection>, or PUT or DELETE /api/v1/<collection>/<name>',
        },
      ],
    });
    const notBatch = await http1(BATCH, { method: 'POST', body: JSON.stringify({ requests: [], atomic: 'yes' }) });
    expect(notBatch).toMatchObject({ status: 400, body: { error: 'invalid', issues: [{ path: 'requests' }, { path: 'atomic' }] } });
    expect(await names('logical-switches')).toEqual(['web']);
  });

  it('does again what it did when sent again (through another member, at once): kept objects answer 200, each exists once', async () => {
    const requests = [
      create('transport-nodes', node('hv2', 12)),
      create('logical-switches', { name: 'app', vni: 5010 }),
      ...Array.from({ length: 20 }, (_, i) => create('logical-ports', port(`app-${i}`, 'app', 100 + i, 'hv2'))),
    ];
    const first = await post(BATCH, { requests });
    expect(first.statusCode).toBe(200);
    // Member 1's replica may not show the first yet: a name clash waits for it, then keeps.
    const again = await http1(BATCH, { method: 'POST', body: JSON.stringify({ requests }) });
    expect(again.status).toBe(200);
    expect(again.body.results.map((r: { status: number }) => r.status)).toEqual(requests.map(() => 200));
    expect(again.body.results.map((r: { body: unknown }) => r.body)).toEqual(first.json().results.map((r: { body: unknown }) => r.body));
    expect((await names('logical-ports')).filter((n) => n.startsWith('app-'))).toHaveLength(20);
    // The same name with another body is still a clash.
    const other = await post(BATCH, { requests: [create('logical-switches', { name: 'app', vni: 5011 })] });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({
      index: 0,
      detail: 'request 0 (POST /api/v1/logical-switches, "app"): logical switch "app" already exists',
    });
  });

  it('answers each request for itself with atomic: false, writing those that pass', async () => {
    const res = await post(BATCH, {
      atomic: false,
      requests: [
        create('logical-switches', { name: 'db', vni: 5020 }),
        create('logical-switches', { name: 'db2', vni: 5020 }),
        create('logical-switches', { name: 'Bad', vni: 1 }),
        { method: 'DELETE', path: '/api/v1/logical-switches/ghost' },
        create('logical-switches', { name: 'db3', vni: 5021 }),
      ],
    });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as { status: number; body: { detail?: string; index?: number } }[];
    expect(results.map((r) => r.status)).toEqual([201, 409, 400, 404, 201]);
    expect(results[1]!.body).toMatchObject({
      index: 1,
      detail: expect.stringContaining('VNI 5020 is already used by logical switch "db"'),
    });
    expect(results[3]!.body).toMatchObject({ index: 3, name: 'ghost', error: 'not found' });
    expect((await names('logical-switches')).filter((n) => n.startsWith('db'))).toEqual(['db', 'db3']);
  });

  it('takes a batch over the 1 MiB of a single write, writes 1,600 ports in one transaction, and audits it as one entry with its count', async () => {
    const ports = Array.from({ length: 1600 }, (_, i) =>
      create('logical-ports', { ...port(`big-${i}`, 'big', i, 'hv9'), qos: { rate: '1mbit' } }),
    );
    const requests = [
      create('transport-nodes', node('hv9', 19)),
      create('logical-switches', { name: 'big', vni: 7000, subnet: '10.0.0.0/16' }),
      ...ports,
    ];
    // Indented as people write it: over 1 MiB, the single routes' limit.
    const body = JSON.stringify({ requests }, null, 10);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const single = await http1('/api/v1/logical-switches', { method: 'POST', body: JSON.stringify({ name: 'pad', vni: 7001, pad: body }) });
    expect(single.status).toBe(413);
    const started = Date.now();
    const res = await http1(BATCH, { method: 'POST', body });
    const ms = Date.now() - started;
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results).toHaveLength(1602);
    expect(new Set(res.body.results.map((r: { status: number }) => r.status))).toEqual(new Set([201]));
    console.log(`batch of ${requests.length} requests (${(body.length / 1024).toFixed(0)} KiB) answered in ${ms} ms`);
    await waitUntil(() => stores[2]!.state().ports.filter((p) => p.switch === 'big').length === 1600, 10_000, 'member 2 has the batch');
    const entries = (await audit('ctrl2')).filter((e) => e.path === BATCH && e.status === 200);
    expect(entries.at(-1)).toMatchObject({ method: 'POST', count: 1602, whatLength: JSON.stringify({ requests }).length });
  });
});
