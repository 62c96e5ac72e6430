// ssl: and pssl: between our own ends over real TCP, with certificates of src/pki: who is
// accepted (a certificate of the authority each end trusts, and, when named, the peer expected),
// who is refused (another authority's certificate, none, the wrong name), and that peers stuck in
// their handshake neither stall a good one nor stay for ever.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, type Holder, type TestPki } from '../../test/support/pki.ts';
import type { JsonRpcConnection } from './jsonrpc.ts';
import { OvsdbListener } from './listener.ts';
import { connectRemote } from './session.ts';
import type { TlsCredentials } from '../util/tls.ts';

describe('OVSDB over TLS (ssl:, pssl:)', () => {
  let pki: TestPki;
  let server: Holder;
  let client: Holder;
  const listeners: OvsdbListener[] = [];
  const open: JsonRpcConnection[] = [];
  beforeAll(async () => {
    pki = await makeTestPki();
    [server, client] = await Promise.all([pki.issue(pki.controllers, 'ctrl1'), pki.issue(pki.nodes, 'hv1')]);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    for (const l of listeners.splice(0)) await l.close();
  });

  /** A pssl: listener answering every request; what it accepted and refused. */
  async function listen(tls: Partial<TlsCredentials> = {}) {
    const listener = await OvsdbListener.listen('pssl:0:127.0.0.1', {
      tls: { key: server.key, cert: server.cert, ca: pki.nodes.certificate, ...tls },
    });
    listeners.push(listener);
    const accepted: JsonRpcConnection[] = [];
    const refused: string[] = [];
    listener.on('connection', (conn) => {
      accepted.push(conn);
      conn.on('request', (req) => conn.reply(req.id, ['pong', conn.peerCommonName]));
    });
    listener.on('refused', (_peer, reason) => refused.push(reason.message));
    return { remote: `ssl:127.0.0.1:${listener.port}`, port: listener.port!, accepted, refused };
  }

  const as = (holder: Holder, ca: string, extra: Partial<TlsCredentials> = {}): TlsCredentials => ({
    key: holder.key,
    cert: holder.cert,
    ca,
    ...extra,
  });

  async function settle(check: () => boolean, ms = 3000): Promise<void> {
    for (const end = Date.now() + ms; !check() && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  }

  it('connects with certificates of the trusted authorities, each end seeing the other by name', async () => {
    const l = await listen();
    const conn = await connectRemote(l.remote, { tls: as(client, pki.controllers.certificate) });
    open.push(conn);
    expect(conn.peerCommonName).toBe('ctrl1');
    expect(await conn.request('ping', [])).toEqual(['pong', 'hv1']);
    expect(l.accepted.map((c) => c.peerCommonName)).toEqual(['hv1']);
    expect(l.refused).toEqual([]);
  });

  it("refuses a client with another authority's certificate, and one with none", async () => {
    const l = await listen();
    const rogue = await pki.issue(pki.rogue, 'hv1');
    const tried = await connectRemote(l.remote, { tls: as(rogue, pki.controllers.certificate) }).then(
      (c) => new Promise<string>((r) => c.once('close', (e) => r(e?.message ?? 'closed'))),
      (e: Error) => e.message,
    );
    expect(tried).toBeTruthy();
    const bare = tlsConnect({ host: '127.0.0.1', port: l.port, ca: pki.controllers.certificate, checkServerIdentity: () => undefined });
    bare.on('error', () => {});
    bare.resume();
    await new Promise((r) => bare.once('close', r));
    await settle(() => l.refused.length >= 2);
    expect(l.accepted).toEqual([]);
    expect(l.refused).toHaveLength(2);
    expect(l.refused.join('\n')).toMatch(/TLS: certificate refused \(UNABLE_TO_/);
    expect(l.refused.join('\n')).toMatch(/TLS: .*peer did not return a certificate/);
  });

  it('refuses a server of another authority, and one that is not the peer named', async () => {
    const l = await listen();
    await expect(connectRemote(l.remote, { tls: as(client, pki.rogue.certificate) })).rejects.toThrow(/self-signed|unable to (get|verify)/);
    await expect(
      connectRemote(l.remote, { tls: as(client, pki.controllers.certificate, { peerNames: ['ctrl2', 'ctrl3'] }) }),
    ).rejects.toThrow('peer shows the certificate of "ctrl1", not one of "ctrl2", "ctrl3"');
    const named = await connectRemote(l.remote, { tls: as(client, pki.controllers.certificate, { peerNames: ['ctrl1'] }) });
    open.push(named);
    expect(named.peerCommonName).toBe('ctrl1');
  });

  it('refuses a client of the right authority whose name is not among the peers it takes', async () => {
    const l = await listen({ peerNames: ['hv2'] });
    const conn = await connectRemote(l.remote, { tls: as(client, pki.controllers.certificate) });
    await new Promise((r) => (conn.isClosed ? r(undefined) : conn.once('close', r)));
    await settle(() => l.refused.length > 0);
    expect(l.accepted).toEqual([]);
    expect(l.refused).toEqual(['peer shows the certificate of "hv1", not one of "hv2"']);
  });

  it('drops peers stuck in their handshake after its timeout, answering a good client meanwhile', async () => {
    const l = await listen({ handshakeTimeout: 800 });
    const silent = tcpConnect(l.port, '127.0.0.1');
    // A ClientHello's first bytes, one a second: the handshake never completes.
    const drip = tcpConnect(l.port, '127.0.0.1');
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]);
    let i = 0;
    const timer = setInterval(() => i < hello.length && !drip.destroyed && drip.write(hello.subarray(i, ++i)), 1000);
    const closed = [silent, drip].map((s) => {
      s.on('error', () => {});
      const t = Date.now();
      return new Promise<number>((r) => s.once('close', () => r(Date.now() - t)));
    });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const good = await connectRemote(l.remote, { tls: as(client, pki.controllers.certificate) });
    open.push(good);
    expect(await good.request('ping', [])).toEqual(['pong', 'hv1']);
    expect(Date.now() - t0).toBeLessThan(1000);
    const lasted = await Promise.all(closed);
    clearInterval(timer);
    for (const ms of lasted) {
      expect(ms).toBeGreaterThanOrEqual(700);
      expect(ms).toBeLessThan(3000);
    }
    await settle(() => l.refused.length >= 2);
    expect(l.refused.filter((r) => /TLS: .*(timeout|timed out)/i.test(r))).toHaveLength(2);
  });
});
