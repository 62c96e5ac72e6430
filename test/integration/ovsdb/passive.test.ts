// Passive role: we listen (ptcp), real ovsdb-servers connect to us as their manager
// (`ovs-vsctl set-manager tcp:127.0.0.1:PORT`), and each accepted connection is a client session
// we can transact and monitor through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOvs, type LocalOvs } from '../../support/local-ovs.ts';
import { OvsdbClient, OvsdbListener, Replica, op, type OvsdbMap } from '../../../src/ovsdb/index.ts';
import { waitUntil } from './cluster-support.ts';

describe('passive role: ovsdb-server connects to our listener', () => {
  const servers: LocalOvs[] = [];
  let listener: OvsdbListener;
  const sessions: OvsdbClient[] = [];

  beforeAll(async () => {
    listener = await OvsdbListener.listen('ptcp:0:127.0.0.1');
    listener.on('connection', (conn) => sessions.push(OvsdbClient.fromConnection(conn)));
    // Two switches (database only; no vswitchd needed) managed by one listener.
    for (let i = 0; i < 2; i++) servers.push(await startLocalOvs({ vswitchd: false }));
  });

  afterAll(async () => {
    for (const s of servers) await s.vsctl('del-manager').catch(() => {});
    for (const c of sessions) c.close();
    await listener?.close();
    for (const s of servers) await s.stop();
  });

  it('accepts one session per managed server and transacts through each', async () => {
    for (const s of servers) await s.vsctl('set-manager', `tcp:127.0.0.1:${listener.port}`);
    await waitUntil(() => sessions.length >= 2, 30_000, 'two manager connections');

    // Tell the sessions apart by writing a marker through each, then reading it with ovs-vsctl.
    for (const [i, c] of sessions.entries()) {
      expect(c.isConnected).toBe(true);
      expect(await c.listDbs()).toContain('Open_vSwitch');
      await c.transact('Open_vSwitch', [
        op.mutate('Open_vSwitch', [], [['external_ids', 'insert', new Map([['managed-by', `session-${i}`]])]]),
      ]);
    }
    const markers = await Promise.all(servers.map((s) => s.vsctl('get', 'Open_vSwitch', '.', 'external_ids:managed-by')));
    expect(new Set(markers.map((m) => m.replace(/"/g, '')))).toEqual(new Set(['session-0', 'session-1']));
  });

  it('monitors through the manager connection: ovs-vsctl changes reach the replica', async () => {
    const c = sessions[0]!;
    const replica = await new Replica(c, { database: 'Open_vSwitch', tables: { Open_vSwitch: { columns: ['external_ids'] } } }).start();
    const marker = String((replica.rows('Open_vSwitch')[0]!.external_ids as OvsdbMap).get('managed-by'));
    const server = servers[marker === 'session-0' ? 0 : 1]!;
    await server.vsctl('set', 'Open_vSwitch', '.', 'external_ids:hello=world');
    await replica.waitFor((s) => (s.rows('Open_vSwitch')[0]?.external_ids as OvsdbMap).get('hello') === 'world');
  });

  it("answers the server's echo probes, so the manager connection stays up", async () => {
    // ovsdb-server probes an idle manager connection every inactivity_probe ms with "echo".
    const server = servers[0]!;
    await server.vsctl('set', 'Manager', '.', 'inactivity_probe=1000');
    const before = sessions.filter((c) => c.isConnected).length;
    const status = await waitUntil(
      async () => {
        const s = await server.vsctl('list', 'Manager');
        // After several probe periods the connection is still up (sec_since_connect grows, no reconnects).
        const m = /sec_since_connect="?(\d+)/.exec(s);
        return m && Number(m[1]) >= 4 && /is_connected\s*:\s*true/.test(s) ? s : undefined;
      },
      30_000,
      'manager connection to survive probes',
    );
    expect(status).toMatch(/state=ACTIVE/);
    expect(sessions.filter((c) => c.isConnected).length).toBe(before);
  });
});
