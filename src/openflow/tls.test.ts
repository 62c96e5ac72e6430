// The OpenFlow listener over TLS, against our scripted switch (real TLS over TCP): each switch's
// certificate common name on its connection; a switch of another authority, or without a
// certificate, refused before it is a connection; peers stuck in the TLS handshake or dripping
// their HELLO a byte a second cut off in time while a good switch is served throughout.
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSwitch, type FakeSwitchOptions } from '../../test/fixtures/openflow/fake-switch.ts';
import { makeTestPki, type TestPki } from '../../test/support/pki.ts';
import { OpenFlowController } from './controller.ts';

const TLS_HANDSHAKE_MS = 800;
const HANDSHAKE_MS = 1200;

describe('the OpenFlow listener over TLS', () => {
  let pki: TestPki;
  let controller: OpenFlowController;
  let port = 0;
  const refused: string[] = [];
  const handshakeErrors: string[] = [];
  const switchOf = async (ca: 'nodes' | 'rogue', name: string, datapathId: bigint, options: FakeSwitchOptions = {}) => {
    const holder = await pki.issue(pki[ca], name);
    return FakeSwitch.connect(port, {
      ...options,
      datapathId,
      tls: { key: holder.key, cert: holder.cert, ca: pki.controllers.certificate, checkServerIdentity: () => undefined },
    });
  };
  beforeAll(async () => {
    pki = await makeTestPki();
    const me = await pki.issue(pki.controllers, 'ctrl1');
    controller = new OpenFlowController({
      handshakeTimeout: HANDSHAKE_MS,
      tls: {
        key: me.key,
        cert: me.cert,
        ca: pki.nodes.certificate,
        requestCert: true,
        rejectUnauthorized: true,
        handshakeTimeout: TLS_HANDSHAKE_MS,
      },
    });
    controller.on('refused', (_peer, reason) => refused.push(reason.message));
    controller.on('handshakeError', (err) => handshakeErrors.push(err.message));
    port = await controller.listen(0);
  });
  afterAll(() => controller.close());

  const settle = async (check: () => boolean, ms = 3000) => {
    for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  };

  it("gives each switch's connection the common name of its certificate", async () => {
    const sw = await switchOf('nodes', 'hv1', 0x11n);
    const conn = await controller.waitForSwitch({ datapathId: 0x11n, timeout: 5000 });
    expect(conn.peerCommonName).toBe('hv1');
    expect((await conn.echo(Buffer.from('x'))).toString()).toBe('x');
    sw.close();
  });

  it('refuses a switch of another authority and one without a certificate; neither becomes a switch', async () => {
    const before = refused.length;
    const seen: bigint[] = [];
    const onSwitch = (c: { datapathId: bigint | undefined }) => seen.push(c.datapathId!);
    controller.on('switch', onSwitch);
    const rogue = await switchOf('rogue', 'hv1', 0x12n).catch(() => undefined);
    const bare = await FakeSwitch.connect(port, {
      datapathId: 0x13n,
      tls: { ca: pki.controllers.certificate, checkServerIdentity: () => undefined },
    }).catch(() => undefined);
    await settle(() => refused.length >= before + 2);
    await new Promise((r) => setTimeout(r, 200));
    controller.off('switch', onSwitch);
    rogue?.close();
    bare?.close();
    expect(seen).toEqual([]);
    expect(refused.slice(before)).toHaveLength(2);
    expect(refused.slice(before).join('\n')).toMatch(/TLS: certificate refused \(UNABLE_TO_/);
    expect(refused.slice(before).join('\n')).toMatch(/TLS: .*peer did not return a certificate/);
  });

  it('cuts off a peer stuck in the TLS handshake and one dripping its HELLO, serving a good switch meanwhile', async () => {
    const before = refused.length;
    const stuck = tcpConnect(port, '127.0.0.1');
    stuck.on('error', () => {});
    const t0 = Date.now();
    const stuckGone = new Promise<number>((r) => stuck.once('close', () => r(Date.now() - t0)));
    // Past TLS, a HELLO a byte a second: the OpenFlow handshake timeout ends it.
    const slow = await switchOf('nodes', 'hv2', 0x14n, { hello: null, autoReply: false });
    const hello = Buffer.from([0x04, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01]);
    let i = 0;
    const drip = setInterval(() => i < hello.length && !slow.socket.destroyed && slow.socket.write(hello.subarray(i, ++i)), 1000);
    const slowGone = slow.closed.then(() => Date.now() - t0);
    const good = await switchOf('nodes', 'hv3', 0x15n);
    const conn = await controller.waitForSwitch({ datapathId: 0x15n, timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(conn.peerCommonName).toBe('hv3');
    const [stuckMs, slowMs] = await Promise.all([stuckGone, slowGone]);
    clearInterval(drip);
    good.close();
    expect(stuckMs).toBeGreaterThanOrEqual(TLS_HANDSHAKE_MS - 100);
    expect(stuckMs).toBeLessThan(TLS_HANDSHAKE_MS + 1500);
    expect(slowMs).toBeGreaterThanOrEqual(HANDSHAKE_MS - 100);
    expect(slowMs).toBeLessThan(HANDSHAKE_MS + 1500);
    expect(refused.slice(before)).toEqual(['TLS: TLS handshake timeout']);
    expect(handshakeErrors.some((e) => /timed out/.test(e))).toBe(true);
  });
});
