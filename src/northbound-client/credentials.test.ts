import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testApiSecurity, type ApiSecurity } from '../../test/support/api-security.ts';
import { UNAUTHORIZED_MESSAGE } from '../model/index.ts';
import { clusterMembers, memberStatus, northbound, unwrap } from './index.ts';
import { replies, testMember, type Reply, type TestMember } from './test-member.ts';

const status = {
  member: 'ctrl1',
  store: { connected: true, synced: true, available: true },
  members: [],
  masterships: [],
};

const members: TestMember[] = [];
afterEach(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
});
async function member(list: Reply[], tls?: { key: string; cert: string }): Promise<TestMember> {
  const m = await testMember(replies(...list), tls ? { tls } : {});
  members.push(m);
  return m;
}

describe("the client with a lab's credentials", () => {
  let lab: ApiSecurity;
  let other: ApiSecurity;
  beforeAll(async () => {
    [lab, other] = await Promise.all([testApiSecurity('127.0.0.1', 'lab'), testApiSecurity('127.0.0.1', 'other')]);
  });

  it('sends the token and its name on every request, and neither without them', async () => {
    const m = await member([
      [200, { items: [] }],
      [201, { name: 'web', vni: 5001 }],
      [200, status],
    ]);
    const client = northbound(['127.0.0.1'], { port: m.port, credentials: { token: 's3cret' }, client: 'deploy' });
    await client.logicalSwitches.list();
    await client.logicalSwitches.create({ name: 'web', vni: 5001 });
    await memberStatus('127.0.0.1', { port: m.port });
    expect(m.headers.map((h) => [h.authorization, h['x-nvlab-client']])).toEqual([
      ['Bearer s3cret', 'deploy'],
      ['Bearer s3cret', 'deploy'],
      [undefined, undefined],
    ]);
  });

  it("calls a member over HTTPS trusting the lab's authority, its certificate naming the address called", async () => {
    const m = await member(
      [
        [200, status],
        [200, status],
      ],
      lab.tls,
    );
    await expect(northbound(['127.0.0.1'], { port: m.port, credentials: lab.credentials }).status().then(unwrap)).resolves.toEqual(status);
    const [peer] = await clusterMembers(new Map([['ctrl1', '127.0.0.1']]), {
      port: m.port,
      credentials: lab.credentials,
      client: 'member',
    });
    expect(peer).toMatchObject({ name: 'ctrl1', live: false });
    expect(peer?.error).toBeUndefined();
    expect(m.headers.map((h) => h['x-nvlab-client'])).toEqual([undefined, 'member']);
    expect(m.headers.every((h) => h.authorization === `Bearer ${lab.token}`)).toBe(true);
  });

  it("refuses at once, without retrying to the deadline, a member whose certificate is not of the lab's authority", async () => {
    const m = await member([[200, status]], other.tls);
    const started = Date.now();
    const outcome = await northbound(['127.0.0.1'], { port: m.port, credentials: lab.credentials, deadlineMs: 20_000 }).status();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome).toMatchObject({
      kind: 'unreachable',
      message: expect.stringMatching(
        /^controller cluster is not the lab's: for GET \/api\/v1\/status, 127\.0\.0\.1: its certificate is not trusted: /,
      ),
    });
    expect(m.seen).toHaveLength(0);
    // Nor a certificate of the lab's authority for another address.
    const elsewhere = await testApiSecurity('10.9.9.9', 'elsewhere');
    const moved = await member([[200, status]], elsewhere.tls);
    const wrongName = await memberStatus('127.0.0.1', { port: moved.port, credentials: elsewhere.credentials });
    expect(wrongName).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID') });
  });

  it('reports a 401 as unauthorized, by name, without retrying', async () => {
    const m = await member([[401, { error: 'unauthorized', detail: "the API token is not this lab's" }]]);
    const outcome = await northbound(['127.0.0.1'], { port: m.port, credentials: { token: 'old' } }).logicalPorts.list();
    expect(outcome).toEqual({
      kind: 'unauthorized',
      detail: "the API token is not this lab's",
      message: `${UNAUTHORIZED_MESSAGE} (GET /api/v1/logical-ports → 401: {"error":"unauthorized","detail":"the API token is not this lab's"})`,
    });
    expect(m.seen).toHaveLength(1);
  });
});
