// A simulated node's OVSDB served to members' real southbound listeners (NodeSessions): to three
// members at once (what one writes the others see, each tunnel announced to the OpenFlow side
// with the port number the members read), over TLS with the member's identity check (a node
// whose certificate names another node is refused), and back within about a second of a
// member's restart, as OVS reconnects with max_backoff=1000.
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { SimulatedOvsdb, type PortChange } from '../../../src/simulator/ovsdb/index.ts';
import { makeTestPki } from '../../support/pki.ts';
import { freePort, until } from '../../support/southbound-node.ts';

const VMS = Array.from({ length: 21 }, (_, i) => ({ ifaceId: `lp${i}`, name: `vm${i}`, mac: `02:00:00:00:00:${(i + 16).toString(16)}` }));

describe("a simulated node's OVSDB with members' southbound listeners", () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });
  const node = (systemId: string, extra: Partial<ConstructorParameters<typeof SimulatedOvsdb>[0]> = {}) => {
    const sim = new SimulatedOvsdb({ systemId, datapathId: 0x77n, underlayIp: '192.0.2.7', vmPorts: VMS, ...extra });
    cleanup.push(() => sim.close());
    return sim;
  };
  const listen = async (port: number, options: Parameters<typeof NodeSessions.listen>[1] = {}) => {
    const sessions = await NodeSessions.listen(port, options);
    cleanup.push(() => sessions.close());
    return sessions;
  };

  it('serves three members at once: each sees the node, and the tunnels one of them makes, with the numbers the switch announces', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const members = await Promise.all(ports.map((p) => listen(p)));
    const sim = node('hv7');
    const announced: PortChange[] = [];
    sim.on('port', (change) => announced.push(change));
    sim.connect(ports.map((p) => `tcp:127.0.0.1:${p}`));
    await until('three sessions', () => members.every((m) => m.facts('hv7').vmPorts.size === 21));
    expect(sim.connectedTargets()).toHaveLength(3);
    for (const m of members) {
      expect(m.datapathId('hv7')).toBe(0x77n);
      expect([...m.facts('hv7').vmPorts.keys()].sort()).toEqual(VMS.map((v) => v.ifaceId).sort());
    }
    const tunnels = Array.from({ length: 50 }, (_, i) => ({ name: `tun-hv${i}`, encap: 'geneve', remoteIp: `192.0.2.${100 + i}` }));
    expect(await members[0]!.syncTunnels('hv7', tunnels)).toBe(true);
    await until('the tunnels everywhere', () => members.every((m) => m.facts('hv7').tunnelPorts.size === 50));
    const seen = members.map((m) => Object.fromEntries(m.facts('hv7').tunnelPorts));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
    expect(Object.fromEntries(announced.map((c) => [c.name, c.ofport]))).toEqual(seen[0]);
    expect(announced.every((c) => c.change === 'added' && c.type === 'geneve')).toBe(true);
    expect(Object.fromEntries(sim.tunnels().map((t) => [t.name, t.ofport]))).toEqual(seen[0]);
    // Another member takes them away: everyone sees it, and the switch hears of each.
    await members[2]!.syncTunnels('hv7', tunnels.slice(0, 10));
    await until('40 tunnels gone everywhere', () => members.every((m) => m.facts('hv7').tunnelPorts.size === 10));
    expect(
      announced
        .filter((c) => c.change === 'removed')
        .map((c) => c.name)
        .sort(),
    ).toEqual(
      tunnels
        .slice(10)
        .map((t) => t.name)
        .sort(),
    );
    expect(sim.tunnels()).toHaveLength(10);
  });

  it('is taken over TLS for the node its certificate names, and refused when that is another node', async () => {
    const pki = await makeTestPki();
    const member = await pki.issue(pki.controllers, 'ctrl1');
    const port = await freePort();
    const sessions = await listen(port, { tls: { key: member.key, cert: member.cert, ca: pki.nodes.certificate } });
    const refused: string[] = [];
    sessions.on('refused', (_peer, reason) => refused.push(reason.message));
    const credentials = async (name: string) => {
      const holder = await pki.issue(pki.nodes, name);
      return { key: holder.key, cert: holder.cert, ca: pki.controllers.certificate };
    };
    const sim = node('hv7');
    sim.connect([`ssl:127.0.0.1:${port}`], await credentials('hv7'));
    await until('the TLS session', () => sessions.facts('hv7').vmPorts.size === 21);
    expect(sessions.view('hv7')!.client.peerCommonName).toBe('hv7');
    const imposter = node('hv7', { datapathId: 0x78n });
    imposter.connect([`ssl:127.0.0.1:${port}`], await credentials('hv8'));
    await until('the refusal', () => refused.length > 0);
    expect(refused[0]).toBe('a switch with the certificate of "hv8" says it is "hv7" (external_ids:system-id)');
    expect(sessions.datapathId('hv7')).toBe(0x77n);
    // A member of another authority is not one the node talks to.
    const rogue = await pki.issue(pki.rogue, 'ctrl9');
    const roguePort = await freePort();
    const rogueSessions = await listen(roguePort, { tls: { key: rogue.key, cert: rogue.cert, ca: pki.nodes.certificate } });
    const stranger = node('hv9');
    const rogueRefused: string[] = [];
    rogueSessions.on('refused', (_peer, reason) => rogueRefused.push(reason.message));
    stranger.connect([`ssl:127.0.0.1:${roguePort}`], await credentials('hv9'));
    await until('the failed handshake', () => rogueRefused.length > 0);
    expect(rogueSessions.nodes()).toEqual([]);
  });

  it("is back within about a second of a member's restart", async () => {
    const port = await freePort();
    let sessions = await NodeSessions.listen(port);
    const sim = node('hv7');
    const events: string[] = [];
    sim.on('connected', () => events.push('up'));
    sim.on('disconnected', () => events.push('down'));
    sim.connect([`tcp:127.0.0.1:${port}`]);
    await until('the session', () => sessions.view('hv7'));
    await sessions.close();
    await until('the disconnect', () => events.includes('down'));
    const restarted = Date.now();
    sessions = await listen(port);
    await until('the session again', () => sessions.facts('hv7').vmPorts.size === 21, 5000);
    expect(Date.now() - restarted).toBeLessThan(2500);
    expect(events).toEqual(['up', 'down', 'up']);
  });
});
