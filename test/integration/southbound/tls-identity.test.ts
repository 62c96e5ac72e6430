// A member's southbound over TLS against real switches (each node a network namespace with its
// own ovs-vswitchd, its ovsdb-server beside the test), certificates made by src/pki as a lab
// makes them: the member listens as it does with NVLAB_TLS=1 (OVSDB pssl: and OpenFlow over TLS,
// trusting the nodes' authority only, the identity guard on). Switches with their own
// certificates are their nodes; one holding hv1's certificate that says it is hv2 (system-id,
// and hv2's datapath id) gets no OVSDB session and its OpenFlow connection is dropped, never
// hv2's switch; one of another authority gets neither; and peers stuck in the TLS handshake or
// dripping bytes do not hold up a switch connecting beside them.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { startOpenFlow } from '../../../src/controller/southbound/programmer.ts';
import { guardSwitchIdentities, switchOf } from '../../../src/controller/southbound/switch-identity.ts';
import type { OpenFlowController } from '../../../src/openflow/index.ts';
import type { Authority } from '../../../src/pki/index.ts';
import { freePort, until } from '../../support/southbound-node.ts';
import { makeTestPki, writeHolder, type Holder, type TestPki } from '../../support/pki.ts';
import { NetnsLab, type OvsNode } from '../pipeline/netns-nodes.ts';

describe("a member's southbound over TLS, against real switches", () => {
  const net = new NetnsLab();
  let pki: TestPki;
  let dir: string;
  let sessions: NodeSessions;
  let openflow: OpenFlowController;
  let ovsdbPort = 0;
  let ofPort = 0;
  let underlayNs = '';
  let n = 0;
  const log: string[] = [];
  const refused: string[] = [];
  const holders = new Map<string, Holder>();

  beforeAll(async () => {
    pki = await makeTestPki();
    dir = await mkdtemp(join(tmpdir(), 'nvlab-sb-tls-'));
    const member = await pki.issue(pki.controllers, 'ctrl1');
    const tls = { key: member.key, cert: member.cert, ca: pki.nodes.certificate };
    [ovsdbPort, ofPort] = [await freePort(), await freePort()];
    sessions = await NodeSessions.listen(ovsdbPort, { tls });
    openflow = await startOpenFlow(ofPort, tls);
    guardSwitchIdentities(sessions, openflow, (line) => log.push(line));
    sessions.on('refused', (_peer, reason) => refused.push(`ovsdb: ${reason.message}`));
    openflow.on('refused', (_peer, reason) => refused.push(`openflow: ${reason.message}`));
    underlayNs = await net.ns('ul');
    await net.bridge(underlayNs, 'underlay');
  }, 60_000);

  afterAll(async () => {
    await net.destroy();
    await openflow?.close();
    await sessions?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A switch in namespace `ns` holding `certName`'s certificate of `authority` (one per name,
   *  as a lab issues them), trusting the controllers' authority. */
  async function node(
    ns: string,
    certName: string,
    dpid: bigint,
    options: { authority?: Authority; systemId?: string } = {},
  ): Promise<OvsNode> {
    const authority = options.authority ?? pki.nodes;
    const key = `${certName}/${authority.subject}`;
    if (!holders.has(key)) holders.set(key, await pki.issue(authority, certName));
    const ssl = await writeHolder(await mkdtemp(join(dir, `${ns}-`)), holders.get(key)!, pki.controllers);
    n += 1;
    return net.node(
      ns,
      {
        underlayIp: `172.30.9.${10 + n}`,
        underlayNs,
        underlayBridge: 'underlay',
        dpid,
        ovsdbPort,
        ofPort,
        ssl,
        ...(options.systemId ? { systemId: options.systemId } : {}),
      },
      async () => {},
    );
  }

  const connectedAs = (node: string) => switchOf(sessions, openflow.connections, node);

  it('takes each switch for the node its certificate names, over OVSDB and OpenFlow', async () => {
    await node('hv1', 'hv1', 0x101n);
    await node('hv2', 'hv2', 0x102n);
    for (const [name, dpid] of [
      ['hv1', 0x101n],
      ['hv2', 0x102n],
    ] as const) {
      await until(`${name}'s session and switch`, () => sessions.datapathId(name) === dpid && connectedAs(name), 30_000);
      expect(sessions.view(name)!.client.peerCommonName).toBe(name);
      expect(connectedAs(name)!.peerCommonName).toBe(name);
    }
    expect(refused).toEqual([]);
    expect(log).toEqual([]);
  });

  it("refuses a switch with hv1's certificate that says it is hv2, and drops its OpenFlow connection with hv2's datapath", async () => {
    const hv2Session = sessions.view('hv2');
    const hv2Switch = connectedAs('hv2');
    const imposter = await node('imp', 'hv1', 0x102n, { systemId: 'hv2' });
    await until('the refusal', () => refused.some((r) => r.includes('says it is "hv2"')), 30_000);
    await until('the dropped connection', () => log.length > 0, 30_000);
    expect(refused).toContain('ovsdb: a switch with the certificate of "hv1" says it is "hv2" (external_ids:system-id)');
    expect(log[0]).toMatch(/^openflow: dropped 169\.254\.77\.\d+:\d+: datapath 0000000000000102 is hv2's, its certificate names "hv1"$/);
    // hv2 stays itself: its session and its switch, never the imposter's.
    for (let i = 0; i < 20; i++) {
      expect(sessions.view('hv2')).toBe(hv2Session);
      expect(connectedAs('hv2')).toBe(hv2Switch);
      expect(openflow.connections.filter((c) => c.peerCommonName === 'hv1').map((c) => c.datapathId)).toEqual([0x101n]);
      await new Promise((r) => setTimeout(r, 100));
    }
    // It would go on trying; the next tests count refusals of their own.
    await imposter.ovs.vsctl('del-manager');
    await imposter.killVswitchd();
  });

  it('gives a switch of another authority, or a peer without a certificate, neither an OVSDB session nor an OpenFlow connection', async () => {
    const before = refused.length;
    const views = sessions.nodes().length;
    await node('rg', 'hv3', 0x103n, { authority: pki.rogue });
    const fresh = () => refused.slice(before);
    await until(
      'both refusals',
      () => fresh().some((r) => r.startsWith('ovsdb:')) && fresh().some((r) => r.startsWith('openflow:')),
      30_000,
    );
    expect(fresh().every((r) => /^(ovsdb|openflow): TLS: certificate refused \(UNABLE_TO_/.test(r))).toBe(true);
    for (const port of [ovsdbPort, ofPort]) {
      const bare = tlsConnect({ host: '127.0.0.1', port, ca: pki.controllers.certificate, checkServerIdentity: () => undefined });
      bare.on('error', () => {});
      bare.resume();
      await new Promise((r) => bare.once('close', r));
    }
    await until(
      'the refusals of peers without a certificate',
      () => fresh().filter((r) => /peer did not return a certificate/.test(r)).length === 2,
    );
    expect(sessions.nodes()).toHaveLength(views);
    expect(sessions.view('hv3')).toBeUndefined();
    expect(openflow.connections.some((c) => c.datapathId === 0x103n)).toBe(false);
  });

  it('serves a switch connecting beside peers stuck in the TLS handshake or dripping a byte a second', async () => {
    const stuck: Socket[] = [];
    const drips: NodeJS.Timeout[] = [];
    for (const port of [ovsdbPort, ofPort]) {
      const silent = tcpConnect(port, '127.0.0.1');
      // The first bytes of a ClientHello, one a second.
      const slow = tcpConnect(port, '127.0.0.1');
      const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x00]);
      let i = 0;
      drips.push(setInterval(() => i < hello.length && !slow.destroyed && slow.write(hello.subarray(i, ++i)), 1000));
      stuck.push(silent, slow);
    }
    // Past the handshake, an OVSDB peer with a good certificate that sends a byte a second.
    const hv1 = holders.get(`hv1/${pki.nodes.subject}`)!;
    const talker = tlsConnect({
      host: '127.0.0.1',
      port: ovsdbPort,
      key: hv1.key,
      cert: hv1.cert,
      ca: pki.controllers.certificate,
      checkServerIdentity: () => undefined,
    });
    let j = 0;
    const reply = Buffer.from('{"id":0,"result":{},"error":null}');
    drips.push(setInterval(() => j < reply.length && !talker.destroyed && talker.write(reply.subarray(j, ++j)), 1000));
    for (const s of [...stuck, talker]) s.on('error', () => {});
    const started = Date.now();
    await node('hv4', 'hv4', 0x104n);
    await until("hv4's session and switch", () => sessions.datapathId('hv4') === 0x104n && connectedAs('hv4'), 30_000);
    const took = Date.now() - started;
    // The stuck peers are still there (the handshake timeout is 10 s): they held nothing up.
    expect(took).toBeLessThan(8000);
    expect(stuck.every((s) => !s.destroyed)).toBe(true);
    for (const d of drips) clearInterval(d);
    for (const s of [...stuck, talker]) s.destroy();
  });
});
