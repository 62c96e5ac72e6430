import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonRpcConnection } from './jsonrpc.ts';
import { OvsdbListener } from './listener.ts';
import { ReconnectingSession, connectRemote } from './session.ts';

describe('ReconnectingSession', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  });

  it('walks the remotes in turn, backs off, and reconnects after the peer drops', async () => {
    const server = createServer((s) => {
      accepted++;
      if (accepted === 1) s.destroy(); // first connection is dropped at once
    });
    let accepted = 0;
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    // The first remote refuses connections (nothing listens on it).
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));

    const session = new ReconnectingSession([`tcp:127.0.0.1:${deadPort}`, `tcp:127.0.0.1:${port}`], { minBackoff: 10, maxBackoff: 50 });
    const failed: string[] = [];
    session.on('attemptFailed', (remote) => failed.push(remote));
    const ups: string[] = [];
    const twoUps = new Promise<void>((resolve) =>
      session.on('up', (_c, remote) => {
        ups.push(remote);
        if (ups.length === 2) resolve();
      }),
    );
    session.start();
    await twoUps;
    session.stop();
    expect(failed[0]).toBe(`tcp:127.0.0.1:${deadPort}`);
    expect(ups.every((u) => u === `tcp:127.0.0.1:${port}`)).toBe(true);
  });

  it('treats a failing onConnect hook as a failed attempt', async () => {
    const server = createServer(() => {});
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const session = new ReconnectingSession(`tcp:127.0.0.1:${port}`, { minBackoff: 5, maxBackoff: 20 });
    let calls = 0;
    session.onConnect = async () => {
      calls++;
      if (calls < 3) throw new Error('not the leader');
    };
    const up = new Promise<void>((r) => session.once('up', () => r()));
    session.start();
    await up;
    session.stop();
    expect(calls).toBe(3);
  });
});

describe('OvsdbListener', () => {
  it('listens on punix and accepts unix: clients', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'nvlab-ovsdb-punix-'));
    const listener = await OvsdbListener.listen(`punix:${join(dir, 'mgr.sock')}`);
    const accepted = new Promise<JsonRpcConnection>((r) => listener.once('connection', r));
    const client = await connectRemote(`unix:${join(dir, 'mgr.sock')}`);
    const server = await accepted;
    server.on('request', (req) => server.reply(req.id, ['pong', ...req.params]));
    expect(await client.request('ping', [1])).toEqual(['pong', 1]);
    await listener.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts many connections on ptcp and closes them all', async () => {
    const listener = await OvsdbListener.listen('ptcp:0:127.0.0.1');
    const seen: unknown[] = [];
    listener.on('connection', (c) => seen.push(c));
    const a = await connectRemote(`tcp:127.0.0.1:${listener.port}`);
    const b = await connectRemote(`tcp:127.0.0.1:${listener.port}`);
    await new Promise<void>((r) => {
      const check = () => (seen.length === 2 ? r() : setTimeout(check, 5));
      check();
    });
    const closed = Promise.all([a, b].map((c) => new Promise((r) => c.once('close', r))));
    await listener.close();
    await closed;
    expect(seen).toHaveLength(2);
  });
});
