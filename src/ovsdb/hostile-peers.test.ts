// An OVSDB listener (as a member runs for its switches) against peers that do not speak JSON-RPC
// properly, over real TCP: bytes that are not JSON, a value over the size limit, a truncated value
// then silence, a value sent a byte at a time. Each bad connection is closed with an error that
// says why (the slow one is bounded by whoever waits on it), and a good client next to them is
// answered promptly throughout.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonRpcConnection } from './jsonrpc.ts';
import { OvsdbListener } from './listener.ts';
import { connectRemote } from './session.ts';

const DEAD_MS = 1500;
const MAX_VALUE = 64 * 1024;

describe('the OVSDB listener against hostile peers', () => {
  let listener: OvsdbListener;
  let good: JsonRpcConnection;
  const closedWith = new Map<number, string>();
  beforeAll(async () => {
    listener = await OvsdbListener.listen('ptcp:0:127.0.0.1', { echoInterval: 200, deadTime: DEAD_MS, maxValueBytes: MAX_VALUE });
    listener.on('connection', (conn, peer) => {
      conn.on('error', () => {});
      conn.on('request', (req) => conn.reply(req.id, ['pong']));
      conn.once('close', (err) => closedWith.set(peer.remotePort ?? 0, err?.message ?? 'closed'));
    });
    good = await connectRemote(`tcp:127.0.0.1:${listener.port}`);
  });
  afterAll(async () => {
    good.close();
    await listener.close();
  });

  async function goodAnswers(): Promise<void> {
    const t = Date.now();
    expect(await good.request('ping', [])).toEqual(['pong']);
    expect(Date.now() - t).toBeLessThan(1000);
  }

  /** A raw peer; resolves with why the listener closed it, once it did. */
  async function peer(act: (s: Socket) => void): Promise<string> {
    const s = connect(listener.port!, '127.0.0.1');
    s.on('error', () => {});
    s.resume(); // reads (and drops) the listener's echoes, so its close is seen
    await new Promise((r) => s.once('connect', r));
    const port = s.localPort!;
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    act(s);
    await closed;
    for (let i = 0; i < 50 && !closedWith.has(port); i++) await new Promise((r) => setTimeout(r, 10));
    return closedWith.get(port) ?? 'no reason';
  }

  it('closes a peer sending bytes that are not JSON, or a value over the limit, or a truncated value then nothing', async () => {
    const reasons = Promise.all([
      peer((s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      peer((s) => s.write(`{"method":"echo","params":["${'x'.repeat(2 * MAX_VALUE)}"],"id":1}`)),
      peer((s) => s.write('{"method":"echo","params":[')),
    ]);
    await goodAnswers();
    const [junk, large, truncated] = await reasons;
    expect(junk).toMatch(/^ptcp:0:127\.0\.0\.1<-127\.0\.0\.1:\d+: unexpected byte 0x47 outside a JSON object or array$/);
    expect(large).toContain(`larger than ${MAX_VALUE} bytes`);
    expect(truncated).toContain(`(dead time ${DEAD_MS} ms)`);
    await goodAnswers();
  });

  it('answers a good client promptly while another sends a value a byte at a time', async () => {
    const s = connect(listener.port!, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    const value = Buffer.from('{"method":"echo","params":[],"id":"slow"}');
    let i = 0;
    const drip = setInterval(() => !s.destroyed && i < value.length && s.write(value.subarray(i, ++i)), 100);
    try {
      for (let n = 0; n < 5; n++) {
        await goodAnswers();
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      clearInterval(drip);
      s.destroy();
    }
  });
});
