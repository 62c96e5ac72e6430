import { createServer, createConnection, type Server, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { OvsdbConnectionError, OvsdbProtocolError, OvsdbRpcError } from './errors.ts';
import { JsonSplitter } from './json-stream.ts';
import { JsonRpcConnection, decodeMessage, encodeMessage, type JsonRpcMessage } from './jsonrpc.ts';
import { expectOnlyThrows } from './test-helpers.ts';

const id = fc.oneof(fc.integer(), fc.string());
const params = fc.array(fc.jsonValue());
const message: fc.Arbitrary<JsonRpcMessage> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), method: fc.string(), params, id }),
  fc.record({ kind: fc.constant('notification' as const), method: fc.string(), params }),
  fc.record({ kind: fc.constant('reply' as const), result: fc.jsonValue(), id }),
  fc.record({
    kind: fc.constant('error' as const),
    error: fc.oneof(fc.string(), fc.record({ error: fc.string(), details: fc.string() })),
    id: fc.oneof(id, fc.constant(null)),
  }),
);

describe('JSON-RPC codec', () => {
  it('decode(encode(m)) is m for every message type', () => {
    fc.assert(
      fc.property(message, (m) => {
        const wire = JSON.parse(encodeMessage(m));
        expect(decodeMessage(wire)).toEqual(JSON.parse(JSON.stringify(m)));
      }),
      { numRuns: 1000 },
    );
  });

  it('messages survive the splitter in any chunking', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.nat(), (msgs, chunk) => {
        const bytes = Buffer.from(msgs.map(encodeMessage).join(''));
        const size = 1 + (chunk % 17);
        const s = new JsonSplitter();
        const out: JsonRpcMessage[] = [];
        for (let i = 0; i < bytes.length; i += size) {
          for (const r of s.push(bytes.subarray(i, i + size))) if (r.ok) out.push(decodeMessage(r.value));
        }
        expect(out).toEqual(JSON.parse(JSON.stringify(msgs)));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the wire shapes of RFC 7047', () => {
    expect(JSON.parse(encodeMessage({ kind: 'request', method: 'list_dbs', params: [], id: 0 }))).toEqual({
      method: 'list_dbs',
      params: [],
      id: 0,
    });
    expect(JSON.parse(encodeMessage({ kind: 'notification', method: 'update', params: [null, {}] }))).toEqual({
      method: 'update',
      params: [null, {}],
      id: null,
    });
    expect(JSON.parse(encodeMessage({ kind: 'reply', result: ['a'], id: 'x' }))).toEqual({ result: ['a'], error: null, id: 'x' });
    expect(JSON.parse(encodeMessage({ kind: 'error', error: 'unknown method', id: 3 }))).toEqual({
      result: null,
      error: 'unknown method',
      id: 3,
    });
  });

  it('rejects values that are not JSON-RPC with a typed error', () => {
    for (const bad of [
      [],
      'x',
      1,
      null,
      {},
      { method: 1, params: [] },
      { method: 'x', params: {} },
      { result: 1, error: null },
      { result: 1, error: null, id: {} },
      { method: 'x', params: [], id: [1] },
    ]) {
      expect(() => decodeMessage(bad)).toThrow(OvsdbProtocolError);
    }
  });

  it('never throws anything but OvsdbProtocolError for arbitrary JSON', () => {
    expectOnlyThrows(fc.jsonValue(), decodeMessage, OvsdbProtocolError, 1000);
  });
});

describe('JsonRpcConnection over TCP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  /** A real TCP pair: our connection on one side, a raw socket (the "peer") on the other. */
  async function pair(options = {}): Promise<{ conn: JsonRpcConnection; peer: Socket; received: () => Promise<unknown> }> {
    const peerP = new Promise<Socket>((resolve) => {
      server = createServer((s) => resolve(s));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server!.address() as { port: number }).port;
    const socket = createConnection({ port, host: '127.0.0.1' });
    const conn = new JsonRpcConnection(socket, options);
    const peer = await peerP;
    const splitter = new JsonSplitter();
    const queue: unknown[] = [];
    let wake: (() => void) | undefined;
    peer.on('data', (d) => {
      for (const r of splitter.push(d)) if (r.ok) queue.push(r.value);
      wake?.();
    });
    const received = async () => {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return queue.shift();
    };
    return { conn, peer, received };
  }

  it('correlates replies by id, even out of order', async () => {
    const { conn, peer, received } = await pair();
    const a = conn.request('list_dbs', []);
    const b = conn.request('get_schema', ['x']);
    const ra = (await received()) as { id: number };
    const rb = (await received()) as { id: number };
    peer.write(JSON.stringify({ id: rb.id, result: 'B', error: null }) + JSON.stringify({ id: ra.id, result: ['A'], error: null }));
    await expect(a).resolves.toEqual(['A']);
    await expect(b).resolves.toBe('B');
    conn.close();
  });

  it('turns an error reply into OvsdbRpcError', async () => {
    const { conn, peer, received } = await pair();
    const p = conn.request('get_schema', ['nope']);
    const r = (await received()) as { id: number };
    peer.write(JSON.stringify({ id: r.id, result: null, error: { error: 'unknown database', details: 'nope' } }));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OvsdbRpcError);
    expect((err as OvsdbRpcError).errorString).toBe('unknown database');
    conn.close();
  });

  it("answers the peer's echo with its params", async () => {
    const { conn, peer, received } = await pair();
    peer.write('{"method":"echo","params":["hi"],"id":"echo"}');
    expect(await received()).toEqual({ result: ['hi'], error: null, id: 'echo' });
    conn.close();
  });

  it('sends keepalive echoes and closes after dead time', async () => {
    const { conn, received } = await pair({ echoInterval: 50, deadTime: 300 });
    expect(await received()).toMatchObject({ method: 'echo', params: [] });
    const closed = await new Promise<OvsdbConnectionError | undefined>((r) => conn.once('close', r));
    expect(closed?.message).toMatch(/dead time/);
  });

  it('closes on garbage and fails pending requests with OvsdbConnectionError', async () => {
    const { conn, peer } = await pair();
    const errors: unknown[] = [];
    conn.on('error', (e) => errors.push(e));
    const p = conn.request('list_dbs', []);
    peer.write('this is not json');
    await expect(p).rejects.toBeInstanceOf(OvsdbConnectionError);
    expect(errors[0]).toMatchObject({ code: 'OVSDB_FRAMING' });
    expect(conn.isClosed).toBe(true);
  });

  it('fails pending requests when the peer hangs up mid-value', async () => {
    const { conn, peer } = await pair();
    const p = conn.request('list_dbs', []);
    peer.end('{"id":1,"res');
    await expect(p).rejects.toBeInstanceOf(OvsdbConnectionError);
  });

  it('times out a request', async () => {
    const { conn } = await pair();
    await expect(conn.request('list_dbs', [], { timeout: 50 })).rejects.toMatchObject({ code: 'OVSDB_TIMEOUT' });
    conn.close();
  });
});
