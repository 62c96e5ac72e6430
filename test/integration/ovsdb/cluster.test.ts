// A 3-member Raft cluster of real ovsdb-servers running our own schema: writes through a
// follower, reads from every member, leader discovery through _Server, and a leaderOnly client
// (with a replica and a lock) that follows the leadership when the leader's process is killed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, Replica, clusterStatus, findLeader, namedUuid, op, type MemberStatus } from '../../../src/ovsdb/index.ts';
import { NVSTORE_DB, startLocalCluster, waitUntil, type LocalCluster } from './cluster-support.ts';

describe('clustered ovsdb-server (3 members, NvStore schema)', () => {
  let cluster: LocalCluster;
  const clients: OvsdbClient[] = [];
  const client = (remotes: string | string[], options: Parameters<typeof OvsdbClient.connect>[1] = {}) => {
    const c = OvsdbClient.connect(remotes, { minBackoff: 50, maxBackoff: 1000, requestTimeout: 20_000, ...options });
    clients.push(c);
    return c;
  };
  const healthy = async (remotes: string[]): Promise<MemberStatus[] | undefined> => {
    const s = await clusterStatus(remotes, NVSTORE_DB);
    return s.every((m) => m.info?.connected) && s.filter((m) => m.info?.leader).length === 1 ? s : undefined;
  };

  beforeAll(async () => {
    cluster = await startLocalCluster(3);
    await waitUntil(() => healthy(cluster.remotes), 60_000, 'cluster to form and elect a leader');
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it('discovers the leader through _Server.Database on every member', async () => {
    const status = (await healthy(cluster.remotes))!;
    expect(status).toHaveLength(3);
    for (const m of status) {
      expect(m.info).toMatchObject({ name: NVSTORE_DB, model: 'clustered', connected: true });
      expect(m.info!.index).toBeGreaterThan(0);
    }
    // One cluster id, three server ids, exactly one leader.
    expect(new Set(status.map((m) => m.info!.cid)).size).toBe(1);
    expect(new Set(status.map((m) => m.info!.sid)).size).toBe(3);
    const leader = await findLeader(cluster.remotes, NVSTORE_DB);
    expect(status.find((m) => m.info!.leader)!.remote).toBe(leader);
  });

  it('writes through a follower and reads the rows back from every member', async () => {
    const leader = (await findLeader(cluster.remotes, NVSTORE_DB))!;
    const follower = cluster.remotes.find((r) => r !== leader)!;
    const c = client(follower, { database: NVSTORE_DB });
    await c.ready();
    expect(c.serverInfo).toMatchObject({ model: 'clustered', connected: true, leader: false });
    const [lp, ls] = await c.transact(NVSTORE_DB, [
      op.insert('Logical_Port', { name: 'lp-web', mac: '02:00:00:00:00:01', tags: ['web', 'prod'], chassis: ['hv1'] }, 'lp'),
      op.insert('Logical_Switch', { name: 'ls-follower', vni: 5001, ports: [namedUuid('lp')], external_ids: new Map([['owner', 'test']]) }),
      op.comment('written through a follower'),
    ]);
    expect(lp!.uuid).toBeDefined();
    // Each member has its own replica; every one converges on the committed rows.
    for (const remote of cluster.remotes) {
      const r = await new Replica(client(remote), { database: NVSTORE_DB, tables: { Logical_Switch: true, Logical_Port: true } }).start();
      const row = await r.waitFor((s) => s.rows('Logical_Switch').find((x) => x.name === 'ls-follower'), 20_000);
      expect(row._uuid).toBe(ls!.uuid!.uuid);
      expect(row.vni).toBe(5001);
      expect(row.external_ids).toEqual(new Map([['owner', 'test']]));
      const port = r.get('Logical_Port', lp!.uuid!.uuid)!;
      expect(new Set(port.tags as string[])).toEqual(new Set(['web', 'prod']));
      expect(port.chassis).toEqual(['hv1']);
      await r.stop();
    }
  });

  it('a schema constraint is enforced cluster-wide (typed transaction error)', async () => {
    const c = client(cluster.remotes, { database: NVSTORE_DB });
    await expect(c.transact(NVSTORE_DB, [op.insert('Logical_Switch', { name: 'bad', vni: 0 })])).rejects.toMatchObject({
      code: 'OVSDB_TRANSACTION',
      error: 'constraint violation',
    });
  });

  it('leaderOnly: follows a leadership transfer while the old leader stays up (via _Server updates)', async () => {
    const leader = (await findLeader(cluster.remotes, NVSTORE_DB))!;
    const c = client(cluster.remotes, { database: NVSTORE_DB, leaderOnly: true });
    await c.ready();
    expect(c.remote).toBe(leader);
    expect(await c.lock('transfer_lock')).toBe(true);
    const servers: (boolean | undefined)[] = [];
    c.on('server', (info) => servers.push(info?.leader));
    const moved = new Promise<string>((resolve) => c.on('connected', (remote) => remote !== leader && resolve(remote)));
    // The old leader hands over leadership; its connection stays up, so only _Server tells us.
    await cluster.appctl(leader, 'cluster/failure-test', 'transfer-leadership');
    const newLeader = await moved;
    expect(servers).toContain(false); // we saw the old member report it was no longer leader
    expect(c.serverInfo?.leader).toBe(true);
    await waitUntil(
      async () => (await findLeader(cluster.remotes, NVSTORE_DB)) === newLeader,
      20_000,
      'members to agree on the new leader',
    );
    await c.waitLocked('transfer_lock', 20_000);
    await c.transact(NVSTORE_DB, [op.assert('transfer_lock'), op.comment('lock holder on the new leader')]);
    await c.unlock('transfer_lock');
    c.close();
  });

  it('leaderOnly: skips followers, holds a lock, and follows the leader when it is killed', async () => {
    const leader = (await findLeader(cluster.remotes, NVSTORE_DB))!;
    // Put the followers first, so the client must walk past them.
    const ordered = [...cluster.remotes.filter((r) => r !== leader), leader];
    const c = client(ordered, { database: NVSTORE_DB, leaderOnly: true });
    await c.ready();
    expect(c.remote).toBe(leader);
    expect(c.serverInfo?.leader).toBe(true);

    const replica = await new Replica(c, { database: NVSTORE_DB, tables: { Logical_Switch: { columns: ['name', 'vni'] } } }).start();
    expect(await c.lock('nvstore_writer')).toBe(true);
    const seen: string[] = [];
    replica.on('insert', (_t, row) => seen.push(String(row.name)));

    const reconnected = new Promise<string>((resolve) => c.once('connected', resolve));
    await cluster.kill(leader);
    const newRemote = await reconnected;
    expect(newRemote).not.toBe(leader);
    expect(c.serverInfo).toMatchObject({ connected: true, leader: true });
    expect(
      await findLeader(
        cluster.remotes.filter((r) => r !== leader),
        NVSTORE_DB,
      ),
    ).toBe(newRemote);

    // The lock and the monitor were re-established on the new leader.
    await c.waitLocked('nvstore_writer', 20_000);
    await c.transact(NVSTORE_DB, [op.assert('nvstore_writer'), op.insert('Logical_Switch', { name: 'ls-after-failover', vni: 7 })]);
    const row = await replica.waitFor((s) => s.rows('Logical_Switch').find((x) => x.name === 'ls-after-failover'), 20_000);
    expect(row.vni).toBe(7);
    expect(seen).toContain('ls-after-failover');
    // Rows written before the failover are still in the replica (resync after reconnect keeps them).
    expect(replica.rows('Logical_Switch').some((x) => x.name === 'ls-follower')).toBe(true);
  });
});

describe('clustered ovsdb-server (5 members)', () => {
  let cluster: LocalCluster;
  let c: OvsdbClient | undefined;

  beforeAll(async () => {
    cluster = await startLocalCluster(5);
    await waitUntil(
      async () => {
        const s = await clusterStatus(cluster.remotes, NVSTORE_DB);
        return s.every((m) => m.info?.connected) && s.filter((m) => m.info?.leader).length === 1;
      },
      90_000,
      '5-member cluster to form',
    );
  });
  afterAll(async () => {
    c?.close();
    await cluster?.stop();
  });

  it('survives losing the leader and a follower: the leaderOnly client finds the new leader', async () => {
    c = OvsdbClient.connect(cluster.remotes, { database: NVSTORE_DB, leaderOnly: true, minBackoff: 50, maxBackoff: 1000 });
    await c.ready();
    const leader = c.remote!;
    const follower = cluster.remotes.find((r) => r !== leader)!;
    const moved = new Promise<string>((resolve) => c!.on('connected', (remote) => remote !== leader && resolve(remote)));
    await cluster.kill(follower);
    await cluster.kill(leader);
    const newLeader = await moved;
    expect([leader, follower]).not.toContain(newLeader);
    expect(c.serverInfo).toMatchObject({ leader: true, connected: true });
    await c.transact(NVSTORE_DB, [op.insert('Logical_Switch', { name: 'five', vni: 55 })]);
    const alive = cluster.remotes.filter((r) => r !== leader && r !== follower);
    for (const remote of alive) {
      const reader = OvsdbClient.connect(remote);
      try {
        const r = await new Replica(reader, { database: NVSTORE_DB, tables: { Logical_Switch: { columns: ['name'] } } }).start();
        await r.waitFor((s) => s.rows('Logical_Switch').some((x) => x.name === 'five'), 20_000);
      } finally {
        reader.close();
      }
    }
  });
});
