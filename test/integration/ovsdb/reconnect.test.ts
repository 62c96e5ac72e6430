// Active-role session against a standalone ovsdb-server that we kill, change offline and
// restart: the client reconnects with backoff, the replica resynchronises (emitting only what
// changed while we were away), the lock is re-acquired; and the client's echo keepalive
// detects a server that stops answering (SIGSTOP) within its dead time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, Replica, op, type ReplicaChange } from '../../../src/ovsdb/index.ts';
import { NVSTORE_DB, NVSTORE_SCHEMA, waitUntil } from './cluster-support.ts';

describe('reconnect to a standalone ovsdb-server', () => {
  let dir: string;
  let server: ResultPromise | undefined;
  let remote: string;
  const clients: OvsdbClient[] = [];

  const start = () => {
    server = execa(
      'ovsdb-server',
      [`--remote=punix:${join(dir, 'db.sock')}`, `--unixctl=${join(dir, 'ctl')}`, `--log-file=${join(dir, 'log')}`, join(dir, 'db')],
      {
        reject: false,
        stdio: 'ignore',
        env: { OVS_RUNDIR: dir, OVS_LOGDIR: dir },
      },
    );
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    server?.kill(signal);
    await server;
    server = undefined;
  };
  const offline = (ops: unknown[]) => execa('ovsdb-tool', ['transact', join(dir, 'db'), JSON.stringify([NVSTORE_DB, ...ops])]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-ovsdb-reconnect-'));
    remote = `unix:${join(dir, 'db.sock')}`;
    await execa('ovsdb-tool', ['create', join(dir, 'db'), NVSTORE_SCHEMA]);
    start();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    if (server) {
      server.kill('SIGCONT');
      await kill('SIGTERM');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('re-establishes monitor and lock after a restart; the replica reports only offline changes', async () => {
    const client = OvsdbClient.connect(remote, { minBackoff: 50, maxBackoff: 400 });
    clients.push(client);
    const replica = await new Replica(client, { database: NVSTORE_DB, tables: { Logical_Switch: true } }).start();
    await client.transact(NVSTORE_DB, [
      op.insert('Logical_Switch', { name: 'keep', vni: 1 }),
      op.insert('Logical_Switch', { name: 'gone', vni: 2 }),
      op.insert('Logical_Switch', { name: 'changed', vni: 3 }),
    ]);
    await replica.waitFor((s) => s.rows('Logical_Switch').length === 3);
    expect(await client.lock('owner')).toBe(true);

    const lost: string[] = [];
    client.on('stolen', (n) => lost.push(n));
    const down = new Promise((r) => client.once('disconnected', r));
    await kill();
    await down;
    expect(client.isConnected).toBe(false);
    expect(lost).toEqual(['owner']);

    // Change the database while the server is down; a request made now waits for the reconnect.
    await offline([
      { op: 'delete', table: 'Logical_Switch', where: [['name', '==', 'gone']] },
      { op: 'update', table: 'Logical_Switch', where: [['name', '==', 'changed']], row: { vni: 33 } },
      { op: 'insert', table: 'Logical_Switch', row: { name: 'new', vni: 4 } },
    ]);
    const changes: ReplicaChange[] = [];
    replica.on('change', (c) => changes.push(...c));
    const pending = client.listDbs();
    start();
    expect(await pending).toContain(NVSTORE_DB);

    await replica.waitFor((s) => s.rows('Logical_Switch').some((r) => r.name === 'new'), 20_000);
    const summary = changes.map((c) => `${c.type}:${c.type === 'delete' ? c.old.name : c.row.name}`).sort();
    expect(summary).toEqual(['delete:gone', 'insert:new', 'update:changed']);
    const upd = changes.find((c) => c.type === 'update') as Extract<ReplicaChange, { type: 'update' }>;
    expect([upd.old.vni, upd.row.vni]).toEqual([3, 33]);

    await client.waitLocked('owner', 20_000);
    await client.transact(NVSTORE_DB, [op.assert('owner'), op.insert('Logical_Switch', { name: 'after', vni: 5 })]);
    await replica.waitFor((s) => s.rows('Logical_Switch').some((r) => r.name === 'after'));

    // monitor_cancel: a stopped replica hears nothing more.
    await replica.stop();
    const frozen = replica.rows('Logical_Switch').length;
    await client.transact(NVSTORE_DB, [op.insert('Logical_Switch', { name: 'unseen', vni: 6 })]);
    const [sel] = await client.transact(NVSTORE_DB, [op.select('Logical_Switch', [['name', '==', 'unseen']])]);
    expect(sel!.rows).toHaveLength(1);
    expect(replica.rows('Logical_Switch')).toHaveLength(frozen);
  });

  it('echo keepalive: a server that stops answering is declared dead, then reconnected', async () => {
    const client = OvsdbClient.connect(remote, { echoInterval: 300, deadTime: 1500, minBackoff: 50, maxBackoff: 200 });
    clients.push(client);
    await client.ready();
    // Idle but answering echoes: still connected after several intervals.
    await new Promise((r) => setTimeout(r, 2000));
    expect(client.isConnected).toBe(true);

    const t0 = Date.now();
    const dead = new Promise<Error | undefined>((r) => client.once('disconnected', r));
    server!.kill('SIGSTOP');
    const reason = await dead;
    expect(reason?.message).toMatch(/dead time/);
    expect(Date.now() - t0).toBeLessThan(8000);
    server!.kill('SIGCONT');
    await waitUntil(() => client.isConnected, 20_000, 'reconnect after SIGCONT');
    expect(await client.listDbs()).toContain(NVSTORE_DB);
  });
});
