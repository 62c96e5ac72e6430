import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { OvsdbTimeoutError, type OvsdbClient } from '../../ovsdb/index.ts';
import { Committer } from './committer.ts';
import { StoreUnavailableError } from './errors.ts';
import { Txn } from './txn.ts';

/** A client connected to a member in its cluster whose commits take `commitMs`. */
function slowClient(commitMs: number): OvsdbClient {
  const client = Object.assign(new EventEmitter(), {
    isConnected: true,
    serverInfo: undefined,
    ready: () => Promise.resolve(),
    transact: (_db: string, _ops: unknown, { timeout }: { timeout: number }) =>
      new Promise((resolve, reject) => {
        if (commitMs <= timeout) setTimeout(() => resolve([{}]), commitMs);
        else setTimeout(() => reject(new OvsdbTimeoutError(`transact timed out after ${timeout} ms`)), timeout);
      }),
  });
  return client as unknown as OvsdbClient;
}

describe('Committer', () => {
  test('without a quorum check, a write past its bound fails as "no quorum", outcome unknown', async () => {
    const committer = new Committer(slowClient(300), 'NvStore', 100);
    await expect(committer.commit(new Txn())).rejects.toMatchObject({ applied: 'unknown' });
    await expect(committer.commit(new Txn())).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  test('a slow cluster that keeps its majority commits the write past the bound', async () => {
    const committer = new Committer(slowClient(400), 'NvStore', 100);
    committer.checkQuorumWith(() => true);
    const started = Date.now();
    await expect(committer.commit(new Txn())).resolves.toEqual([{}]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(committer.available).toBe(true);
  });

  test('past the bound, a write is refused as soon as the majority is out of reach', async () => {
    const committer = new Committer(slowClient(5_000), 'NvStore', 100);
    let quorate = true;
    committer.checkQuorumWith(() => quorate);
    setTimeout(() => (quorate = false), 600);
    const started = Date.now();
    await expect(committer.commit(new Txn())).rejects.toMatchObject({ applied: 'unknown' });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(1_500);
    expect(committer.available).toBe(false);
  });

  test('writes go to the leader while a client is connected to it, and through the member while not', async () => {
    const sent: string[] = [];
    const named = (name: string) =>
      Object.assign(slowClient(0), {
        transact: () => {
          sent.push(name);
          return Promise.resolve([{}]);
        },
      });
    const member = named('member');
    const leader = Object.assign(named('leader'), { isConnected: true });
    const committer = new Committer(member, 'NvStore', 100, leader);
    await committer.commit(new Txn());
    leader.isConnected = false;
    await committer.commit(new Txn());
    expect(sent).toEqual(['leader', 'member']);
  });
});
