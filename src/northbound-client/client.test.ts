import { afterEach, describe, expect, it } from 'vitest';
import { memberStatus, northbound, NorthboundError, unwrap } from './index.ts';
import { replies, testMember, type Reply, type TestMember } from './test-member.ts';

const members: TestMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});

async function member(answer: (request: string, body: unknown) => Reply): Promise<TestMember> {
  const m = await testMember(answer);
  members.push(m);
  return m;
}

/** A member that answers with each status in turn, body `{}` (then 500). */
const statuses = (...list: number[]) => member(replies(...list.map((s): Reply => [s, '{}'])));

const NO_QUORUM = (applied: 'no' | 'unknown'): Reply => [503, { error: 'no quorum', detail: 'the store has no majority', applied }];
const port = { name: 'web1', switch: 'web', mac: '02:00:00:00:00:AA', ip: '10.0.1.11', node: 'hv1' };
const stored = { ...port, mac: '02:00:00:00:00:aa' };
const status = {
  member: 'ctrl1',
  store: { connected: true, synced: true, available: true },
  members: [],
  masterships: [],
  programmed: ['hv1'],
};

describe('create', () => {
  // A member whose POST was retried after a write of unknown outcome that had committed.
  const retried = (existing: Record<string, unknown>) =>
    member((request) =>
      request.startsWith('POST') ? [409, { error: 'conflict', detail: 'logical port web1 already exists' }] : [200, existing],
    );

  it('counts a 409 for a row holding exactly what was sent as done', async () => {
    const { port: p } = await retried({ ...port, mac: '02:00:00:00:00:aa' });
    await expect(northbound(['127.0.0.1'], { port: p }).logicalPorts.create(port)).resolves.toEqual({ kind: 'created', value: stored });
  });

  it('keeps the 409 when the row holds something else', async () => {
    const { port: p } = await retried({ ...port, node: 'hv2' });
    await expect(northbound(['127.0.0.1'], { port: p }).logicalPorts.create(port).then(unwrap)).rejects.toThrow('→ 409');
  });

  it('keeps the 409 when no row of that name exists (a clash over another field)', async () => {
    const m = await member(
      replies(
        [409, { error: 'conflict', detail: 'MAC 02:00:00:00:00:aa is taken by web9' }],
        [404, { error: 'not found', detail: 'no logical port web1' }],
      ),
    );
    const outcome = await northbound(['127.0.0.1'], { port: m.port }).logicalPorts.create(port);
    expect(outcome).toEqual({
      kind: 'conflict',
      detail: 'MAC 02:00:00:00:00:aa is taken by web9',
      message: expect.stringContaining('POST /api/v1/logical-ports → 409: '),
    });
    expect(m.seen.map((s) => s.request)).toEqual(['POST /api/v1/logical-ports', 'GET /api/v1/logical-ports/web1']);
  });

  it('finds its own row after a POST answered "no quorum, outcome unknown" that had committed', async () => {
    const m = await member(replies(NO_QUORUM('unknown'), [409, { error: 'conflict', detail: 'exists' }], [200, stored]));
    await expect(northbound(['127.0.0.1'], { port: m.port }).logicalPorts.create(port)).resolves.toEqual({
      kind: 'created',
      value: stored,
    });
    expect(m.seen[0]).toEqual({ request: 'POST /api/v1/logical-ports', body: port });
  });

  it('compares nested objects whatever the order of their keys', async () => {
    const router = { name: 'edge', interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:00:01' }] };
    const m = await member(
      replies([409, {}], [200, { name: 'edge', interfaces: [{ mac: '0a:00:00:00:00:01', ip: '10.0.1.1/24', switch: 'web' }] }]),
    );
    await expect(northbound(['127.0.0.1'], { port: m.port }).logicalRouters.create(router)).resolves.toMatchObject({ kind: 'created' });
  });

  it("compares in the stored spelling: defaults filled in, a port's groups sorted", async () => {
    const group = { name: 'web', rules: [{ direction: 'ingress' as const, protocol: 'tcp' as const, ports: '80' }] };
    const storedGroup = {
      name: 'web',
      rules: [{ direction: 'ingress', protocol: 'tcp', ports: 80, remote: '0.0.0.0/0', action: 'allow' }],
    };
    const g = await member(replies([409, {}], [200, storedGroup]));
    await expect(northbound(['127.0.0.1'], { port: g.port }).securityGroups.create(group)).resolves.toEqual({
      kind: 'created',
      value: storedGroup,
    });
    const inGroups = { ...port, securityGroups: ['web', 'admin'] };
    const p = await member(replies([409, {}], [200, { ...stored, securityGroups: ['admin', 'web'] }]));
    await expect(northbound(['127.0.0.1'], { port: p.port }).logicalPorts.create(inGroups)).resolves.toMatchObject({ kind: 'created' });
    const other = await member(replies([409, {}], [200, { ...stored, securityGroups: ['admin'] }]));
    await expect(northbound(['127.0.0.1'], { port: other.port }).logicalPorts.create(inGroups)).resolves.toMatchObject({
      kind: 'conflict',
    });
  });
});

describe('northbound client', () => {
  it('takes a 404 for a DELETE retried after an answer of unknown outcome as done, and a first 404 as an error', async () => {
    const { port } = await statuses(503, 404, 404);
    const client = northbound(['127.0.0.1'], { deadlineMs: 5_000, port });
    await expect(client.logicalPorts.delete('web1').then(unwrap)).resolves.toBeUndefined();
    await expect(client.logicalPorts.delete('web1').then(unwrap)).rejects.toThrow('→ 404');
  });

  it('maps each status of the contract to its outcome, with the answer as people read it', async () => {
    const m = await member(
      replies(
        [
          400,
          {
            error: 'invalid',
            detail: 'invalid request body (1 issue)',
            issues: [{ path: 'mac', message: 'a unicast MAC address like 02:00:00:00:01:13' }],
          },
        ],
        [404, { error: 'not found', detail: 'no logical switch db' }],
        [409, { error: 'conflict', detail: 'logical switch web is in use' }],
        [500, { error: 'internal', detail: 'boom' }],
      ),
    );
    const client = northbound(['127.0.0.1'], { port: m.port });
    expect(await client.logicalPorts.update('web1', { ...port, mac: 'zz' })).toEqual({
      kind: 'invalid',
      detail: 'invalid request body (1 issue)',
      issues: [{ path: 'mac', message: 'a unicast MAC address like 02:00:00:00:01:13' }],
      message:
        'PUT /api/v1/logical-ports/web1 → 400: {"error":"invalid","detail":"invalid request body (1 issue)","issues":[{"path":"mac","message":"a unicast MAC address like 02:00:00:00:01:13"}]}',
    });
    expect(await client.logicalSwitches.get('db')).toEqual({
      kind: 'not-found',
      detail: 'no logical switch db',
      message: 'GET /api/v1/logical-switches/db → 404: {"error":"not found","detail":"no logical switch db"}',
    });
    expect(await client.logicalSwitches.delete('web')).toMatchObject({ kind: 'conflict', detail: 'logical switch web is in use' });
    expect(await client.transportNodes.list()).toEqual({
      kind: 'failed',
      status: 500,
      message: 'GET /api/v1/transport-nodes → 500: {"error":"internal","detail":"boom"}',
    });
  });

  it('parses answers with the resource schemas: lists give their items, and defaults are filled', async () => {
    const m = await member(replies([200, { items: [stored] }], [201, { name: 'hv1', underlayIp: '10.0.0.1' }], [200, status]));
    const client = northbound(['127.0.0.1'], { port: m.port });
    expect(await client.logicalPorts.list()).toEqual({ kind: 'ok', value: [stored] });
    expect(await client.transportNodes.create({ name: 'hv1', underlayIp: '10.0.0.1' })).toEqual({
      kind: 'created',
      value: { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '10.0.0.1' },
    });
    expect(await client.status()).toEqual({ kind: 'ok', value: status });
  });

  it('fails a success whose body is outside the contract', async () => {
    const m = await member(replies([200, { name: 'web1' }]));
    const outcome = await northbound(['127.0.0.1'], { port: m.port }).logicalPorts.get('web1');
    expect(outcome).toMatchObject({
      kind: 'failed',
      status: 200,
      message: expect.stringMatching(/^GET \/api\/v1\/logical-ports\/web1 → 200: an answer outside the API's contract \(switch: /),
    });
  });

  it('retries while the cluster has no quorum, and an answer that is not JSON', async () => {
    const m = await member(replies(NO_QUORUM('no'), [200, 'not json'], [200, { items: [] }]));
    await expect(northbound(['127.0.0.1'], { port: m.port }).logicalSwitches.list()).resolves.toEqual({ kind: 'ok', value: [] });
    expect(m.seen).toHaveLength(3);
  });

  it('tries the next member when one does not answer', async () => {
    // Nothing listens on 127.0.0.2 (loopback, but the member is bound to 127.0.0.1).
    const m = await member(replies([200, status]));
    await expect(northbound(['127.0.0.2', '127.0.0.1'], { port: m.port }).status().then(unwrap)).resolves.toEqual(status);
  });

  it('gives up at the deadline: no quorum with what the last write may have done, or unreachable', async () => {
    const m = await member(() => NO_QUORUM('unknown'));
    const outcome = await northbound(['127.0.0.1'], { deadlineMs: 300, port: m.port }).logicalPorts.create(port);
    expect(outcome).toEqual({
      kind: 'no-quorum',
      applied: 'unknown',
      detail: 'the store has no majority',
      message:
        'controller cluster has no quorum: a majority of its members is lost or cut off (POST /api/v1/logical-ports: 127.0.0.1: {"error":"no quorum","detail":"the store has no majority","applied":"unknown"})',
    });
    expect(m.seen.length).toBeGreaterThan(1);
    const gone = await northbound(['127.0.0.2'], { deadlineMs: 300, port: m.port }).logicalPorts.get('web1');
    expect(gone).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(/^controller cluster did not answer GET \/api\/v1\/logical-ports\/web1: 127\.0\.0\.2: /),
    });
  });

  it('throws failures as a NorthboundError (code NORTHBOUND, exit code 2) that carries the outcome', async () => {
    const { port: p } = await statuses(409);
    const error = await northbound(['127.0.0.1'], { port: p })
      .logicalSwitches.update('web', { vni: 5001 })
      .then(unwrap)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NorthboundError);
    expect(error).toMatchObject({
      code: 'NORTHBOUND',
      exitCode: 2,
      message: 'PUT /api/v1/logical-switches/web → 409: {}',
      outcome: { kind: 'conflict', detail: '{}' },
    });
  });
});

describe('memberStatus', () => {
  it('asks one member once: its status, or unreachable', async () => {
    const m = await member(replies([200, status]));
    await expect(memberStatus('127.0.0.1', { port: m.port })).resolves.toEqual({ kind: 'ok', value: status });
    await expect(memberStatus('127.0.0.2', { port: m.port, timeoutMs: 200 })).resolves.toMatchObject({ kind: 'unreachable' });
    expect(m.seen).toHaveLength(1);
  });
});
