// The pipeline on a real ovs-vswitchd: what desiredFlows computes installs without errors, reads
// back (flow stats, group desc) to something reconcile() finds identical, and a change in the
// logical state is applied as exactly its difference. Also shows, with ofproto/trace, that OVS
// never outputs a frame to its ingress port, which the shared flood groups rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  floodAllGroupId,
  floodLocalGroupId,
  desiredFlows,
  desiredTunnels,
  reconcile,
  type NodeFacts,
} from '../../../src/controller/pipeline/index.ts';
import { formatMessage, OpenFlowController, type OpenFlowConnection, type OutgoingMessage } from '../../../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import { smallLab } from '../../../src/controller/pipeline/test-fixtures.ts';
import { addTunnelPort, addVmPort as addVmPortTo, readBack } from './programming.ts';

const DPID = 0x5e1n;

/** The pipeline unit tests' lab (hv4 hosts nothing, web-u is bound nowhere), web-a's MAC in
 *  capitals as a platform may send it: the pipeline writes it as OVS prints it. */
const lab = (): LogicalState => {
  const small = smallLab();
  return { ...small, ports: small.ports.map((p) => (p.name === 'web-a' ? { ...p, mac: '02:00:00:00:00:0A' } : p)) };
};

let ovs: LocalOvs;
let controller: OpenFlowController;
let bridge: string;
let sw: OpenFlowConnection;
/** OVS interface name → logical port (iface-id) for the VM ports we created. */
const vmIfaces = new Map<string, string>();

async function addVmPort(logicalPort: string, ofport: number): Promise<void> {
  vmIfaces.set(await addVmPortTo(ovs, bridge, logicalPort, ofport), logicalPort);
}

const addTunnel = (name: string, type: string, remoteIp: string, ofport: number) =>
  addTunnelPort(ovs, bridge, name, type, remoteIp, ofport);

/** The facts as a node agent would report them, read from the switch's port descriptions. */
async function readFacts(): Promise<NodeFacts> {
  const ports = await sw.portDesc();
  const vmPorts = new Map<string, number>();
  const tunnelPorts = new Map<string, number>();
  for (const p of ports) {
    const logical = vmIfaces.get(p.name);
    if (logical !== undefined) vmPorts.set(logical, p.portNo);
    else if (p.name.startsWith('tun-')) tunnelPorts.set(p.name, p.portNo);
  }
  return { vmPorts, tunnelPorts };
}

const summary = (msgs: readonly OutgoingMessage[]) =>
  msgs.map((m) =>
    m.type === 'group_mod'
      ? `group ${m.command} ${m.groupId}`
      : m.type === 'flow_mod'
        ? `flow ${m.command} t${m.tableId} p${m.priority}`
        : m.type,
  );

const trace = (flow: string) => ovs.appctl('ofproto/trace', bridge, flow);

beforeAll(async () => {
  ovs = await startLocalOvs();
  controller = new OpenFlowController({ requestTimeout: 30_000 });
  const port = await controller.listen(0);
  bridge = uniqueBridgeName('nvp');
  await ovs.addSwitchBridge(bridge, DPID, 'other-config:disable-in-band=true');
  await addVmPort('web-a', 1);
  await addVmPort('web-b', 2);
  await addVmPort('db-d', 3);
  for (const t of desiredTunnels(lab(), 'hv1')) {
    await addTunnel(t.name, t.encap, t.remoteIp, t.remoteNode === 'hv2' ? 10 : 11);
  }
  await ovs.vsctl('set-controller', bridge, `tcp:127.0.0.1:${port}`);
  sw = await controller.waitForSwitch({ datapathId: DPID, timeout: 30_000 });
});

afterAll(async () => {
  await controller?.close().catch(() => {});
  await ovs?.stop();
});

describe('pipeline on real OVS', () => {
  // In order, on one switch: the later tests start from the pipeline the first one installs.
  it('installs desiredFlows, and what OVS reports back reconciles to nothing', async () => {
    const facts = await readFacts();
    expect(facts.vmPorts).toEqual(
      new Map([
        ['web-a', 1],
        ['web-b', 2],
        ['db-d', 3],
      ]),
    );
    expect(facts.tunnelPorts).toEqual(
      new Map([
        ['tun-hv2-gnv', 10],
        ['tun-hv3-vxl', 11],
      ]),
    );
    const desired = desiredFlows(lab(), 'hv1', facts);
    // Fresh bridge: reconcile against the empty switch is a full install, groups first.
    const msgs = reconcile(desired, await readBack(sw));
    expect(msgs).toHaveLength(desired.flows.length + desired.groups.length);
    expect(msgs.slice(0, desired.groups.length).every((m) => m.type === 'group_mod')).toBe(true);
    await sw.install(msgs);

    const back = await readBack(sw);
    expect(back.flows).toHaveLength(desired.flows.length);
    expect(back.groups).toHaveLength(desired.groups.length);
    const diff = reconcile(desired, back);
    expect(diff.map((m) => formatMessage({ ...m, xid: 0 }))).toEqual([]);

    const dump = await ovs.ofctl('dump-flows', '--no-stats', bridge);
    console.log(`ovs-ofctl -O OpenFlow13 dump-flows ${bridge}:\n${dump}\n\n${await ovs.ofctl('dump-groups', bridge)}`);
    expect(dump).toContain('priority=100,in_port=1 actions=set_field:0x1->reg6,write_metadata:0x64,goto_table:10');
    expect(dump).toContain('priority=100,tun_id=0x64,in_port=10 actions=set_field:0x2->reg6,write_metadata:0x64,goto_table:10');
    expect(dump).toContain('table=10, priority=110,metadata=0x64,dl_dst=02:00:00:00:00:0a actions=output:1');
    expect(dump).toContain(
      'table=10, priority=100,reg6=0x1,metadata=0x64,dl_dst=02:00:00:00:00:0c actions=set_field:0x64->tun_id,output:10',
    );
    expect(dump).toContain(`table=20, priority=100,reg6=0x1,metadata=0x64 actions=group:${floodAllGroupId(100)}`);
  });

  it('OVS never outputs to the ingress port: one flood group serves every port (ofproto/trace)', async () => {
    const fromVm = await trace('in_port=1,dl_src=02:00:00:00:00:0a,dl_dst=ff:ff:ff:ff:ff:ff');
    console.log(fromVm);
    const final = fromVm.slice(fromVm.indexOf('Datapath actions:'));
    // Port 2 and the geneve tunnel get a copy, port 1 (the ingress) does not.
    expect(fromVm).toMatch(/output:2/);
    expect(fromVm).toMatch(/output:10/);
    expect(fromVm).toMatch(/skipping output to input port/);
    expect(final).not.toBe('Datapath actions: drop');

    const fromTunnel = await trace('in_port=10,tun_id=100,tun_src=192.0.2.2,tun_dst=192.0.2.1,dl_dst=ff:ff:ff:ff:ff:ff');
    expect(fromTunnel).toMatch(/group:100\b/);
    expect(fromTunnel).not.toMatch(/output:10\b/); // no hairpin
    // A unicast frame for a MAC that is not here floods to local ports only (BUM), never back out.
    const unicastToRemote = await trace('in_port=10,tun_id=100,dl_dst=02:00:00:00:00:0c');
    expect(unicastToRemote).toMatch(/group:/);
    expect(unicastToRemote).not.toMatch(/output:1[01]\b/);
  });

  it('a logical change is applied as exactly its difference, and then reconciles to nothing again', async () => {
    const before = await readBack(sw);
    // web-b leaves hv1; web-n arrives on hv1; db-e moves from hv3 to hv2 (its tunnel to hv2 is new).
    const next = lab();
    next.ports = [
      ...next.ports.filter((p) => p.name !== 'web-b').map((p) => (p.name === 'db-e' ? { ...p, node: 'hv2' } : p)),
      { name: 'web-n', switch: 'web', mac: '02:00:00:00:00:1a', node: 'hv1' },
      // Bound to hv1, but its interface is not there yet: flows of its switch, empty flood groups.
      { name: 'app-z', switch: 'app', mac: '02:00:00:00:00:2a', node: 'hv1' },
    ];
    next.switches = [...next.switches, { name: 'app', vni: 300, replication: 'source', encap: 'geneve' }];
    await ovs.vsctl('del-port', bridge, [...vmIfaces].find(([, l]) => l === 'web-b')![0]);
    await addVmPort('web-n', 4);
    const tunnels = desiredTunnels(next, 'hv1');
    expect(tunnels.map((t) => t.name)).toEqual(['tun-hv2-gnv', 'tun-hv2-vxl']);
    await ovs.vsctl('del-port', bridge, 'tun-hv2-gnv', '--', 'del-port', bridge, 'tun-hv3-vxl');
    await addTunnel('tun-hv2-gnv', 'geneve', '192.0.2.2', 12);
    await addTunnel('tun-hv2-vxl', 'vxlan', '192.0.2.2', 13);

    const desired = desiredFlows(next, 'hv1', await readFacts());
    const msgs = reconcile(desired, await readBack(sw));
    console.log(msgs.map((m) => formatMessage({ ...m, xid: 0 })).join('\n'));
    // Flows of web-a and db-d that depend on nothing that changed stay untouched.
    const untouched = before.flows.filter(
      (f) => f.tableId === 0 && f.match.some((m) => m.field === 'in_port' && (m.value === 1 || m.value === 3)),
    );
    expect(untouched).toHaveLength(2);
    for (const f of untouched) expect(msgs.some((m) => m.type === 'flow_mod' && m.tableId === 0 && m.cookie === f.cookie)).toBe(false);
    // db's flood-local group is unchanged: only db-d is local, before and after.
    expect(summary(msgs).filter((s) => s.startsWith('group'))).toEqual([
      `group add ${floodLocalGroupId(300)}`,
      `group add ${floodAllGroupId(300)}`,
      `group modify ${floodLocalGroupId(100)}`,
      `group modify ${floodAllGroupId(100)}`,
      `group modify ${floodAllGroupId(200)}`,
    ]);
    // web-b's two flows and the two old tunnels' ingress flows go; the remote MACs move to the
    // new tunnels in place; web-n and the two new tunnels get theirs.
    expect(summary(msgs).filter((s) => s.startsWith('flow'))).toEqual([
      'flow delete_strict t0 p100',
      'flow delete_strict t0 p100',
      'flow delete_strict t0 p100',
      'flow delete_strict t10 p110',
      'flow modify_strict t10 p100',
      'flow modify_strict t10 p100',
      'flow add t0 p100',
      'flow add t0 p100',
      'flow add t0 p100',
      'flow add t10 p110',
      'flow add t10 p10',
      'flow add t20 p100',
      'flow add t20 p100', // app
    ]);
    expect(msgs.length).toBeLessThan(desired.flows.length);
    await sw.install(msgs);

    const after = await readBack(sw);
    expect(reconcile(desired, after)).toEqual([]);
    // Durations show the untouched flows were never replaced.
    for (const f of untouched) {
      const now = after.flows.find((x) => x.cookie === f.cookie)!;
      expect(now.durationSec * 1e9 + now.durationNsec).toBeGreaterThanOrEqual(f.durationSec * 1e9 + f.durationNsec);
    }
    const dump = await ovs.ofctl('dump-flows', '--no-stats', bridge);
    expect(dump).toContain('table=10, priority=110,metadata=0x64,dl_dst=02:00:00:00:00:1a actions=output:4');
    expect(dump).toContain(
      'table=10, priority=100,reg6=0x1,metadata=0xc8,dl_dst=02:00:00:00:00:0e actions=set_field:0xc8->tun_id,output:13',
    );
    expect(dump).not.toContain('dl_dst=02:00:00:00:00:0b');
    expect(await ovs.ofctl('dump-groups', bridge)).toMatch(new RegExp(`group_id=${floodAllGroupId(300)},type=all$`, 'm'));
  });
});
