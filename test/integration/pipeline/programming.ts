// What a controller member does for one node, for the pipeline tests on real OVS: the tunnels it
// asks the node's OVSDB for, and the flows and groups it sends to the node's switch, found by
// reconciling the pipeline against what the switch reports.
import { desiredFlows, desiredTunnels, expectedPorts, reconcile } from '../../../src/controller/pipeline/index.ts';
import { NodeSessions, type WantedTunnel } from '../../../src/controller/southbound/node-sessions.ts';
import type { LogicalState, StatePort } from '../../../src/model/index.ts';
import { OpenFlowController, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { freePort, until } from '../../support/southbound-node.ts';
import type { LocalOvs } from '../../support/local-ovs.ts';
import type { NetnsLab, OvsNode } from './netns-nodes.ts';

/** desiredTunnels of `node` as syncTunnels takes them; `bfd` overrides the pipeline's choice of
 *  BFD per remote node. */
export function wantedTunnels(lab: LogicalState, node: string, bfd: Record<string, boolean> = {}): WantedTunnel[] {
  return desiredTunnels(lab, node).map((t) => ({
    name: t.name,
    encap: t.encap,
    remoteIp: t.remoteIp,
    ...((bfd[t.remoteNode] ?? t.bfd) ? { bfd: true } : {}),
  }));
}

/** What a switch holds, as reconcile() compares it. */
export async function readBack(sw: OpenFlowConnection) {
  return { flows: await sw.flowStats(), groups: await sw.groupDesc() };
}

/** The messages that would bring the switch of `node` to the pipeline for the facts its OVSDB
 *  session reports: nothing once it is programmed. */
export async function pendingChanges(lab: LogicalState, node: string, sessions: NodeSessions, sw: OpenFlowConnection) {
  return reconcile(desiredFlows(lab, node, sessions.facts(node)), await readBack(sw));
}

/** Sends them, as a member programs a node once its tunnels and ports are there. */
export async function programFlows(lab: LogicalState, node: string, sessions: NodeSessions, sw: OpenFlowConnection): Promise<void> {
  await sw.install(await pendingChanges(lab, node, sessions, sw));
}

/** The nodes of a test on real OVS and the controller side that programs them. */
export interface Programmer {
  lab: LogicalState;
  sessions: NodeSessions;
  nodes: Map<string, OvsNode>;
  /** Each node's OpenFlow connection, by node name. */
  switches: Map<string, OpenFlowConnection>;
}

/** The controller side the nodes connect to (a listener for their OVSDB sessions, an OpenFlow
 *  controller) and the underlay bridge they join: `base` is what `net.node` takes of these. */
export async function listenForNodes(net: NetnsLab) {
  const ovsdbPort = await freePort();
  const sessions = await NodeSessions.listen(ovsdbPort);
  const controller = new OpenFlowController({ requestTimeout: 30_000 });
  try {
    const ofPort = await controller.listen(0, '0.0.0.0');
    const ul = await net.ns('ul');
    await net.bridge(ul, 'underlay');
    return { sessions, controller, base: { underlayNs: ul, underlayBridge: 'underlay', ovsdbPort, ofPort } };
  } catch (e) {
    // The test's teardown never gets them: close them here.
    await controller.close().catch(() => {});
    await sessions.close().catch(() => {});
    throw e;
  }
}

/** Waits until every node's OVSDB session is up, and keeps its switch once it connects. */
export async function connectNodes(p: Programmer, controller: OpenFlowController): Promise<void> {
  for (const [name, node] of p.nodes) {
    await until(`${name}'s session`, () => p.sessions.view(name) && p.sessions.datapathId(name) === node.dpid);
    p.switches.set(name, await controller.waitForSwitch({ datapathId: node.dpid, timeout: 30_000 }));
  }
}

/** What a controller member does for one node: tunnels (BFD where wanted) over OVSDB, then the
 *  difference of flows and groups over OpenFlow; `holdCpathDown` as the programmer passes it. */
export async function programNode(p: Programmer, name: string, options: { holdCpathDown?: boolean } = {}): Promise<void> {
  const node = p.nodes.get(name)!;
  const tunnels = wantedTunnels(p.lab, name);
  await p.sessions.syncTunnels(name, tunnels, options);
  const expected = expectedPorts(p.lab, name);
  await until(`${name}'s ports`, () => {
    const f = p.sessions.facts(name);
    return (
      tunnels.every((t) => f.tunnelPorts.has(t.name)) &&
      expected.vmPorts.every((v) => f.vmPorts.has(v)) &&
      expected.physicalPorts.every((v) => f.physicalPorts?.has(v))
    );
  });
  // OVS's own tunnel neighbour cache, as the node agent warms it.
  for (const t of tunnels) {
    const remote = [...p.nodes.values()].find((n) => n.underlayIp === t.remoteIp)!;
    await node.ovs.appctl('tnl/neigh/set', 'br-phy', t.remoteIp, remote.underlayMac);
  }
  await programFlows(p.lab, name, p.sessions, p.switches.get(name)!);
}

/** Tears down what a test set up, whatever part of it came up. */
export async function teardown(net: NetnsLab, controller?: OpenFlowController, sessions?: NodeSessions): Promise<void> {
  await net.destroy();
  await controller?.close().catch(() => {});
  await sessions?.close().catch(() => {});
}

/** What `net.node` adds before its vswitchd starts: each port as a VM, namespace vm-<port> whose
 *  eth0 (the port's MAC, its IP /24) is plugged into br-int with the port's iface-id; the
 *  namespaces go into `vms` by port. */
export function plugVms(net: NetnsLab, ports: readonly StatePort[], vms: Map<string, string>) {
  return async (ns: string, ovs: LocalOvs): Promise<void> => {
    for (const p of ports) {
      const vm = await net.ns(`vm-${p.name}`);
      vms.set(p.name, vm);
      await net.veth({ ns: vm, name: 'eth0', mac: p.mac, addr: `${p.ip}/24` }, { ns, name: `vm-${p.name}` });
      await ovs.vsctl('add-port', 'br-int', `vm-${p.name}`, '--', 'set', 'interface', `vm-${p.name}`, `external_ids:iface-id=${p.name}`);
    }
  };
}

/** A VM's port on a test bridge of the host's OVS: an internal interface with the logical port's
 *  iface-id at `ofport`; its interface name. */
export async function addVmPort(ovs: LocalOvs, bridge: string, logicalPort: string, ofport: number): Promise<string> {
  const ifname = `${bridge}v${ofport}`.slice(-15);
  await ovs.vsctl(
    'add-port',
    bridge,
    ifname,
    '--',
    'set',
    'interface',
    ifname,
    'type=internal',
    `ofport_request=${ofport}`,
    `external_ids:iface-id=${logicalPort}`,
  );
  return ifname;
}

/** A tunnel port on a test bridge (flow-based key, as the node agent makes them) at `ofport`. */
export async function addTunnelPort(
  ovs: LocalOvs,
  bridge: string,
  name: string,
  type: string,
  remoteIp: string,
  ofport: number,
): Promise<void> {
  await ovs.vsctl(
    'add-port',
    bridge,
    name,
    '--',
    'set',
    'interface',
    name,
    `type=${type}`,
    `options:remote_ip=${remoteIp}`,
    'options:key=flow',
    `ofport_request=${ofport}`,
  );
}
