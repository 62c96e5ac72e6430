// Liveness links between members over real TCP on loopback addresses (127.0.0.x, one port, as
// members share one in a lab): up both ways, plain and over TLS; over TLS, refused from a peer of
// another authority (never counted up, on neither end), from one of the right authority that is
// no member, and towards an address where another member than the one meant answers.
import { createServer, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.ts';
import { makeTestPki, type TestPki } from '../../../test/support/pki.ts';
import type { Authority } from '../../pki/index.ts';
import { DEAD_MS, Liveness } from './liveness.ts';

const ip = (name: string) => `127.0.0.${Number(name.replace(/\D/g, ''))}`;

describe('liveness links between members', () => {
  let pki: TestPki;
  let port = 0;
  const running: Liveness[] = [];
  beforeAll(async () => {
    pki = await makeTestPki();
  });
  afterEach(async () => {
    for (const l of running.splice(0)) await l.close();
  });

  /** Member `name` of `members` at 127.0.0.N; over TLS with a certificate of `authority` for
   *  `certName` (default its own name). */
  async function member(name: string, members: string[], tls?: { authority: Authority; certName?: string }) {
    port ||= await freePort();
    const peers = new Map(members.filter((m) => m !== name).map((m) => [m, ip(m)]));
    const holder = tls && (await pki.issue(tls.authority, tls.certName ?? name));
    const liveness = await Liveness.start(peers, {
      port,
      host: ip(name),
      ...(holder ? { tls: { key: holder.key, cert: holder.cert, ca: pki.controllers.certificate, peerNames: [...peers.keys()] } } : {}),
    });
    running.push(liveness);
    const refused: string[] = [];
    liveness.on('refused', (peer, reason) => refused.push(`${peer}: ${reason}`));
    return { liveness, refused };
  }

  const until = async (what: string, check: () => boolean, ms = 3000) => {
    for (const end = Date.now() + ms; !check();) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('links two members both ways, in the clear and over TLS', async () => {
    for (const tls of [undefined, { authority: pki.controllers }]) {
      const a = await member('ctrl1', ['ctrl1', 'ctrl2'], tls);
      const b = await member('ctrl2', ['ctrl1', 'ctrl2'], tls);
      await until('both links up', () => a.liveness.isUp('ctrl2') && b.liveness.isUp('ctrl1'));
      expect([a.refused, b.refused]).toEqual([[], []]);
      for (const l of running.splice(0)) await l.close();
    }
  });

  it('never counts up a peer of another authority, on either end, and says why', async () => {
    const members = ['ctrl1', 'ctrl2', 'ctrl3'];
    const a = await member('ctrl1', members, { authority: pki.controllers });
    const b = await member('ctrl2', members, { authority: pki.controllers });
    const rogue = await member('ctrl3', members, { authority: pki.rogue });
    await until('ctrl1 and ctrl2 linked', () => a.liveness.isUp('ctrl2') && b.liveness.isUp('ctrl1'));
    await until('refusals both ways', () => a.refused.length >= 2);
    await new Promise((r) => setTimeout(r, 1000)); // several reconnects of every link
    expect(a.liveness.upPeers()).toEqual(['ctrl2']);
    expect(b.liveness.upPeers()).toEqual(['ctrl1']);
    expect(rogue.liveness.upPeers()).toEqual([]);
    expect(a.refused).toContain('127.0.0.3: TLS: certificate refused (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(a.refused.some((r) => /^ctrl3: TLS: .*(unable to verify|self-signed)/i.test(r))).toBe(true);
    // Said once per peer and reason, not at every reconnect.
    expect(new Set(a.refused).size).toBe(a.refused.length);
  });

  it('refuses a link from a holder of the right authority that is no member', async () => {
    const a = await member('ctrl1', ['ctrl1', 'ctrl9'], { authority: pki.controllers });
    const stranger = await member('ctrl9', ['ctrl1', 'ctrl9'], { authority: pki.controllers, certName: 'hv9' });
    await until('the refusal', () => a.refused.some((r) => r.startsWith('127.0.0.9:')));
    await new Promise((r) => setTimeout(r, 500));
    expect(a.refused).toContain('127.0.0.9: peer shows the certificate of "hv9", not one of "ctrl9"');
    expect(a.liveness.upPeers()).toEqual([]);
    expect(stranger.liveness.upPeers()).toEqual([]);
  });

  it('refuses to count a member up when another member answers at its address', async () => {
    // ctrl1 believes ctrl2 is at 127.0.0.2, where ctrl3's certificate answers.
    const a = await member('ctrl1', ['ctrl1', 'ctrl2'], { authority: pki.controllers });
    await member('ctrl2', ['ctrl1', 'ctrl2'], { authority: pki.controllers, certName: 'ctrl3' });
    await until('the refusal', () => a.refused.some((r) => r.startsWith('ctrl2:')));
    await new Promise((r) => setTimeout(r, 500));
    expect(a.refused).toContain('ctrl2: TLS: peer shows the certificate of "ctrl3", not one of "ctrl2"');
    expect(a.liveness.upPeers()).toEqual([]);
  });

  it('keeps its links through its own stall, and drops a peer that stops echoing within the dead time', async () => {
    const a = await member('ctrl1', ['ctrl1', 'ctrl2', 'ctrl3']);
    await member('ctrl2', ['ctrl1', 'ctrl2', 'ctrl3']);
    // ctrl3's address takes the connection but never echoes: a peer that hangs.
    const held = new Set<Socket>();
    const mute = createServer((socket) => held.add(socket));
    await new Promise<void>((resolve) => mute.listen(port, ip('ctrl3'), resolve));
    try {
      await until('ctrl1 linked to ctrl2', () => a.liveness.isUp('ctrl2'));
      const downs: { peer: string; afterMs: number }[] = [];
      let up = new Set(a.liveness.upPeers());
      let since = Date.now();
      a.liveness.on('change', () => {
        for (const peer of up) if (!a.liveness.isUp(peer)) downs.push({ peer, afterMs: Date.now() - since });
        up = new Set(a.liveness.upPeers());
      });
      await until('ctrl3 counted up at its connect, then dropped', () => downs.length > 0);
      expect(downs[0]!.peer).toBe('ctrl3');
      // The whole process (both members) stalls for longer than the dead time.
      since = Date.now();
      while (Date.now() - since < DEAD_MS + 1000);
      downs.length = 0;
      await new Promise((r) => setTimeout(r, DEAD_MS + 500));
      expect(a.liveness.isUp('ctrl2')).toBe(true);
      expect(downs.filter((d) => d.peer === 'ctrl2')).toEqual([]);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  }, 20_000);
});
