// For tests: a cluster member played by a real HTTP (or HTTPS) server on loopback, answering each
// request as the test says, and noting what it was asked.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { northbound, type NorthboundClient } from './client.ts';

/** A status and a body (a string is sent as it is, anything else as JSON, none as nothing). */
export type Reply = [status: number, body?: unknown];

export interface TestMember {
  port: number;
  /** Every request so far: "METHOD /path" and its JSON body. */
  seen: { request: string; body: unknown }[];
  /** The headers of each request in `seen`. */
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** `at`: where to listen (default 127.0.0.1, any free port); another loopback address on the
 *  port of a first member plays a second member of the same cluster. With `tls` (a key and a
 *  certificate), HTTPS. An answer may take its time (a promise); with `progressMs`, the member
 *  says `102 Processing` that often meanwhile, as ours do. */
export async function testMember(
  answer: (request: string, body: unknown) => Reply | Promise<Reply>,
  at: { host?: string; port?: number; tls?: { key: string; cert: string }; progressMs?: number } = {},
): Promise<TestMember> {
  const seen: TestMember['seen'] = [];
  const headers: IncomingHttpHeaders[] = [];
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request = `${req.method} ${req.url}`;
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({ request, body });
      headers.push(req.headers);
      const progress = at.progressMs ? setInterval(() => res.writeProcessing(), at.progressMs) : undefined;
      const [status, reply] = await answer(request, body);
      clearInterval(progress);
      if (res.destroyed) return;
      res.writeHead(status, reply === undefined ? {} : { 'content-type': 'application/json' });
      res.end(reply === undefined ? '' : typeof reply === 'string' ? reply : JSON.stringify(reply));
    });
  };
  const server = at.tls ? createSecureServer(at.tls, serve) : createServer(serve);
  await new Promise<void>((r) => server.listen(at.port ?? 0, at.host ?? '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    headers,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A member that gives these replies in turn, then 500. */
export function replies(...list: Reply[]): (request: string, body: unknown) => Reply {
  return () => list.shift() ?? [500, { error: 'internal', detail: 'no more replies' }];
}

/** For a test file: `member(answer, at)` starts a member as testMember does; every member is
 *  closed after each test. */
export function useMembers(): (...args: Parameters<typeof testMember>) => Promise<TestMember> {
  const members: TestMember[] = [];
  afterEach(async () => {
    await Promise.all(members.splice(0).map((m) => m.close()));
  });
  return async (...args) => {
    const m = await testMember(...args);
    members.push(m);
    return m;
  };
}

/** For a test file: `client(...replies)` starts a member giving these replies in turn and a
 *  client of it that retries for at most 2 s; every member is closed after each test. */
export function useReplyingMembers(): (...list: Reply[]) => Promise<{ m: TestMember; api: NorthboundClient }> {
  const members: TestMember[] = [];
  afterEach(async () => {
    await Promise.all(members.splice(0).map((m) => m.close()));
  });
  return async (...list) => {
    const m = await testMember(replies(...list));
    members.push(m);
    return { m, api: northbound(['127.0.0.1'], { port: m.port, deadlineMs: 2000 }) };
  };
}
