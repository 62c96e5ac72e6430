// Service-node replication on a real ovs-vswitchd (userspace datapath): the southbound's tunnel
// sync switches OVS's BFD on and off in place, the hypervisor's fast_failover group follows the
// tunnels' BFD liveness by itself (no controller in the loop), the local copies never depend on
// it, and OVS 3.1 accepts a group chained from an `all` group's bucket.
import { describe, expect, it } from 'vitest';
import { serviceFailoverGroupId } from '../../../src/controller/pipeline/index.ts';
import { TUNNEL_BFD } from '../../../src/controller/southbound/node-sessions.ts';
import { BRIDGE, until, useSouthboundNode } from '../../support/southbound-node.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import { pendingChanges, programFlows, wantedTunnels } from './programming.ts';

const DPID = 0x5e2n;

// big (VNI 7) floods through sn2 first, then sn1; the service nodes' addresses lead nowhere, so
// their BFD sessions stay down until we switch BFD off on a tunnel.
const lab: LogicalState = {
  nodes: [
    hv('hv1', '192.0.2.1'),
    hv('hv2', '192.0.2.2'),
    hv('sn1', '192.0.2.11', { role: 'service-node' }),
    hv('sn2', '192.0.2.12', { role: 'service-node' }),
  ],
  switches: [{ name: 'big', vni: 7, replication: 'service-node', encap: 'geneve' }],
  ports: [
    { name: 'p1', switch: 'big', mac: '02:00:00:00:00:01', node: 'hv1' },
    { name: 'p1b', switch: 'big', mac: '02:00:00:00:00:11', node: 'hv1' },
    { name: 'p2', switch: 'big', mac: '02:00:00:00:00:02', node: 'hv2' },
  ],
};

const hv1 = useSouthboundNode('hv1', DPID, async (local) => {
  for (const [i, p] of ['p1', 'p1b'].entries()) {
    await local.vsctl(
      'add-port',
      BRIDGE,
      `vm${i + 1}`,
      '--',
      'set',
      'interface',
      `vm${i + 1}`,
      'type=internal',
      `ofport_request=${i + 1}`,
      `external_ids:iface-id=${p}`,
    );
  }
});
const wanted = (bfdOn: Record<string, boolean>) => wantedTunnels(lab, 'hv1', bfdOn);
const uuidOf = async (iface: string) => (await hv1.ovs.vsctl('get', 'Interface', iface, '_uuid')).trim();
const bfdOf = async (iface: string) => (await hv1.ovs.vsctl('get', 'Interface', iface, 'bfd')).trim();
/** A tunnel's bfd column as the southbound's replica holds it. */
const replicaBfd = (iface: string) => hv1.sessions.tunnels('hv1').find((t) => t.name === iface)?.bfd;
const trace = (flow: string) => hv1.ovs.appctl('ofproto/trace', BRIDGE, flow);

describe('service nodes on real OVS', () => {
  // In order, on one node: the first test makes the tunnels the others change.
  it('syncTunnels creates tunnels with BFD towards service nodes only, and converges the bfd column in place', async () => {
    expect(await hv1.sessions.syncTunnels('hv1', wanted({}))).toBe(true);
    await until('tunnel ports', () => hv1.sessions.facts('hv1').tunnelPorts.size === 3);
    const expected = `{${[...TUNNEL_BFD]
      .sort()
      .map(([k, v]) => `${k}="${v}"`)
      .join(', ')}}`;
    expect(await bfdOf('tun-sn1-gnv')).toBe(expected);
    expect(await bfdOf('tun-sn2-gnv')).toBe(expected);
    expect(await bfdOf('tun-hv2-gnv')).toBe('{}');
    expect(await hv1.sessions.syncTunnels('hv1', wanted({}))).toBe(false); // converged: nothing to do

    const before = await uuidOf('tun-sn1-gnv');
    const ofport = hv1.sessions.facts('hv1').tunnelPorts.get('tun-sn1-gnv');
    expect(await hv1.sessions.syncTunnels('hv1', wanted({ sn1: false }))).toBe(true);
    await until('bfd off', async () => (await bfdOf('tun-sn1-gnv')) === '{}');
    expect(await uuidOf('tun-sn1-gnv')).toBe(before); // same row: the tunnel was not recreated
    await until('the replica', () => replicaBfd('tun-sn1-gnv')?.size === 0);
    expect(hv1.sessions.facts('hv1').tunnelPorts.get('tun-sn1-gnv')).toBe(ofport);
    expect(await hv1.sessions.syncTunnels('hv1', wanted({}))).toBe(true);
    await until('bfd on', async () => (await bfdOf('tun-sn1-gnv')) === expected);
    expect(await uuidOf('tun-sn1-gnv')).toBe(before);
  });

  it("holdCpathDown keeps a restarted service node's cpath_down until the master releases it, in place", async () => {
    await hv1.ovs.vsctl('set', 'Interface', 'tun-sn1-gnv', 'bfd:cpath_down=true');
    const before = await uuidOf('tun-sn1-gnv');
    await until('the replica', () => replicaBfd('tun-sn1-gnv')?.get('cpath_down') === 'true');
    expect(await hv1.sessions.syncTunnels('hv1', wanted({}), { holdCpathDown: true })).toBe(false);
    expect(await bfdOf('tun-sn1-gnv')).toMatch(/cpath_down="true"/);
    expect(await hv1.sessions.syncTunnels('hv1', wanted({}))).toBe(true);
    await until('cpath_down cleared', async () => !(await bfdOf('tun-sn1-gnv')).includes('cpath_down'));
    expect(await uuidOf('tun-sn1-gnv')).toBe(before);
    await until('the replica', () => replicaBfd('tun-sn1-gnv')?.has('cpath_down') === false);
  });

  it('the fast_failover group follows BFD liveness by itself; local copies never depend on it', async () => {
    await programFlows(lab, 'hv1', hv1.sessions, hv1.sw);
    const groups = await hv1.ovs.ofctl('dump-groups', BRIDGE);
    console.log(groups);
    expect(groups).toMatch(new RegExp(`group_id=${serviceFailoverGroupId(7)},type=ff,bucket=watch_port:\\d+,`));
    expect(groups).toMatch(new RegExp(`bucket=actions=group:${serviceFailoverGroupId(7)}`)); // OVS 3.1 takes the chain
    // What OVS reports back reconciles to nothing (bucket order of the ff group included).
    expect(await pendingChanges(lab, 'hv1', hv1.sessions, hv1.sw)).toEqual([]);
    const ports = hv1.sessions.facts('hv1').tunnelPorts;
    const sn1 = ports.get('tun-sn1-gnv')!;
    const sn2 = ports.get('tun-sn2-gnv')!;
    const bcast = 'in_port=1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff';
    const outputs = async () => {
      const t = await trace(bcast);
      return {
        local: /output:2\b/.test(t),
        sn1: new RegExp(`output:${sn1}\\b`).test(t),
        sn2: new RegExp(`output:${sn2}\\b`).test(t),
        text: t,
      };
    };
    // Both service nodes unreachable: BFD down on both, no copy leaves; p1b still gets its copy.
    const dead = await until('both BFD sessions down', async () => {
      const o = await outputs();
      return !o.sn1 && !o.sn2 ? o : undefined;
    });
    expect(dead.local).toBe(true);
    const status = await hv1.ovs.vsctl('get', 'Interface', 'tun-sn2-gnv', 'bfd_status');
    expect(status).toMatch(/state=down/);

    // sn1's tunnel without BFD counts as live: the group moves to it, with no flow change.
    const flowsBefore = await hv1.ovs.ofctl('dump-flows', '--no-stats', BRIDGE);
    await hv1.sessions.syncTunnels('hv1', wanted({ sn1: false }));
    const toSn1 = await until('failover to sn1', async () => {
      const o = await outputs();
      return o.sn1 ? o : undefined;
    });
    console.log(toSn1.text);
    expect(toSn1).toMatchObject({ local: true, sn1: true, sn2: false });
    // sn2 (first for VNI 7) live again: the group goes back to it, still one copy.
    await hv1.sessions.syncTunnels('hv1', wanted({ sn1: false, sn2: false }));
    const toSn2 = await until('back to sn2', async () => {
      const o = await outputs();
      return o.sn2 ? o : undefined;
    });
    expect(toSn2).toMatchObject({ local: true, sn1: false, sn2: true });
    expect(await hv1.ovs.ofctl('dump-flows', '--no-stats', BRIDGE)).toBe(flowsBefore);
  });
});
