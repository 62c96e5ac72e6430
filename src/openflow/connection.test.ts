// Session behaviour against a scripted switch over real TCP: handshake, xid correlation,
// multipart reassembly, install() error collection, keepalive and dead-time detection.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSwitch } from '../../test/fixtures/openflow/fake-switch.ts';
import type { OpenFlowConnection } from './connection.ts';
import { OpenFlowController } from './controller.ts';
import {
  OpenFlowDisconnectedError,
  OpenFlowEncodeError,
  OpenFlowError,
  OpenFlowHandshakeError,
  OpenFlowInstallError,
  OpenFlowTimeoutError,
} from './errors.ts';
import { flowMod } from './builders.ts';
import { allFlows } from './multipart.ts';
import type { FlowStats, OfMessage } from './messages.ts';

let controller: OpenFlowController;
let port: number;
const switches: FakeSwitch[] = [];

async function fake(options: Parameters<typeof FakeSwitch.connect>[1] = {}): Promise<FakeSwitch> {
  const sw = await FakeSwitch.connect(port, options);
  switches.push(sw);
  return sw;
}

async function session(options: Parameters<typeof FakeSwitch.connect>[1] = {}): Promise<[FakeSwitch, OpenFlowConnection]> {
  const datapathId = options.datapathId ?? BigInt(switches.length + 100);
  const sw = await fake({ ...options, datapathId });
  const conn = await controller.waitForSwitch({ datapathId, timeout: 5000 });
  return [sw, conn];
}

beforeEach(async () => {
  // Short echo interval so keepalive is visible; a dead time far above any event-loop stall.
  controller = new OpenFlowController({ echoInterval: 100, deadTime: 5000, requestTimeout: 5000 });
  port = await controller.listen(0);
});

afterEach(async () => {
  for (const sw of switches.splice(0)) sw.close();
  await controller.close();
});

const stats = (priority: number): FlowStats => ({
  tableId: 0,
  durationSec: 1,
  durationNsec: 2,
  priority,
  idleTimeout: 0,
  hardTimeout: 0,
  flags: 0,
  cookie: BigInt(priority),
  packetCount: 0n,
  byteCount: 0n,
  match: [{ field: 'in_port', value: priority }],
  instructions: [],
});

describe('handshake', () => {
  it('sends HELLO (bitmap 1.3) and FEATURES_REQUEST, then reports the switch', async () => {
    const [sw, conn] = await session({ datapathId: 0xabcn });
    expect(conn.datapathId).toBe(0xabcn);
    expect(sw.received[0]).toEqual({ type: 'hello', xid: expect.any(Number), version: 4, versions: [4] });
    expect(sw.received[1]).toMatchObject({ type: 'features_request' });
  });

  it('accepts a HELLO without bitmap announcing a higher version', async () => {
    const [, conn] = await session({ hello: { type: 'hello', xid: 9, version: 6, versions: undefined } });
    expect(conn.isOpen).toBe(true);
  });

  it('rejects a peer without 1.3 with HELLO_FAILED/INCOMPATIBLE and closes', async () => {
    const failed = new Promise<Error>((resolve) => controller.once('handshakeError', (e) => resolve(e)));
    const sw = await fake({ hello: { type: 'hello', xid: 1, version: 1, versions: [1] } });
    const err = await sw.waitFor((m) => m.type === 'error');
    expect(err).toMatchObject({ type: 'error', errorType: 0, errorCode: 0 });
    expect(await failed).toBeInstanceOf(OpenFlowHandshakeError);
    await sw.closed;
  });

  it('several switches at once, each with its own session', async () => {
    const all = await Promise.all([1n, 2n, 3n, 4n].map((d) => session({ datapathId: 1000n + d })));
    expect(new Set(controller.connections.map((c) => c.datapathId))).toEqual(new Set([1001n, 1002n, 1003n, 1004n]));
    const echoes = await Promise.all(all.map(([, c], i) => c.echo(Buffer.from(`sw${i}`))));
    expect(echoes.map((b) => b.toString())).toEqual(['sw0', 'sw1', 'sw2', 'sw3']);
  });
});

describe('requests', () => {
  it('correlates replies by xid even when they come back out of order', async () => {
    const held: OfMessage[] = [];
    const [sw, conn] = await session({
      onMessage: (m, s) => {
        if (m.type !== 'echo_request') return false;
        held.push(m);
        if (held.length === 2)
          for (const h of held.reverse())
            s.send({ type: 'echo_reply', xid: h.xid, data: h.type === 'echo_request' ? h.data : Buffer.alloc(0) });
        return true;
      },
    });
    const [a, b] = await Promise.all([conn.echo(Buffer.from('a')), conn.echo(Buffer.from('b'))]);
    expect([a.toString(), b.toString()]).toEqual(['a', 'b']);
    void sw;
  });

  it('an ERROR with the request xid rejects with a typed OpenFlowError', async () => {
    const [, conn] = await session({
      onMessage: (m, s) => {
        if (m.type !== 'role_request') return false;
        s.send({ type: 'error', xid: m.xid, errorType: 11, errorCode: 0, data: Buffer.alloc(0) });
        return true;
      },
    });
    const err = await conn.role('master', 1n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenFlowError);
    expect(err).toMatchObject({ code: 'OPENFLOW_ERROR', typeName: 'ROLE_REQUEST_FAILED', codeName: 'STALE' });
  });

  it('reassembles a multipart reply sent in parts with the MORE flag', async () => {
    const [, conn] = await session({
      onMessage: (m, s) => {
        if (m.type !== 'multipart_request') return false;
        s.send({ type: 'multipart_reply', xid: m.xid, flags: 1, body: { kind: 'flow', flows: [stats(1), stats(2)] } });
        s.send({ type: 'multipart_reply', xid: m.xid, flags: 1, body: { kind: 'flow', flows: [stats(3)] } });
        s.send({ type: 'multipart_reply', xid: m.xid, flags: 0, body: { kind: 'flow', flows: [stats(4)] } });
        return true;
      },
    });
    const flows = await conn.flowStats(allFlows());
    expect(flows.map((f) => f.priority)).toEqual([1, 2, 3, 4]);
  });

  it('times out with OpenFlowTimeoutError when no reply comes', async () => {
    const [, conn] = await session({ onMessage: (m) => m.type === 'get_config_request' });
    await expect(conn.request({ type: 'get_config_request' }, { timeout: 100 })).rejects.toBeInstanceOf(OpenFlowTimeoutError);
  });

  it('a disconnect rejects outstanding requests with OpenFlowDisconnectedError', async () => {
    const [sw, conn] = await session({ onMessage: (m) => m.type === 'get_config_request' });
    const pending = conn.getConfig();
    await sw.waitFor((m) => m.type === 'get_config_request');
    sw.close();
    await expect(pending).rejects.toBeInstanceOf(OpenFlowDisconnectedError);
  });
});

describe('install()', () => {
  it('resolves after the barrier reply when nothing failed, with everything in one write order', async () => {
    const [sw, conn] = await session();
    const mods = Array.from({ length: 50 }, (_, i) => flowMod({ priority: i }));
    await conn.install(mods);
    const types = sw.received.slice(2).map((m) => m.type);
    expect(types).toEqual([...Array(50).fill('flow_mod'), 'barrier_request']);
  });

  it('rejects with every failed message index when the switch sent ERRORs for those xids', async () => {
    const [, conn] = await session({
      onMessage: (m, s) => {
        if (m.type === 'flow_mod' && (m.priority === 1 || m.priority === 3)) {
          s.send({ type: 'error', xid: m.xid, errorType: 4, errorCode: 9, data: Buffer.alloc(0) });
          return true;
        }
        return false;
      },
    });
    const err = await conn.install([0, 1, 2, 3].map((p) => flowMod({ priority: p }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenFlowInstallError);
    const failures = (err as OpenFlowInstallError).failures;
    expect(failures.map((f) => [f.index, f.error.typeName, f.error.codeName])).toEqual([
      [1, 'BAD_MATCH', 'BAD_PREREQ'],
      [3, 'BAD_MATCH', 'BAD_PREREQ'],
    ]);
  });

  it('a batch with an unencodable message sends nothing and rejects with OpenFlowEncodeError', async () => {
    const [sw, conn] = await session();
    const before = sw.received.length;
    const bad = flowMod({ match: [{ field: 'eth_dst', value: 'not-a-mac' }] });
    await expect(conn.install([flowMod({ priority: 1 }), bad])).rejects.toBeInstanceOf(OpenFlowEncodeError);
    await conn.barrier();
    expect(sw.received.slice(before).map((m) => m.type)).toEqual(['barrier_request']);
  });

  it('errors for unknown xids surface as errorMessage events', async () => {
    const [sw, conn] = await session();
    const got = new Promise<OpenFlowError>((resolve) => conn.once('errorMessage', resolve));
    sw.send({ type: 'error', xid: 424242, errorType: 1, errorCode: 1, data: Buffer.alloc(0) });
    expect((await got).codeName).toBe('BAD_TYPE');
  });
});

describe('async messages and robustness', () => {
  it('emits packetIn and portStatus, and answers the switch echo requests', async () => {
    const [sw, conn] = await session();
    const pin = new Promise((resolve) => conn.once('packetIn', resolve));
    const ps = new Promise((resolve) => conn.once('portStatus', resolve));
    sw.send({
      type: 'packet_in',
      xid: 0,
      bufferId: 0xffffffff,
      totalLen: 3,
      reason: 1,
      tableId: 0,
      cookie: 0n,
      match: [{ field: 'in_port', value: 1 }],
      data: Buffer.from('abc'),
    });
    sw.send({
      type: 'port_status',
      xid: 0,
      reason: 0,
      port: {
        portNo: 1,
        hwAddr: '00:00:00:00:00:01',
        name: 'p1',
        config: 0,
        state: 4,
        curr: 0,
        advertised: 0,
        supported: 0,
        peer: 0,
        currSpeed: 0,
        maxSpeed: 0,
      },
    });
    sw.send({ type: 'echo_request', xid: 77, data: Buffer.from('hi') });
    expect(await pin).toMatchObject({ data: Buffer.from('abc') });
    expect(await ps).toMatchObject({ port: { name: 'p1' } });
    expect(await sw.waitFor((m) => m.type === 'echo_reply' && m.xid === 77)).toMatchObject({ data: Buffer.from('hi') });
  });

  it('a malformed body is a decodeError event; the session stays up', async () => {
    const [sw, conn] = await session();
    const decodeError = new Promise((resolve) => conn.once('decodeError', resolve));
    sw.sendRaw(Buffer.from('041900100000000500000009', 'hex').subarray(0, 12)); // header says 16, sends 12
    sw.sendRaw(Buffer.from('00000000', 'hex')); // completes the 16 bytes: role 9 is not a role
    expect(await decodeError).toMatchObject({ code: 'OPENFLOW_DECODE', fatal: false, xid: 5 });
    expect((await conn.echo()).length).toBe(0);
  });

  it('random garbage from a switch never escapes as an exception: decode errors or a decode disconnect', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const [sw, conn] = await session({ datapathId: 5000n + BigInt(seed) });
      conn.on('decodeError', () => {});
      const gone = new Promise<{ reason: string }>((resolve) => conn.once('disconnect', resolve));
      let x = seed * 7919;
      const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
      for (let i = 0; i < 20; i++) {
        const chunk = Buffer.from(Array.from({ length: 1 + (rnd() % 64) }, rnd));
        chunk[0] = 4; // mostly 1.3 headers with random types and lengths
        sw.sendRaw(chunk);
      }
      sw.close();
      expect(['decode', 'closed']).toContain((await gone).reason);
      expect(conn.isOpen).toBe(false);
    }
  });

  it('lost framing (length < 8) ends the session with reason decode', async () => {
    const [sw, conn] = await session();
    const gone = new Promise<{ reason: string }>((resolve) => conn.once('disconnect', resolve));
    sw.sendRaw(Buffer.from('0402000300000001', 'hex'));
    expect((await gone).reason).toBe('decode');
  });

  it('keepalive: echoes every echoInterval keep a responsive switch up', async () => {
    const [sw, conn] = await session();
    await new Promise((r) => setTimeout(r, 1000));
    expect(conn.isOpen).toBe(true);
    expect(sw.received.filter((m) => m.type === 'echo_request').length).toBeGreaterThanOrEqual(3);
  });

  it('dead time: a switch that stops answering is dropped with reason dead', async () => {
    const strict = new OpenFlowController({ echoInterval: 100, deadTime: 400 });
    try {
      const sw = await FakeSwitch.connect(await strict.listen(0), { onMessage: (m) => m.type === 'echo_request' });
      switches.push(sw);
      const conn = await strict.waitForSwitch({ timeout: 5000 });
      const started = Date.now();
      const gone = await new Promise<{ reason: string }>((resolve) => conn.once('disconnect', resolve));
      expect(gone.reason).toBe('dead');
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(sw.received.some((m) => m.type === 'echo_request')).toBe(true);
      await sw.closed;
    } finally {
      await strict.close();
    }
  });
});
