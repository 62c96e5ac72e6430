// A simulated node's manager connections, against scripted members (the OVSDB library's passive
// listener, raw requests): ovsdb-server's answers and errors, monitor_cond_since and update3,
// monitor_cancel, locks across two members, a wait held until a change lets it through, probes
// of a silent member, and a member that breaks the protocol.
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OvsdbListener, type OvsdbRpcError, type JsonRpcConnection, type JsonRpcNotification } from '../../ovsdb/index.ts';
import { SimulatedOvsdb } from './simulated-ovsdb.ts';
import { NO_TXN } from './rpc.ts';

const until = async (what: string, probe: () => unknown, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("a simulated node's manager connections", () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  /** A member: a listener, and the connection the node makes to it (with what it is sent). */
  async function member() {
    const listener = await OvsdbListener.listen('ptcp:0:127.0.0.1');
    cleanup.push(() => listener.close());
    const conns: JsonRpcConnection[] = [];
    const notes: JsonRpcNotification[] = [];
    listener.on('connection', (c) => {
      conns.push(c);
      c.on('notification', (n) => notes.push(n));
    });
    return { target: `tcp:127.0.0.1:${listener.port}`, conns, notes, conn: () => conns.at(-1)! };
  }
  function node(extra: Partial<ConstructorParameters<typeof SimulatedOvsdb>[0]> = {}) {
    const sim = new SimulatedOvsdb({ systemId: 'hv1', datapathId: 1n, underlayIp: '192.0.2.1', backoffMs: 50, ...extra });
    cleanup.push(() => sim.close());
    return sim;
  }
  const rpcError = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: OvsdbRpcError) => e.error,
    );

  it('answers as ovsdb-server: databases, schema, unknown ones, unknown methods', async () => {
    const m = await member();
    node().connect([m.target]);
    await until('the connection', () => m.conns.length === 1);
    expect(await m.conn().request('list_dbs', [])).toEqual(['Open_vSwitch']);
    const schema = (await m.conn().request('get_schema', ['Open_vSwitch'])) as { name: string; tables: Record<string, unknown> };
    expect(schema.name).toBe('Open_vSwitch');
    expect(Object.keys(schema.tables)).toContain('Interface');
    expect(await rpcError(m.conn().request('get_schema', ['Nope']))).toEqual({
      syntax: '["Nope"]',
      details: 'get_schema request specifies unknown database Nope',
      error: 'unknown database',
    });
    expect(await rpcError(m.conn().request('frobnicate', [1]))).toBe('unknown method');
    expect(await m.conn().request('echo', ['a', 1])).toEqual(['a', 1]);
  });

  it('serves monitor_cond_since with update3, refuses a duplicate id, and cancels', async () => {
    const m = await member();
    const sim = node();
    sim.connect([m.target]);
    await until('the connection', () => m.conns.length === 1);
    const request = { Open_vSwitch: [{ columns: ['external_ids'] }] };
    const reply = (await m.conn().request('monitor_cond_since', ['Open_vSwitch', 'm1', request, NO_TXN])) as [
      boolean,
      string,
      Record<string, unknown>,
    ];
    expect(reply[0]).toBe(false);
    expect(reply[1]).toBe(NO_TXN);
    expect(Object.keys(reply[2])).toEqual(['Open_vSwitch']);
    expect(await rpcError(m.conn().request('monitor_cond', ['Open_vSwitch', 'm1', request]))).toEqual({
      syntax: '"m1"',
      details: 'duplicate monitor ID',
      error: 'syntax error',
    });
    sim.transact([{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['external_ids', 'insert', ['map', [['x', 'y']]]]] }]);
    await until('the update', () => m.notes.length === 1);
    expect(m.notes[0]!.method).toBe('update3');
    const [id, txn, updates] = m.notes[0]!.params as [string, string, Record<string, Record<string, { modify: unknown }>>];
    expect([id, txn]).toEqual(['m1', NO_TXN]);
    expect(Object.values(updates.Open_vSwitch!)[0]).toEqual({ modify: { external_ids: ['map', [['x', 'y']]] } });
    expect(await m.conn().request('monitor_cancel', ['m1'])).toEqual({});
    expect(await rpcError(m.conn().request('monitor_cancel', ['m1']))).toBe('unknown monitor');
    sim.transact([{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['external_ids', 'insert', ['map', [['z', 'y']]]]] }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(m.notes).toHaveLength(1);
  });

  it('hands a lock from member to member, and lets only its holder assert it', async () => {
    const [a, b] = [await member(), await member()];
    node().connect([a.target, b.target]);
    await until('both connections', () => a.conns.length === 1 && b.conns.length === 1);
    const assert = (m: typeof a) => m.conn().request('transact', ['Open_vSwitch', { op: 'assert', lock: 'L' }]);
    expect(await a.conn().request('lock', ['L'])).toEqual({ locked: true });
    expect(await b.conn().request('lock', ['L'])).toEqual({ locked: false });
    expect(await assert(a)).toEqual([{}]);
    expect(await assert(b)).toEqual([{ details: 'Asserted lock L not held.', error: 'not owner' }]);
    expect(await a.conn().request('unlock', ['L'])).toEqual({});
    await until('locked', () => b.notes.some((n) => n.method === 'locked'));
    expect(await a.conn().request('steal', ['L'])).toEqual({ locked: true });
    await until('stolen', () => b.notes.some((n) => n.method === 'stolen'));
    expect(await assert(a)).toEqual([{}]);
  });

  it('holds a transaction whose wait does not hold yet, until a change lets it through or its timeout passes', async () => {
    const m = await member();
    const sim = node();
    sim.connect([m.target]);
    await until('the connection', () => m.conns.length === 1);
    const wait = (timeout: number) => ({
      op: 'wait',
      table: 'Open_vSwitch',
      where: [],
      columns: ['next_cfg'],
      until: '==',
      rows: [{ next_cfg: 5 }],
      timeout,
    });
    const held = m
      .conn()
      .request('transact', [
        'Open_vSwitch',
        wait(10_000),
        { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
      ]);
    const late = m.conn().request('transact', ['Open_vSwitch', wait(100)]);
    expect(await late).toEqual([{ details: '"where" clause test failed', error: 'timed out' }]);
    let answered = false;
    void held.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    sim.transact([{ op: 'update', table: 'Open_vSwitch', where: [], row: { next_cfg: 5 } }]);
    expect(await held).toEqual([{}, { count: 1 }]);
    expect(sim.dump('Open_vSwitch')[0]!.next_cfg).toBe(6);
  });

  it('probes a silent member and drops it, keeps one that answers, and drops one that breaks the protocol', async () => {
    const silent: Socket[] = [];
    const server = createServer((s) => silent.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    cleanup.push(() => silent.forEach((s) => s.destroy()));
    const port = (server.address() as { port: number }).port;
    const answering = await member();
    const sim = node({ probeIntervalMs: 100 });
    sim.connect([`tcp:127.0.0.1:${port}`, answering.target]);
    // Echo after 100 ms of silence, gone after 200, back 50 ms later: several connections.
    await until('reconnects', () => silent.length >= 3, 3000);
    expect(answering.conns).toHaveLength(1);
    expect(answering.conns[0]!.isClosed).toBe(false);
    answering.conns[0]!.notify('garbage', []); // a notification is fine...
    await new Promise((r) => setTimeout(r, 50));
    expect(answering.conns).toHaveLength(1);
    const raw = (answering.conns[0] as unknown as { stream: Socket }).stream;
    raw.write('{"method": 12}'); // ...a message that is not JSON-RPC is not
    await until('a new connection', () => answering.conns.length === 2);
  });
});
