// A member's OVSDB listener for its switches against peers that are not a switch's ovsdb-server
// (real TCP): bytes that are not JSON, a peer that never answers, one that answers a byte at a
// time. Each is refused with why and its connection closed; the slow ones within the adoption
// timeout. A real switch's session over the same listener is in test/integration/pipeline.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { NodeSessions } from './node-sessions.ts';

const ADOPT_MS = 600;

describe("a member's OVSDB listener against peers that are not switches", () => {
  let sessions: NodeSessions;
  let port = 0;
  const refused: { peer: string; reason: string }[] = [];
  beforeAll(async () => {
    port = await freePort();
    sessions = await NodeSessions.listen(port, { adoptTimeoutMs: ADOPT_MS });
    sessions.on('refused', (peer, reason) => refused.push({ peer, reason: reason.message }));
  });
  afterAll(() => sessions.close());

  /** A raw peer; resolves with how long the member kept it, and why it refused it. */
  async function peer(act: (s: Socket) => void): Promise<{ ms: number; reason: string | undefined }> {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.resume();
    await new Promise((r) => s.once('connect', r));
    const local = `127.0.0.1:${s.localPort}`;
    const started = Date.now();
    act(s);
    await new Promise((r) => s.once('close', r));
    const ms = Date.now() - started;
    for (let i = 0; i < 50 && !refused.some((x) => x.peer.endsWith(local)); i++) await new Promise((r) => setTimeout(r, 10));
    return { ms, reason: refused.find((x) => x.peer.endsWith(local))?.reason };
  }

  it('refuses bytes that are not JSON at once, naming them', async () => {
    const { ms, reason } = await peer((s) => s.write('GET / HTTP/1.1\r\n\r\n'));
    expect(ms).toBeLessThan(ADOPT_MS);
    expect(reason).toContain('unexpected byte 0x47 outside a JSON object or array');
  });

  it('cuts off a peer that never answers, and one answering a byte at a time, at the adoption timeout', async () => {
    let drip: NodeJS.Timeout | undefined;
    const [silent, slow] = await Promise.all([
      peer(() => {}),
      peer((s) => {
        const reply = Buffer.from('{"id":0,"result":{},"error":null}');
        let i = 0;
        drip = setInterval(() => !s.destroyed && i < reply.length && s.write(reply.subarray(i, ++i)), 100);
      }),
    ]);
    clearInterval(drip);
    for (const r of [silent, slow]) {
      expect(r.ms).toBeGreaterThanOrEqual(ADOPT_MS - 50);
      expect(r.ms).toBeLessThan(ADOPT_MS + 1000);
      expect(r.reason).toContain(`no OVSDB session within ${ADOPT_MS} ms`);
    }
  });
});
