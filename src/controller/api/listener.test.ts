// The API's listener against clients that misbehave on the wire (a real server on 127.0.0.1, raw
// sockets): a body over the limit is refused before it is read, a client sending a byte a second
// neither stalls the others nor holds its socket past the request timeout, and bytes that are
// not HTTP or headers too large get the API's JSON error shape before the connection is closed.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';

const store = {
  status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
  members: () => [],
  masterships: () => [],
} as unknown as Store;

const REQUEST_TIMEOUT_MS = 1500;

/** A raw connection and everything it received until it closed. */
function rawClient(port: number): { socket: Socket; closed: Promise<{ text: string; at: number }> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d.toString()));
  const closed = new Promise<{ text: string; at: number }>((resolve) => {
    socket.on('close', () => resolve({ text, at: Date.now() }));
    socket.on('error', () => {});
  });
  return { socket, closed };
}

/** The status and JSON body of a raw HTTP answer. */
function parseAnswer(text: string): { status: number; json: unknown } {
  const [head, body] = text.split('\r\n\r\n', 2);
  return { status: Number(head!.split(' ')[1]), json: JSON.parse(body ?? '') };
}

describe('the API listener against misbehaving clients', () => {
  const app = createApi({ store, member: 'ctrl1', limits: { bodyLimit: 64 * 1024, requestTimeoutMs: REQUEST_TIMEOUT_MS } });
  let port = 0;
  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('refuses a body over the limit with 413 before reading it', async () => {
    const { socket, closed } = rawClient(port);
    const started = Date.now();
    // Declares 10 MiB and sends only the headers: the answer cannot wait for the body.
    socket.write(
      'POST /api/v1/logical-switches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n{"name":',
    );
    const answer = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(parseAnswer(answer)).toEqual({
      status: 413,
      json: { error: 'payload too large', detail: "the body is over this route's limit of 65536 bytes" },
    });
    socket.destroy();
    await closed;
  });

  it('refuses a chunked body once it passes the limit', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/logical-switches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(`{"name":"${'x'.repeat(100 * 1024)}"}`));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload too large' });
  });

  it('answers others while a client sends a byte a second, and cuts that client off with 408', async () => {
    const slow = rawClient(port);
    const started = Date.now();
    const request =
      'POST /api/v1/logical-switches HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"name":"web","vni":5001}';
    let i = 0;
    const drip = setInterval(() => {
      if (!slow.socket.destroyed && i < request.length) slow.socket.write(request[i++]!);
    }, 1000);
    try {
      // Meanwhile other clients are answered at once.
      await new Promise((r) => setTimeout(r, 300));
      for (let n = 0; n < 3; n++) {
        const t = Date.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/status`);
        expect(res.status).toBe(200);
        expect(Date.now() - t).toBeLessThan(1000);
      }
      const { text, at } = await slow.closed;
      // Cut off after the request timeout (Node checks at a quarter of it), not left hanging.
      expect(at - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(at - started).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      expect(parseAnswer(text)).toEqual({
        status: 408,
        json: { error: 'request timeout', detail: 'the request did not arrive in time; the connection is closed' },
      });
    } finally {
      clearInterval(drip);
      slow.socket.destroy();
    }
  });

  it('answers bytes that are not HTTP with 400 in the API error shape and closes the connection', async () => {
    const { socket, closed } = rawClient(port);
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a]));
    const { text } = await closed;
    const answer = parseAnswer(text);
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: 'bad request', detail: expect.stringContaining('not an HTTP request') });
  });

  it('answers headers over 16 KiB with 431 and closes the connection', async () => {
    const { socket, closed } = rawClient(port);
    socket.write(`GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`);
    const { text } = await closed;
    expect(parseAnswer(text)).toEqual({
      status: 431,
      json: { error: 'headers too large', detail: 'the request line and headers exceed 16 KiB' },
    });
    // The listener goes on serving.
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/status`)).status).toBe(200);
  });
});
