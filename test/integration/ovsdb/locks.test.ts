// OVSDB locks between real clients of one ovsdb-server: contention, queueing, steal, and
// the `assert` operation that makes a transaction conditional on holding the lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOvs, type LocalOvs } from '../../support/local-ovs.ts';
import { OvsdbClient, op } from '../../../src/ovsdb/index.ts';

describe('OVSDB locks', () => {
  let ovs: LocalOvs;
  const clients: OvsdbClient[] = [];
  const connect = async () => {
    const c = OvsdbClient.connect(ovs.dbRemote);
    clients.push(c);
    await c.ready();
    return c;
  };

  beforeAll(async () => {
    ovs = await startLocalOvs({ vswitchd: false });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await ovs?.stop();
  });

  it('the second client waits and gets `locked` when the first unlocks', async () => {
    const [a, b] = [await connect(), await connect()];
    expect(await a.lock('leader')).toBe(true);
    expect(a.hasLock('leader')).toBe(true);
    expect(await b.lock('leader')).toBe(false);
    expect(b.hasLock('leader')).toBe(false);

    // Only the holder may commit a transaction that asserts the lock.
    await a.transact('Open_vSwitch', [op.assert('leader'), op.comment('a holds the lock')]);
    await expect(b.transact('Open_vSwitch', [op.assert('leader')])).rejects.toMatchObject({
      code: 'OVSDB_TRANSACTION',
      error: 'not owner',
    });

    const granted = b.waitLocked('leader', 10_000);
    await a.unlock('leader');
    await granted;
    expect(b.hasLock('leader')).toBe(true);
    await b.transact('Open_vSwitch', [op.assert('leader')]);
    await b.unlock('leader');
  });

  it('steal takes the lock and the previous owner gets `stolen`', async () => {
    const [a, c] = [await connect(), await connect()];
    expect(await a.lock('writer')).toBe(true);
    const stolen = new Promise<string>((resolve) => a.once('stolen', resolve));
    expect(await c.steal('writer')).toBe(true);
    expect(await stolen).toBe('writer');
    expect(a.hasLock('writer')).toBe(false);
    expect(c.hasLock('writer')).toBe(true);
    await expect(a.transact('Open_vSwitch', [op.assert('writer')])).rejects.toMatchObject({ error: 'not owner' });
  });

  it('lock before the connection is up, twice, and steal over our own queued request: no duplicate-lock errors', async () => {
    const early = OvsdbClient.connect(ovs.dbRemote);
    clients.push(early);
    expect(early.isConnected).toBe(false);
    expect(await early.lock('early')).toBe(true); // sent once, by the (re)connect
    expect(await early.lock('early')).toBe(true); // already requested: not sent again

    const waiter = await connect();
    expect(await waiter.lock('early')).toBe(false); // queued behind `early`
    const stolen = new Promise<string>((resolve) => early.once('stolen', resolve));
    expect(await waiter.steal('early')).toBe(true); // drops its queued request, then steals
    expect(await stolen).toBe('early');
    expect(early.hasLock('early')).toBe(false);
  });

  it('a held lock is released when its client disconnects', async () => {
    const [a, b] = [await connect(), await connect()];
    expect(await a.lock('session')).toBe(true);
    expect(await b.lock('session')).toBe(false);
    const granted = b.waitLocked('session', 10_000);
    a.close();
    await granted;
    expect(b.hasLock('session')).toBe(true);
  });
});
