// A SimulatedSwitch over real sockets (127.0.0.1): its handshake with our controller, flow stats
// split into parts, TLS, reconnecting after the controller goes, the inactivity probe, and a
// controller that speaks another OpenFlow version.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../../test/support/pki.ts';
import { act, flowMod, inst, OpenFlowController, type OfMessage } from '../../openflow/index.ts';
import { OpenFlowParser } from '../../openflow/parser.ts';
import { serialize } from '../../openflow/serializer.ts';
import { serverTlsOptions } from '../../util/tls.ts';
import { SimulatedSwitch } from './switch.ts';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function controller(options: ConstructorParameters<typeof OpenFlowController>[0] = {}, port = 0) {
  const c = new OpenFlowController({ requestTimeout: 10_000, ...options });
  const bound = await c.listen(port);
  cleanups.push(() => c.close());
  return { c, port: bound };
}

function simulated(datapathId: bigint, targets: string[], options: { inactivityProbe?: number } = {}) {
  const sw = new SimulatedSwitch({ datapathId, ...options });
  cleanups.push(() => sw.close());
  sw.connect(targets);
  return sw;
}

/** A controller that only says HELLO (with `versions`) and records what the switch sends. */
async function mute(versions: number[]): Promise<{ port: number; got: OfMessage[]; connections: () => number }> {
  const got: OfMessage[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    const parser = new OpenFlowParser();
    socket.on('data', (chunk) => parser.feed(chunk, (r) => r.ok && got.push(r.message)));
    socket.on('error', () => {});
    socket.write(serialize({ type: 'hello', xid: 1, version: Math.max(...versions), versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    sockets.forEach((s) => s.destroy());
    return new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, got, connections: () => connections };
}

const until = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error('timed out');
  }
};

describe('SimulatedSwitch', () => {
  it('hands 3,000 flows back in several flow-stats parts (MORE), counts flow-mods per connection, says when it changed', async () => {
    const { c, port } = await controller();
    const sw = simulated(0x21n, [`tcp:127.0.0.1:${port}`]);
    const conn = await c.waitForSwitch({ datapathId: 0x21n, timeout: 5000 });
    expect((await conn.echo(Buffer.from('ping'))).toString()).toBe('ping');
    let changed = 0;
    sw.on('changed', () => (changed += 1));
    const flows = Array.from({ length: 3000 }, (_, i) =>
      flowMod({
        tableId: 20,
        priority: 10,
        cookie: BigInt(i),
        match: [{ field: 'reg2', value: i }],
        instructions: [inst.apply(act.output(1))],
      }),
    );
    await conn.install(flows);
    let parts = 0;
    conn.on('message', (m) => m.type === 'multipart_reply' && (parts += 1));
    const stats = await conn.flowStats();
    expect(stats).toHaveLength(3000);
    expect(new Set(stats.map((f) => f.cookie)).size).toBe(3000);
    expect(parts).toBeGreaterThan(1);
    expect(sw.flowCount).toBe(3000);
    expect(sw.hasFlow({ ...flows[77]!, idleTimeout: 0, hardTimeout: 0 })).toBe(true);
    expect(sw.hasFlow({ ...flows[77]!, instructions: [inst.apply(act.output(2))] })).toBe(false);
    expect(changed).toBeGreaterThan(0);
    expect(sw.connections()).toMatchObject([{ connected: true, role: 'equal', flowMods: 3000, refused: 0, connects: 1 }]);
  });

  it('connects again within its backoff once the controller is back, and keeps its flows meanwhile', async () => {
    const first = await controller();
    const sw = simulated(0x22n, [`tcp:127.0.0.1:${first.port}`]);
    const conn = await first.c.waitForSwitch({ datapathId: 0x22n, timeout: 5000 });
    await conn.install([flowMod({ tableId: 1, priority: 1 })]);
    const gone = new Promise((resolve) => sw.once('disconnected', resolve));
    await first.c.close();
    await gone;
    const again = await controller({}, first.port);
    const t0 = Date.now();
    const conn2 = await again.c.waitForSwitch({ datapathId: 0x22n, timeout: 5000 });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(await conn2.flowStats()).toHaveLength(1);
    expect(sw.connections()[0]!.connects).toBe(2);
  });

  it('over TLS (ssl:), showing its certificate to a controller that asks for one', async () => {
    const pki = await makeTestPki();
    const [ctrl, node] = await Promise.all([pki.issue(pki.controllers, 'ctrl1'), pki.issue(pki.nodes, 'hv9')]);
    const { c, port } = await controller({ tls: serverTlsOptions({ ...ctrl, ca: pki.nodes.certificate }) });
    const sw = new SimulatedSwitch({ datapathId: 0x23n });
    cleanups.push(() => sw.close());
    sw.connect([`ssl:127.0.0.1:${port}`], { ...node, ca: pki.controllers.certificate });
    const conn = await c.waitForSwitch({ datapathId: 0x23n, timeout: 5000 });
    expect(conn.peerCommonName).toBe('hv9');
  });

  it('probes a silent controller with an echo, and drops it when the probe goes unanswered', async () => {
    const quiet = await mute([4]);
    const sw = simulated(0x24n, [`tcp:127.0.0.1:${quiet.port}`], { inactivityProbe: 1000 });
    await until(() => quiet.got.some((m) => m.type === 'echo_request'), 4000);
    await until(() => quiet.connections() === 2, 5000);
    expect(sw.connections()[0]!.lastError).toMatch(/inactivity probe/);
    // The waits' own bounds, not vitest's 5 s default: a loaded host took just past 5 s.
  }, 12_000);

  it('refuses a controller without OpenFlow 1.3 (HELLO_FAILED/INCOMPATIBLE) and hangs up', async () => {
    const old = await mute([1]);
    simulated(0x25n, [`tcp:127.0.0.1:${old.port}`]);
    await until(() => old.got.some((m) => m.type === 'error'), 3000);
    const error = old.got.find((m) => m.type === 'error');
    expect(error).toMatchObject({ errorType: 0, errorCode: 0 });
    expect(old.got.some((m) => m.type === 'features_reply')).toBe(false);
  });
});
