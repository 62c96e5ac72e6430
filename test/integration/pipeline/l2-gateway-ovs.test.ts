// The L2 gateway's flows on a real ovs-vswitchd (userspace datapath): OVS takes the hand-encoded
// learn action and gives it back unchanged (reconcile converges), a tagged frame from the
// physical NIC learns its source MAC into table 40 and reaches the VM's tunnel untagged, and a
// tunnel's frame to that MAC leaves the NIC with VLAN 10 pushed.
import { beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE, until, useSouthboundNode } from '../../support/southbound-node.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import { pendingChanges, wantedTunnels } from './programming.ts';

const DPID = 0x6e2n;
const PHYS_MAC = '02:aa:00:00:00:01';

const lab: LogicalState = {
  nodes: [hv('gw1', '192.0.2.9', { role: 'l2-gateway' }), hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', vlan: 10, nic: 'phy0' } }],
  ports: [
    { name: 'web1', switch: 'web', mac: '02:00:00:00:00:01', node: 'hv1' },
    { name: 'web2', switch: 'web', mac: '02:00:00:00:00:02', node: 'hv2' },
  ],
};

const gw1 = useSouthboundNode('gw1', DPID, (local) =>
  local.vsctl('add-port', BRIDGE, 'phy0', '--', 'set', 'interface', 'phy0', 'type=internal', 'ofport_request=5').then(() => {}),
);
const changes = () => pendingChanges(lab, 'gw1', gw1.sessions, gw1.sw);

beforeAll(async () => {
  await gw1.sessions.syncTunnels('gw1', wantedTunnels(lab, 'gw1'));
  await until(
    'ports',
    () => gw1.sessions.facts('gw1').tunnelPorts.size === 2 && gw1.sessions.facts('gw1').physicalPorts?.get('phy0') === 5,
  );
}, 60_000);

describe('L2 gateway on real OVS', () => {
  // The second test runs on the pipeline the first one installs.
  it('installs the learn action and reads it back the same: nothing left to change', async () => {
    await gw1.sw.install(await changes());
    expect(await changes()).toEqual([]);
  });

  it("learns a tagged physical frame's source, sends it untagged to the VM's tunnel, and a tunnel's reply goes out tagged", async () => {
    const tun2 = gw1.sessions.facts('gw1').tunnelPorts.get('tun-hv2-gnv')!;
    const frame = `020000000002${PHYS_MAC.replace(/:/g, '')}8100000a88b5${'00'.repeat(46)}`;
    const fromPhys = await gw1.ovs.appctl(
      'ofproto/trace',
      BRIDGE,
      `in_port=5,dl_vlan=10,dl_src=${PHYS_MAC},dl_dst=02:00:00:00:00:02,dl_type=0x88b5`,
    );
    expect(fromPhys).toMatch(new RegExp(`Datapath actions: .*pop_vlan.*`));
    expect(fromPhys).toContain(`output:${tun2}`);
    // A real packet, so the learn action runs.
    await gw1.ovs.ofctl('packet-out', BRIDGE, '5', 'table', frame);
    const learned = await until('the learned flow', async () => {
      const dump = await gw1.ovs.ofctl('dump-flows', BRIDGE, 'table=40');
      return dump.includes(`dl_dst=${PHYS_MAC}`) ? dump : undefined;
    });
    expect(learned).toMatch(/idle_timeout=300/);
    expect(learned).toMatch(/metadata=0x64/);
    const fromTunnel = await gw1.ovs.appctl(
      'ofproto/trace',
      BRIDGE,
      `in_port=${tun2},tun_id=100,dl_src=02:00:00:00:00:02,dl_dst=${PHYS_MAC},dl_type=0x88b5`,
    );
    expect(fromTunnel).toMatch(/push_vlan\(vid=10/);
    // The learned flows do not disturb reconciliation (table 40 is OVS's).
    expect(await changes()).toEqual([]);
  });
});
