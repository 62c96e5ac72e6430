// OVSDB over TLS with real Open vSwitch, certificates made by src/pki as a lab makes them.
// Passive: real ovsdb-servers with an SSL row (ovs-vsctl set-ssl) and an ssl: manager connect to
// our pssl: listener: one with a certificate of the authority we trust is accepted and known by
// its certificate's name; one of another authority is refused; and an ovsdb-server refuses us
// when our certificate is not of the authority it trusts. Active: a 3-member Raft cluster whose
// clients and Raft peers all speak ssl: (as a lab's store does), which our client reaches with a
// member's certificate and not with a switch's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvsdbClient, OvsdbListener, clusterStatus, connectRemote, op, type TlsCredentials } from '../../../src/ovsdb/index.ts';
import type { Authority } from '../../../src/pki/index.ts';
import { startLocalOvs, type LocalOvs } from '../../support/local-ovs.ts';
import { makeTestPki, writeHolder, type Holder, type TestPki } from '../../support/pki.ts';
import { NVSTORE_DB, startLocalCluster, waitUntil, type LocalCluster } from './cluster-support.ts';

let pki: TestPki;
let dir: string;
beforeAll(async () => {
  pki = await makeTestPki();
  dir = await mkdtemp(join(tmpdir(), 'nvlab-ovsdb-tls-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const credentials = (holder: Holder, ca: Authority, extra: Partial<TlsCredentials> = {}): TlsCredentials => ({
  key: holder.key,
  cert: holder.cert,
  ca: ca.certificate,
  ...extra,
});

describe('real ovsdb-servers as ssl: managers of our pssl: listener', () => {
  let listener: OvsdbListener;
  const servers: LocalOvs[] = [];
  const accepted: { name: string | undefined; client: OvsdbClient }[] = [];
  const refused: string[] = [];

  beforeAll(async () => {
    const member = await pki.issue(pki.controllers, 'ctrl1');
    listener = await OvsdbListener.listen('pssl:0:127.0.0.1', { tls: credentials(member, pki.nodes) });
    listener.on('connection', (conn) => accepted.push({ name: conn.peerCommonName, client: OvsdbClient.fromConnection(conn) }));
    listener.on('refused', (_peer, reason) => refused.push(reason.message));
  });
  afterAll(async () => {
    for (const s of servers) await s.vsctl('del-manager').catch(() => {});
    for (const a of accepted) a.client.close();
    await listener?.close();
    for (const s of servers) await s.stop();
  });

  /** A database-only OVS holding `holder`'s certificate, trusting `trusts`, managed by us. */
  async function managed(holder: Holder, trusts: Authority): Promise<LocalOvs> {
    const ovs = await startLocalOvs({ vswitchd: false, ssl: true });
    servers.push(ovs);
    const files = await writeHolder(await mkdtemp(join(dir, 'ovs-')), holder, trusts);
    await ovs.vsctl('set-ssl', files.key, files.cert, files.ca);
    await ovs.vsctl('set-manager', `ssl:127.0.0.1:${listener.port}`);
    return ovs;
  }

  it("accepts a switch with a certificate of the nodes' authority, known by its name", async () => {
    const ovs = await managed(await pki.issue(pki.nodes, 'hv1'), pki.controllers);
    const hv1 = await waitUntil(() => accepted.find((a) => a.name === 'hv1'), 30_000, 'hv1 to connect');
    expect(await hv1.client.listDbs()).toContain('Open_vSwitch');
    await hv1.client.transact('Open_vSwitch', [op.mutate('Open_vSwitch', [], [['external_ids', 'insert', new Map([['over', 'tls']])]])]);
    expect(await ovs.vsctl('get', 'Open_vSwitch', '.', 'external_ids:over')).toBe('tls');
  });

  it('refuses a switch of another authority; a switch refuses a member it does not trust', async () => {
    const before = accepted.length;
    const rogue = await managed(await pki.issue(pki.rogue, 'hv2'), pki.controllers);
    // A genuine switch certificate, but a switch that trusts another authority than our member's.
    const wary = await managed(await pki.issue(pki.nodes, 'hv3'), pki.rogue);
    await waitUntil(() => refused.length >= 4, 30_000, 'both to be refused, twice each');
    expect(accepted.slice(before)).toEqual([]);
    expect(refused.some((r) => /^TLS: certificate refused \(UNABLE_TO_/.test(r))).toBe(true);
    // OVS's alert to us: it could not verify our certificate.
    expect(refused.some((r) => /unknown ca|certificate unknown|bad certificate/i.test(r))).toBe(true);
    for (const ovs of [rogue, wary]) expect(await ovs.vsctl('get', 'Manager', '.', 'is_connected')).toBe('false');
  });
});

describe('a Raft cluster over ssl: (clients and peers), as a lab store with TLS', () => {
  let cluster: LocalCluster;
  let member: Holder;
  let switchHolder: Holder;
  const clients: OvsdbClient[] = [];

  beforeAll(async () => {
    const certs = await Promise.all([0, 1, 2].map((i) => pki.issue(pki.controllers, `ctrl${i + 1}`)));
    const files = await Promise.all(certs.map(async (c) => writeHolder(await mkdtemp(join(dir, 'store-')), c, pki.controllers)));
    cluster = await startLocalCluster(3, { ssl: (i) => files[i]! });
    member = certs[0]!;
    switchHolder = await pki.issue(pki.nodes, 'hv1');
    const tls = credentials(member, pki.controllers);
    await waitUntil(
      async () => {
        const s = await clusterStatus(cluster.remotes, NVSTORE_DB, { tls });
        return s.every((m) => m.info?.connected) && s.filter((m) => m.info?.leader).length === 1;
      },
      60_000,
      'the cluster to form over ssl: and elect a leader',
    );
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await cluster?.stop();
  });

  it("serves a client with a member's certificate, the leader it follows shown by name", async () => {
    const c = OvsdbClient.connect(cluster.remotes, {
      database: NVSTORE_DB,
      leaderOnly: true,
      tls: credentials(member, pki.controllers, { peerNames: ['ctrl1', 'ctrl2', 'ctrl3'] }),
    });
    clients.push(c);
    await c.ready(20_000);
    expect(c.remote?.startsWith('ssl:127.0.0.1:')).toBe(true);
    expect(['ctrl1', 'ctrl2', 'ctrl3']).toContain(c.peerCommonName);
    const [ls] = await c.transact(NVSTORE_DB, [op.insert('Logical_Switch', { name: 'ls-tls', vni: 7001 })]);
    expect(ls!.uuid).toBeDefined();
  });

  it("refuses a switch's certificate on the client port and on the Raft port", async () => {
    const c = OvsdbClient.connect(cluster.remotes, {
      database: NVSTORE_DB,
      minBackoff: 50,
      tls: credentials(switchHolder, pki.controllers),
    });
    clients.push(c);
    await expect(c.ready(3000)).rejects.toThrow(/not connected/);
    expect(c.isConnected).toBe(false);
    const raft = cluster.members[0]!.raftRemote;
    const attempt = await connectRemote(raft, { tls: credentials(switchHolder, pki.controllers), requestTimeout: 3000 }).then(
      (conn) =>
        conn.request('list_dbs', []).then(
          () => 'answered',
          (e: Error) => `failed: ${e.message}`,
        ),
      (e: Error) => `refused: ${e.message}`,
    );
    // TLS 1.3: our end may finish its handshake before the server refuses our certificate.
    expect(attempt).toMatch(/^(refused|failed): ssl:127\.0\.0\.1:\d+: /);
  });
});
