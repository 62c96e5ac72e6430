// The replica against a scripted peer on a real TCP socket: lets us send exactly the update2
// sequences (and the reply/notification interleaving) that a live server produces only by chance.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OvsdbClient } from './client.ts';
import type { OvsdbMap } from './data.ts';
import { JsonSplitter } from './json-stream.ts';
import { Replica, type ReplicaChange } from './replica.ts';

const SCHEMA = {
  name: 'T',
  version: '1.0.0',
  tables: {
    Port: {
      columns: {
        name: { type: 'string' },
        tags: { type: { key: 'string', min: 0, max: 'unlimited' } },
        ofport: { type: { key: 'integer', min: 0, max: 1 } },
        ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
  },
};
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

type Req = { method: string; params: unknown[]; id: number };

/** A fake ovsdb-server: answers get_schema, and hands monitor requests to `onMonitor`. */
async function fakeServer(onMonitor: (req: Req, socket: Socket) => void): Promise<{ server: Server; remote: string; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    const splitter = new JsonSplitter();
    socket.on('data', (d) => {
      for (const r of splitter.push(d)) {
        if (!r.ok) continue;
        const req = r.value as Req;
        if (req.method === 'get_schema') socket.write(JSON.stringify({ id: req.id, result: SCHEMA, error: null }));
        else if (req.method === 'monitor_cond') onMonitor(req, socket);
        else if (req.method === 'monitor_cancel') socket.write(JSON.stringify({ id: req.id, result: {}, error: null }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, sockets, remote: `tcp:127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe('Replica (update2 against a scripted peer)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('applies an update that arrives in the same chunk as the monitor reply after the initial state', async () => {
    const { server, remote } = await fakeServer((req, socket) => {
      const reply = {
        id: req.id,
        result: { Port: { [U1]: { initial: { name: 'p1', tags: ['set', ['a', 'b']], ofport: 5, ids: ['map', [['k', 'v']]] } } } },
        error: null,
      };
      const update = {
        method: 'update2',
        params: [
          req.params[1],
          {
            Port: {
              [U1]: {
                modify: {
                  tags: ['set', ['b', 'c']],
                  ofport: 7,
                  ids: [
                    'map',
                    [
                      ['k', 'v'],
                      ['x', 'y'],
                    ],
                  ],
                },
              },
            },
          },
        ],
        id: null,
      };
      socket.write(JSON.stringify(reply) + JSON.stringify(update));
    });
    const client = OvsdbClient.connect(remote);
    cleanups.push(
      () => new Promise((r) => server.close(() => r())),
      () => client.close(),
    );
    const replica = await new Replica(client, { database: 'T', tables: { Port: true } }).start();
    const row = await replica.waitFor((s) => (s.get('Port', U1)?.ofport as number[] | undefined)?.[0] === 7 && s.get('Port', U1));
    expect(new Set(row.tags as string[])).toEqual(new Set(['a', 'c'])); // b toggled out, c toggled in
    expect(row.ofport).toEqual([7]); // an optional column comes as its new value (as OVS sends it)
    expect(row.ids).toEqual(new Map([['x', 'y']])); // k=v named with same value: removed; x added
  });

  it('fills columns the server left out with empty values, deletes rows, and resyncs after reconnect', async () => {
    let connections = 0;
    const { server, remote, sockets } = await fakeServer((req, socket) => {
      connections++;
      const initial =
        connections === 1
          ? { [U1]: { initial: { name: 'p1' } }, [U2]: { initial: { name: 'p2', ofport: 3 } } }
          : { [U1]: { initial: { name: 'p1-renamed' } } }; // after reconnect: p2 is gone
      socket.write(JSON.stringify({ id: req.id, result: { Port: initial }, error: null }));
    });
    const client = OvsdbClient.connect(remote, { minBackoff: 10 });
    cleanups.push(
      () => new Promise((r) => server.close(() => r())),
      () => client.close(),
    );
    const replica = await new Replica(client, { database: 'T', tables: { Port: true } }).start();
    const p1 = replica.get('Port', U1)!;
    expect(p1).toMatchObject({ _uuid: U1, name: 'p1', tags: [], ofport: [] });
    expect((p1.ids as OvsdbMap).size).toBe(0);
    expect(Object.isFrozen(p1)).toBe(true);
    // Empty sets and maps are one shared value each, which nothing can change.
    const p2 = replica.get('Port', U2)!;
    expect(p2.ids).toBe(p1.ids);
    expect(p2.tags).toBe(p1.tags);
    expect(() => (p1.ids as OvsdbMap).set('k', 'v')).toThrow(TypeError);
    expect(() => (p1.tags as string[]).push('t')).toThrow(TypeError);
    expect((p2.ids as OvsdbMap).size).toBe(0);
    const before = replica.snapshot();

    const changes: ReplicaChange[] = [];
    replica.on('change', (c) => changes.push(...c));
    sockets[0]!.destroy(); // drop the connection; the client reconnects and re-monitors
    await replica.waitFor((s) => s.get('Port', U1)?.name === 'p1-renamed');
    expect(changes.map((c) => `${c.type}:${c.table}`).sort()).toEqual(['delete:Port', 'update:Port']);
    expect(before.get('Port', U2)).toBeDefined(); // the old snapshot is untouched
    expect(replica.get('Port', U2)).toBeUndefined();
  });
});

describe('Replica with a misbehaving peer', () => {
  it('a malformed update leaves the last snapshot intact, drops the connection and resyncs', async () => {
    let connections = 0;
    const { server, remote } = await fakeServer((req, socket) => {
      connections++;
      const name = connections === 1 ? 'first' : 'resynced';
      socket.write(JSON.stringify({ id: req.id, result: { Port: { [U1]: { initial: { name } } } }, error: null }));
      if (connections === 1) {
        // ofport is an integer column; a bad uuid atom is not valid data.
        socket.write(
          JSON.stringify({
            method: 'update2',
            params: [req.params[1], { Port: { [U1]: { modify: { ofport: ['uuid', 'nope'] } } } }],
            id: null,
          }),
        );
      }
    });
    const client = OvsdbClient.connect(remote, { minBackoff: 10 });
    const errors: Error[] = [];
    client.on('monitorError', (_id, e) => errors.push(e));
    try {
      const replica = await new Replica(client, { database: 'T', tables: { Port: true } }).start();
      await replica.waitFor((s) => s.get('Port', U1)?.name === 'resynced', 10_000);
      expect(errors[0]).toMatchObject({ code: 'OVSDB_DATA' });
      expect(connections).toBe(2);
    } finally {
      client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('rejects a table the schema does not have', async () => {
    const { server, remote } = await fakeServer(() => {});
    const client = OvsdbClient.connect(remote);
    try {
      await expect(new Replica(client, { database: 'T', tables: { Nope: true } }).start()).rejects.toMatchObject({ code: 'OVSDB_SCHEMA' });
    } finally {
      client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
