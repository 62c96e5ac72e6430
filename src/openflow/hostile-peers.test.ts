// The OpenFlow listener against peers that are not well-behaved switches (real TCP): bytes that
// are not OpenFlow, a header announcing 64 KiB that never comes, a HELLO sent a byte at a time,
// a switch that stalls mid-message after its handshake. Each is cut off with a reason, within the
// handshake timeout or the dead time, while a good switch next to them is served throughout.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSwitch } from '../../test/fixtures/openflow/fake-switch.ts';
import type { OpenFlowConnection } from './connection.ts';
import { OpenFlowController } from './controller.ts';

const HANDSHAKE_MS = 800;
const DEAD_MS = 1500;

describe('the OpenFlow listener against hostile peers', () => {
  const controller = new OpenFlowController({ echoInterval: 200, deadTime: DEAD_MS, handshakeTimeout: HANDSHAKE_MS });
  const refused: Error[] = [];
  controller.on('handshakeError', (err) => refused.push(err));
  let port = 0;
  let good: FakeSwitch;
  let goodConn: OpenFlowConnection;
  beforeAll(async () => {
    port = await controller.listen(0);
    good = await FakeSwitch.connect(port, { datapathId: 1n });
    goodConn = await controller.waitForSwitch({ datapathId: 1n, timeout: 5000 });
  });
  afterAll(async () => {
    good.close();
    await controller.close();
  });

  /** Opens a raw connection, runs `act` on it, and resolves when the controller closed it. */
  async function peer(act: (s: Socket) => void): Promise<number> {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', () => {});
    await new Promise((r) => s.once('connect', r));
    const started = Date.now();
    const closed = new Promise<number>((r) => s.once('close', () => r(Date.now() - started)));
    act(s);
    return closed;
  }

  /** The good switch answers an echo promptly (its session is not stalled by the others). */
  async function goodAnswers(): Promise<void> {
    const t = Date.now();
    await goodConn.echo();
    expect(Date.now() - t).toBeLessThan(1000);
  }

  it('cuts off bytes that are not OpenFlow, a header whose body never comes, and a byte-a-second HELLO', async () => {
    const hello = Buffer.from('0400001000000001000100080000001' + '0', 'hex');
    let drip: NodeJS.Timeout | undefined;
    const peers = [
      peer((s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')),
      peer((s) => s.write(Buffer.from('0400ffff00000001', 'hex'))),
      peer((s) => {
        let i = 0;
        drip = setInterval(() => !s.destroyed && i < hello.length && s.write(hello.subarray(i, ++i)), 1000);
      }),
    ];
    await new Promise((r) => setTimeout(r, 200));
    await goodAnswers();
    const times = await Promise.all(peers);
    clearInterval(drip);
    for (const t of times) expect(t).toBeLessThan(HANDSHAKE_MS + 1000);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.map((e) => e.message).join('\n')).toMatch(/handshake timed out|version|decode|length/i);
    await goodAnswers();
    expect(goodConn.isOpen).toBe(true);
  });

  it('drops a switch that stalls mid-message after its handshake, at its dead time', async () => {
    const sw = await FakeSwitch.connect(port, { datapathId: 2n });
    const conn = await controller.waitForSwitch({ datapathId: 2n, timeout: 5000 });
    const gone = new Promise<{ reason: string; at: number }>((r) => conn.once('disconnect', ({ reason }) => r({ reason, at: Date.now() })));
    // A header announcing 1000 bytes, then a byte every 100 ms: never a whole message.
    const started = Date.now();
    sw.sendRaw(Buffer.from('041300e800000007', 'hex'));
    const drip = setInterval(() => !sw.socket.destroyed && sw.sendRaw(Buffer.from([0])), 100);
    try {
      await goodAnswers();
      const { reason, at } = await gone;
      expect(reason).toBe('dead');
      expect(at - started).toBeLessThan(DEAD_MS + 1000);
      await goodAnswers();
    } finally {
      clearInterval(drip);
      sw.close();
    }
  });
});
