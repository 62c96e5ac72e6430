// A cluster without quorum as our clients meet it: a real 3-member store cluster, the API of one
// member on a real HTTPS listener with the lab's token (its store talks to its own server only, as
// a member's does),
// and the northbound client that the CLI, scenarios and deploy use. With the 2 other members
// stopped (SIGSTOP: up but silent, like hosts cut off), a write answers 503 "no quorum" within
// 2 s, a read still answers from the replica, and the client names the reason instead of timing
// out on the other members; once they are back, writes work again.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/controller/api/index.ts';
import { Store } from '../../../src/controller/store/index.ts';
import { NO_QUORUM_MESSAGE } from '../../../src/model/index.ts';
import { northbound, NorthboundError, unwrap } from '../../../src/northbound-client/index.ts';
import { findLeader } from '../../../src/ovsdb/index.ts';
import { apiRequest, testApiSecurity, type ApiSecurity } from '../../support/api-security.ts';
import { NVSTORE_DB, freeze, startControllerCluster, waitUntil, type LocalCluster } from './support.ts';

describe.each(['leader', 'follower'] as const)('no quorum through the API and the client: the %s survives', (survivor) => {
  let cluster: LocalCluster;
  let store: Store;
  let api: FastifyInstance;
  let port: number;
  let security: ApiSecurity;
  const frozen: string[] = [];

  beforeAll(async () => {
    cluster = await startControllerCluster(3);
    const leader = (await findLeader(cluster.remotes, NVSTORE_DB))!;
    store = await Store.open([survivor === 'leader' ? leader : cluster.remotes.find((r) => r !== leader)!]);
    security = await testApiSecurity('127.0.0.1');
    api = createApi({ store, member: 'ctrl1', token: security.token, tls: security.tls });
    await api.listen({ port: 0, host: '127.0.0.1' });
    port = (api.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const r of frozen.splice(0)) freeze(cluster, r, false);
    await api?.close();
    await store?.close();
    await cluster?.stop();
  });

  const timed = async <T>(f: () => Promise<T>) => {
    const t = Date.now();
    const value = await f();
    return { value, ms: Date.now() - t };
  };
  const post = (name: string, vni: number) =>
    timed(() =>
      apiRequest({ port }, '/api/v1/logical-switches', {
        method: 'POST',
        body: { name, vni },
        token: security.token,
        ca: security.authority.certificate,
      }).then((res) => ({ status: res.status, body: res.body as Record<string, unknown> })),
    );

  it('answers writes 503 "no quorum" within 2 s, serves reads, names the reason in the client, and recovers', async () => {
    // 127.0.0.2 is a second "member" that refuses connections: the client must not end on it.
    const client = northbound(['127.0.0.1', '127.0.0.2'], { port, deadlineMs: 30_000, credentials: security.credentials });
    expect(unwrap(await client.logicalSwitches.create({ name: 'before', vni: 100 })).name).toBe('before');
    for (const r of cluster.remotes.filter((r) => r !== store.status().remote)) {
      freeze(cluster, r, true);
      frozen.push(r);
    }

    const writes: { status: number; ms: number; applied: unknown }[] = [];
    for (let i = 0; i < 4; i++) {
      const { value, ms } = await post(`during-${i}`, 200 + i);
      writes.push({ status: value.status, ms, applied: value.body.applied });
      expect(value.status).toBe(503);
      expect(value.body).toMatchObject({ error: 'no quorum' });
      expect(ms).toBeLessThanOrEqual(2000);
    }
    console.log(`${survivor} survives: API writes without quorum`, JSON.stringify(writes));

    const read = await timed(() => client.logicalSwitches.get('before'));
    expect(read.value).toMatchObject({ kind: 'ok', value: { name: 'before', vni: 100 } });

    const refused = await timed(() =>
      client.logicalPorts.create({ name: 'web1', switch: 'before', mac: '02:00:00:00:00:01', ip: '10.0.0.1', node: 'hv1' }),
    );
    expect(refused.value).toMatchObject({ kind: 'no-quorum', message: expect.stringContaining(NO_QUORUM_MESSAGE) });
    const thrown = await timed(() =>
      client.logicalSwitches
        .delete('before')
        .then(unwrap)
        .catch((e: unknown) => e),
    );
    expect(thrown.value).toBeInstanceOf(NorthboundError);
    expect((thrown.value as Error).message).toMatch(
      /^controller cluster has no quorum: a majority of its members is lost or cut off \(DELETE /,
    );
    expect((thrown.value as Error).message).not.toContain('127.0.0.2');
    console.log(
      `${survivor} survives: client read ${read.ms} ms; client write refused in ${refused.ms} ms and ${thrown.ms} ms: ${(thrown.value as Error).message}`,
    );

    for (const r of frozen.splice(0)) freeze(cluster, r, false);
    const back = Date.now();
    await waitUntil(
      async () => (await client.logicalSwitches.create({ name: 'after', vni: 300 })).kind === 'created',
      30_000,
      'writes to work again',
    );
    console.log(`${survivor} survives: writes work again ${Date.now() - back} ms after the members returned`);
    expect(unwrap(await client.logicalSwitches.get('before')).name).toBe('before');
  });
});
