// Port security, security groups and QoS on a real ovs-vswitchd: what the pipeline computes for
// the security lab's hv1 installs (ct() flows, meters), reads back to something reconcile() and
// reconcileMeters() find identical, and a frame a port sends from another address dies in table 1
// (ofproto/trace), while its own goes on to its egress ACL's conntrack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredFlows, desiredTunnels, reconcile, reconcileMeters, type NodeFacts } from '../../../src/controller/pipeline/index.ts';
import { securityLab } from '../../../src/controller/pipeline/test-fixtures.ts';
import { formatMessage, OpenFlowController, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';
import { addTunnelPort, addVmPort, readBack } from './programming.ts';

const DPID = 0x5e2n;
const PORTS = { 'web-a': 1, 'web-b': 2, 'db-d': 3 } as const;

let ovs: LocalOvs;
let controller: OpenFlowController;
let bridge: string;
let sw: OpenFlowConnection;

const facts = (): NodeFacts => ({
  vmPorts: new Map(Object.entries(PORTS)),
  tunnelPorts: new Map([
    ['tun-hv2-gnv', 10],
    ['tun-hv3-vxl', 11],
  ]),
});

const trace = (flow: string) => ovs.appctl('ofproto/trace', bridge, flow);
/** The datapath does nothing with it but count it against web-a's meter: it is dropped. */
const DROPPED = /Datapath actions: (drop|meter\(\d+\))$/m;
/** Dropped by port security's catch-all (cookie kind 0x17), in table 1. */
const SPOOF_DROP = /^ 1\. in_port=1, priority 1, cookie 0x17/m;

beforeAll(async () => {
  ovs = await startLocalOvs();
  controller = new OpenFlowController({ requestTimeout: 30_000 });
  const port = await controller.listen(0);
  bridge = uniqueBridgeName('nvs');
  await ovs.addSwitchBridge(bridge, DPID, 'other-config:disable-in-band=true');
  for (const [name, ofport] of Object.entries(PORTS)) await addVmPort(ovs, bridge, name, ofport);
  for (const t of desiredTunnels(securityLab(), 'hv1'))
    await addTunnelPort(ovs, bridge, t.name, t.encap, t.remoteIp, t.remoteNode === 'hv2' ? 10 : 11);
  await ovs.vsctl('set-controller', bridge, `tcp:127.0.0.1:${port}`);
  sw = await controller.waitForSwitch({ datapathId: DPID, timeout: 30_000 });
});

afterAll(async () => {
  await controller?.close().catch(() => {});
  await ovs?.stop();
});

describe('security groups on real OVS', () => {
  it('installs the flows (ct() and meters included), and what OVS reports back reconciles to nothing', async () => {
    const desired = desiredFlows(securityLab(), 'hv1', facts());
    const meters = desired.meters ?? [];
    expect(meters).toHaveLength(1);
    const { before, after } = reconcileMeters(meters, await sw.meterConfig());
    await sw.install([...before, ...reconcile(desired, await readBack(sw)), ...after]);

    const back = await readBack(sw);
    expect(back.flows).toHaveLength(desired.flows.length);
    expect(reconcile(desired, back).map((m) => formatMessage({ ...m, xid: 0 }))).toEqual([]);
    expect(reconcileMeters(meters, await sw.meterConfig())).toEqual({ before: [], after: [] });
    const dump = await ovs.ofctl('dump-flows', '--no-stats', bridge);
    console.log(dump);
    expect(dump).toMatch(/table=5, priority=100,ip,in_port=1 actions=ct\(table=6,zone=1\)/);
    expect(dump).toMatch(/meter:1/);
  });

  it('drops what a port with port security sends from another MAC or IP (ARP included) in table 1; its own goes on', async () => {
    const spoofedIp = await trace('in_port=1,dl_src=02:00:00:00:00:0a,dl_dst=02:00:00:00:00:0c,ip,nw_src=10.0.0.99,nw_dst=10.0.0.12');
    expect(spoofedIp).toMatch(SPOOF_DROP);
    expect(spoofedIp).toMatch(DROPPED);
    const spoofedMac = await trace(
      'in_port=1,dl_src=02:00:00:00:99:99,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_spa=10.0.0.10,arp_sha=02:00:00:00:99:99',
    );
    expect(spoofedMac).toMatch(SPOOF_DROP);
    expect(spoofedMac).toMatch(DROPPED);
    const spoofedArp = await trace(
      'in_port=1,dl_src=02:00:00:00:00:0a,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_spa=10.0.0.99,arp_sha=02:00:00:00:00:0a',
    );
    expect(spoofedArp).toMatch(SPOOF_DROP);
    expect(spoofedArp).toMatch(DROPPED);
    // Its own ARP floods (web-b, in group admin, through its ingress ACL: ARP is not tracked).
    const ownArp = await trace(
      'in_port=1,dl_src=02:00:00:00:00:0a,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_spa=10.0.0.10,arp_sha=02:00:00:00:00:0a',
    );
    expect(ownArp).not.toMatch(DROPPED);
    expect(ownArp).toMatch(/output:2/);
    // Its own IPv4 goes into its conntrack zone.
    const ownIp = await trace(
      'in_port=1,dl_src=02:00:00:00:00:0a,dl_dst=02:00:00:00:00:0c,tcp,nw_src=10.0.0.10,nw_dst=10.0.0.12,tp_dst=80',
    );
    expect(ownIp).toMatch(/ct\(table=6,zone=1\)/);
  });
});
