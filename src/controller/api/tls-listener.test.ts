// The API's listener over HTTPS against clients that misbehave before TLS is up (a real server on
// 127.0.0.1, raw sockets): a client sending its hello a byte a second is cut off at the request
// timeout while others are served, and plain HTTP to the HTTPS port gets no answer in the clear.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest, testApiSecurity, type ApiSecurity } from '../../../test/support/api-security.ts';
import { memoryStore } from '../../../test/fixtures/api/memory-store.ts';
import { createApi } from './app.ts';

const REQUEST_TIMEOUT_MS = 1500;

/** A raw connection and everything it received until it closed. */
function rawClient(port: number): { socket: Socket; closed: Promise<{ text: string; at: number }> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  const closed = new Promise<{ text: string; at: number }>((resolve) => {
    socket.on('close', () => resolve({ text, at: Date.now() }));
    socket.on('error', () => {});
  });
  return { socket, closed };
}

describe('the API listener over HTTPS against misbehaving clients', () => {
  let security: ApiSecurity;
  let app: ReturnType<typeof createApi>;
  let port = 0;
  beforeAll(async () => {
    security = await testApiSecurity('127.0.0.1');
    app = createApi({
      store: memoryStore(),
      member: 'ctrl1',
      token: security.token,
      tls: security.tls,
      limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app?.close());

  it('cuts off a client sending its TLS hello a byte a second at the request timeout, and serves others meanwhile', async () => {
    const slow = rawClient(port);
    const started = Date.now();
    // The start of a TLS 1.2 ClientHello record.
    const hello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, ...Array(40).fill(0x11)];
    let i = 0;
    const drip = setInterval(() => {
      if (!slow.socket.destroyed && i < hello.length) slow.socket.write(Buffer.from([hello[i++]!]));
    }, 1000);
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (let n = 0; n < 3; n++) {
        const t = Date.now();
        const res = await apiRequest({ port }, '/api/v1/status', { token: security.token, ca: security.authority.certificate });
        expect(res.status).toBe(200);
        expect(Date.now() - t).toBeLessThan(1000);
      }
      const { at } = await slow.closed;
      expect(at - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(at - started).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
    } finally {
      clearInterval(drip);
      slow.socket.destroy();
    }
  });

  it('answers plain HTTP on its port with nothing in the clear', async () => {
    const { socket, closed } = rawClient(port);
    socket.write('GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n');
    const { text } = await closed;
    expect(text).not.toMatch(/HTTP\/1\.1|member|ctrl1/);
    // The listener goes on serving.
    expect((await apiRequest({ port }, '/api/v1/status', { token: security.token, ca: security.authority.certificate })).status).toBe(200);
  });
});
