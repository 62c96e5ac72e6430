// The OpenFlow 1.3 flows and groups of one transport node's br-int (docs/controller.md,
// "Pipeline"): classify in table 0, L2 lookup in table 10, flooding through groups in table 20,
// and on service nodes replication in table 30. Routers' own flows are in router-flows.ts.
import { act, bucket, flowMod, groupMod, inst, type Bucket, type Match } from '../../openflow/index.ts';
import {
  CookieKind,
  cookie,
  floodAllGroupId,
  floodLocalGroupId,
  From,
  replicateGroupId,
  serviceFailoverGroupId,
  LEARNED_REG,
  PIPELINE_TABLES,
  Priority,
  Table,
} from './ids.ts';
import { learnAction } from './learn.ts';
import type { PipelineMemo } from './memo.ts';
import { bucketsKey, flowKey } from './normalize.ts';
import { localRouterPorts, routerUnicast, uplinkFlows, type LocalPort, type RouterContext } from './router-flows.ts';
import { routerInterfaces } from './routers.ts';
import { serviceNodeOrder, switchHosts, tunnelLinks } from './tunnels.ts';
import type { DesiredFlows, DesiredState, FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import type { Encap, LogicalState, StatePort, StateSwitch } from '../../model/index.ts';

const md = (vni: number): Match[number] => ({ field: 'metadata', value: BigInt(vni) });
const from = (where: number): Match[number] => ({ field: 'reg6', value: where });
const UNICAST: Match[number] = { field: 'eth_dst', value: '00:00:00:00:00:00', mask: '01:00:00:00:00:00' };

/** Instructions of a classify flow: remember where the packet came from and its switch. */
const classify = (vni: number, where: number) => [
  inst.apply(act.setField({ field: 'reg6', value: where })),
  inst.writeMetadata(BigInt(vni)),
  inst.gotoTable(Table.L2),
];

const toTunnel = (vni: number, ofport: number) => [act.setField({ field: 'tunnel_id', value: BigInt(vni) }), act.output(ofport)];

/** Table 10 on a node carrying the switch: a local VM's frame to `port` (a VM on another node)
 *  goes into the tunnel `tport` towards it. */
export const remoteUnicast = (vni: number, port: StatePort, tport: number): FlowModMsg =>
  flowMod({ tableId: Table.L2, priority: Priority.MATCH, cookie: cookie(CookieKind.L2_REMOTE, vni, port.name),
    match: [md(vni), from(From.VM), { field: 'eth_dst', value: port.mac.toLowerCase() }], instructions: [inst.apply(...toTunnel(vni, tport))] });
export const remoteUnicastRecipe = (vni: number, port: StatePort, tport: number) => `l2-remote|${vni}|${port.name}|${port.mac}|${tport}`;

/** How long an L2 gateway remembers a physical MAC it has not seen since. */
export const LEARN_IDLE_TIMEOUT_S = 300;

/**
 * The L2 gateway's own flows for a switch it bridges onto a physical network (pushed onto
 * `flows`), and the actions that send a frame out its NIC on the network's VLAN; undefined when
 * this node is not the switch's gateway or its NIC is not on br-int yet.
 *
 * The NIC is classified like a local VM port (reg6 = VM): its frames reach remote VMs by their
 * known MACs and flood like a VM's. On the way in the tag is popped and the source MAC learned
 * into table 40 (match switch + eth_dst, load reg7[0] = 1). A tunnel's frame looks itself up
 * there (resubmit), and a learned destination goes straight out the NIC; BUM and unknown
 * unicast go on to flood-local, whose bucket for the NIC sends them out once.
 */
function gatewayFlows(sw: StateSwitch, nodeName: string, facts: NodeFacts, flows: FlowModMsg[]): ReturnType<typeof act.output>[] | undefined {
  const gw = sw.l2Gateway;
  if (gw?.node !== nodeName) return undefined;
  const nic = facts.physicalPorts?.get(gw.nic);
  if (nic === undefined) return undefined;
  const vni = sw.vni;
  const tagged = gw.vlan !== undefined;
  const vid = tagged ? 0x1000 | gw.vlan! : 0; // OFPVID_PRESENT | VLAN, or OFPVID_NONE
  const toPhysical = tagged ? [act.pushVlan(), act.setField({ field: 'vlan_vid', value: vid }), act.output(nic)] : [act.output(nic)];
  const learn = learnAction({
    table: Table.LEARNED, priority: Priority.MATCH, idleTimeout: LEARN_IDLE_TIMEOUT_S, cookie: cookie(CookieKind.L2GW_LEARNED, vni),
    metadata: BigInt(vni), mark: { reg: LEARNED_REG, bit: 0 },
  });
  flows.push(flowMod({ tableId: Table.CLASSIFY, priority: Priority.MATCH, cookie: cookie(CookieKind.CLASSIFY_PHYSICAL, vni, gw.nic),
    match: [{ field: 'in_port', value: nic }, { field: 'vlan_vid', value: vid }],
    instructions: [inst.apply(...(tagged ? [act.popVlan()] : []), learn, act.setField({ field: 'reg6', value: From.VM })), inst.writeMetadata(BigInt(vni)), inst.gotoTable(Table.L2)] }));
  flows.push(flowMod({ tableId: Table.L2, priority: Priority.MATCH, cookie: cookie(CookieKind.L2GW_FROM_TUNNEL, vni),
    match: [md(vni), from(From.TUNNEL)], instructions: [inst.apply(act.resubmit(Table.LEARNED)), inst.gotoTable(Table.FLOOD)] }));
  flows.push(flowMod({ tableId: Table.FLOOD, priority: Priority.LOCAL_UNICAST, cookie: cookie(CookieKind.L2GW_TO_PHYSICAL, vni),
    match: [md(vni), from(From.TUNNEL), { field: `reg${LEARNED_REG}`, value: 1 } as Match[number]], instructions: [inst.apply(...toPhysical)] }));
  return toPhysical;
}

const boundPortsCache = new WeakMap<LogicalState, Map<string, StatePort[]>>();

/** Each switch's bound ports in name order; computed once per logical state for all nodes. */
function boundPorts(logical: LogicalState): Map<string, StatePort[]> {
  let bySwitch = boundPortsCache.get(logical);
  if (bySwitch) return bySwitch;
  bySwitch = new Map();
  for (const p of logical.ports) {
    if (p.node === undefined) continue;
    let list = bySwitch.get(p.switch);
    if (!list) bySwitch.set(p.switch, (list = []));
    list.push(p);
  }
  for (const list of bySwitch.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  boundPortsCache.set(logical, bySwitch);
  return bySwitch;
}

/**
 * Flows and groups for `nodeName`. Ports and tunnels whose OpenFlow port number is not in
 * `facts` yet are left out; they appear once the switch reports them. Output is free of
 * duplicate entries (first one wins) and comes in a fixed order (switches by VNI, ports by
 * name), so equal inputs give equal outputs.
 *
 * With `memo` (one per node), what the previous call built is handed back where its inputs did
 * not change: the same objects, which `reconcile` passes over without comparing them.
 */
export function desiredFlows(logical: LogicalState, nodeName: string, facts: NodeFacts, memo?: PipelineMemo): DesiredFlows {
  const flows: FlowModMsg[] = [];
  const groups: GroupModMsg[] = [];
  // The recipe names every input of what `build` makes (see PipelineMemo).
  const reuse = <T>(recipe: string, build: () => T): T => (memo ? memo.reuse(recipe, build) : build());
  const hosts = switchHosts(logical);
  const links = tunnelLinks(logical, nodeName);
  const switches = [...logical.switches].filter((s) => hosts.get(s.name)?.includes(nodeName)).sort((a, b) => a.vni - b.vni);
  const bound = boundPorts(logical);
  const portsOf = (sw: StateSwitch) => bound.get(sw.name) ?? [];
  const vmPort = (p: StatePort) => (p.node === nodeName ? facts.vmPorts.get(p.name) : undefined);
  const tunnelByRemote = new Map(links.map((l) => [`${l.tunnel.remoteNode}\0${l.tunnel.encap}`, l.tunnel.name]));
  // Tunnel port towards (node, encap), if the switch has reported it.
  const tunnelPortByEncap = (remote: string, encap: Encap) => {
    const name = tunnelByRemote.get(`${remote}\0${encap}`);
    return name === undefined ? undefined : facts.tunnelPorts.get(name);
  };
  const tunnelPort = (remote: string, sw: StateSwitch) => tunnelPortByEncap(remote, sw.encap);
  const routerCtx: RouterContext = { logical, nodeName, facts, tunnelPort: tunnelPortByEncap, flows, groups };
  const places = routerInterfaces(logical);

  for (const sw of switches) {
    const vni = sw.vni;
    const ports = portsOf(sw);
    const routersHere = places.filter((p) => p.sw.name === sw.name);
    // Local ports: VMs, and router interfaces on this gateway (delivered through their gate).
    const local: LocalPort[] = [];
    const vms = new Set<LocalPort>();
    for (const p of ports) {
      const ofport = vmPort(p);
      if (ofport === undefined) continue;
      const port: LocalPort = { name: p.name, mac: p.mac.toLowerCase(), ofport, out: [act.output(ofport)] };
      local.push(port);
      vms.add(port);
    }
    local.push(...localRouterPorts(routerCtx, routersHere));

    // Table 0 and 10: each local port.
    for (const port of local) {
      const { name, mac, ofport, out } = port;
      flows.push(reuse(`classify-vm|${vni}|${name}|${ofport}`, () => flowMod({ tableId: Table.CLASSIFY, priority: Priority.MATCH,
        cookie: cookie(CookieKind.CLASSIFY_VM, vni, name), match: [{ field: 'in_port', value: ofport }], instructions: classify(vni, From.VM) })));
      const localUnicast = () => flowMod({ tableId: Table.L2, priority: Priority.LOCAL_UNICAST, cookie: cookie(CookieKind.L2_LOCAL, vni, name),
        match: [md(vni), { field: 'eth_dst', value: mac }], instructions: [inst.apply(...out)] });
      // A router interface's `out` may be a gate group: only a VM's is known from its ofport.
      flows.push(vms.has(port) ? reuse(`l2-local|${vni}|${name}|${mac}|${ofport}`, localUnicast) : localUnicast());
    }
    // Table 10: a local port's frames to a router interface, to the router's active gateway.
    routerUnicast(routerCtx, routersHere);

    // Table 10: VMs elsewhere, reached only from a local VM (never tunnel to tunnel). Not
    // before the VM is plugged in: until then its frames flood, as unknown unicast does, and
    // the node it is being plugged into is the one a change must reach first.
    for (const p of ports) {
      if (p.node === nodeName || p.up === false) continue;
      const tport = tunnelPort(p.node!, sw);
      if (tport === undefined) continue;
      flows.push(reuse(remoteUnicastRecipe(vni, p, tport), () => remoteUnicast(vni, p, tport)));
    }
    // Anything else floods, unknown unicast included (BUM): from a tunnel only to local ports
    // (table 20), so a sender's copy never comes back out, and a MAC behind a node that learns
    // (an L2 gateway) is reached wherever it sits.
    flows.push(reuse(`l2-flood|${vni}`, () => flowMod({ tableId: Table.L2, priority: Priority.FLOOD, cookie: cookie(CookieKind.L2_FLOOD, vni),
      match: [md(vni)], instructions: [inst.gotoTable(Table.FLOOD)] })));

    // Table 20 and the two flood groups. OVS never outputs to the ingress port, so one group
    // per switch serves every ingress port.
    const localBuckets: Bucket[] = [...local].sort((a, b) => a.ofport - b.ofport).map((l) => (vms.has(l) ? reuse(`bucket-vm|${l.ofport}`, () => bucket(l.out)) : bucket(l.out)));
    const toPhysical = gatewayFlows(sw, nodeName, facts, flows);
    if (toPhysical) localBuckets.push(bucket(toPhysical));
    const remoteBuckets: Bucket[] = [];
    if (sw.replication === 'source') {
      for (const remote of (hosts.get(sw.name) ?? []).filter((n) => n !== nodeName)) {
        const tport = tunnelPort(remote, sw);
        if (tport !== undefined) remoteBuckets.push(reuse(`bucket-tunnel|${vni}|${tport}`, () => bucket(toTunnel(vni, tport))));
      }
    } else {
      // One copy to the first live service node in this switch's order. Liveness is the tunnel
      // port's, which BFD drives, so a hypervisor moves on by itself when one dies. The local
      // copies sit in the `all` group, outside the failover choice.
      const failover: Bucket[] = [];
      for (const sn of serviceNodeOrder(logical, vni).filter((n) => n !== nodeName)) {
        const tport = tunnelPort(sn, sw);
        if (tport !== undefined) failover.push(bucket(toTunnel(vni, tport), { watchPort: tport }));
      }
      groups.push(groupMod({ groupType: 'fast_failover', groupId: serviceFailoverGroupId(vni), buckets: failover }));
      remoteBuckets.push(bucket([act.group(serviceFailoverGroupId(vni))]));
    }
    groups.push(groupMod({ groupType: 'all', groupId: floodLocalGroupId(vni), buckets: localBuckets }));
    groups.push(groupMod({ groupType: 'all', groupId: floodAllGroupId(vni), buckets: [...localBuckets, ...remoteBuckets] }));
    flows.push(reuse(`flood-from-vm|${vni}`, () => flowMod({ tableId: Table.FLOOD, priority: Priority.MATCH, cookie: cookie(CookieKind.FLOOD_FROM_VM, vni),
      match: [md(vni), from(From.VM)], instructions: [inst.apply(act.group(floodAllGroupId(vni)))] })));
    flows.push(reuse(`flood-from-tunnel|${vni}`, () => flowMod({ tableId: Table.FLOOD, priority: Priority.MATCH, cookie: cookie(CookieKind.FLOOD_FROM_TUNNEL, vni),
      match: [md(vni), from(From.TUNNEL)], instructions: [inst.apply(act.group(floodLocalGroupId(vni)))] })));
  }

  // Table 0: tunnel ingress, one flow per (tunnel, switch it carries that this node hosts).
  // A service node also classifies the switches it serves, straight into replication.
  const hosted = new Set(switches.map((s) => s.name));
  const self = logical.nodes.find((n) => n.name === nodeName);
  const served = new Map<string, StateSwitch>();
  for (const { tunnel, carries } of links) {
    const tport = facts.tunnelPorts.get(tunnel.name);
    if (tport === undefined) continue;
    for (const { sw, reasons } of carries) {
      const match = (): Match => [{ field: 'in_port', value: tport }, { field: 'tunnel_id', value: BigInt(sw.vni) }];
      if (hosted.has(sw.name) && reasons.some((r) => r === 'peer' || r === 'service')) {
        flows.push(reuse(`classify-tunnel|${sw.vni}|${tunnel.name}|${tport}`, () => flowMod({ tableId: Table.CLASSIFY, priority: Priority.MATCH,
          cookie: cookie(CookieKind.CLASSIFY_TUNNEL, sw.vni, tunnel.name), match: match(), instructions: classify(sw.vni, From.TUNNEL) })));
      } else if (self?.role === 'service-node' && reasons.includes('served')) {
        served.set(sw.name, sw);
        flows.push(reuse(`classify-served|${sw.vni}|${tunnel.name}|${tport}`, () => flowMod({ tableId: Table.CLASSIFY, priority: Priority.MATCH,
          cookie: cookie(CookieKind.CLASSIFY_SERVED, sw.vni, tunnel.name), match: match(), instructions: [inst.writeMetadata(BigInt(sw.vni)), inst.gotoTable(Table.REPLICATE)] })));
      }
    }
  }

  // Table 30 (service nodes): one copy to every node that carries the switch. The sender is among
  // them, but OVS never outputs to the ingress port, so it gets nothing back; nodes without the
  // switch have no bucket.
  for (const sw of [...served.values()].sort((a, b) => a.vni - b.vni)) {
    const buckets: Bucket[] = [];
    for (const remote of hosts.get(sw.name) ?? []) {
      const tport = remote === nodeName ? undefined : tunnelPort(remote, sw);
      if (tport !== undefined) buckets.push(bucket(toTunnel(sw.vni, tport)));
    }
    groups.push(groupMod({ groupType: 'all', groupId: replicateGroupId(sw.vni), buckets }));
    flows.push(reuse(`replicate|${sw.vni}`, () => flowMod({ tableId: Table.REPLICATE, priority: Priority.MATCH, cookie: cookie(CookieKind.REPLICATE, sw.vni),
      match: [md(sw.vni)], instructions: [inst.apply(act.group(replicateGroupId(sw.vni)))] })));
  }

  // Table 0 (L3 gateways): the routers' uplinks and the NICs they share.
  uplinkFlows(routerCtx);

  // Explicit table-miss drops: OpenFlow 1.3 drops anyway; these make dumps say so.
  for (const tableId of PIPELINE_TABLES) {
    flows.push(reuse(`miss|${tableId}`, () => flowMod({ tableId, priority: Priority.MISS, cookie: cookie(CookieKind.TABLE_MISS, 0, tableId) })));
  }
  // Groups are few (two per switch) and their buckets depend on many inputs: they are rebuilt,
  // and the previous object kept when its content is the same.
  const kept = memo ? groups.map((g) => memo.reuse(`group|${g.groupId}|${bucketsKey(g.groupType, g.buckets)}`, () => g)) : groups;
  memo?.done();
  return { flows: dedupe(flows), groups: kept };
}

/** Tunnels, flows and groups of one node: everything its br-int should hold. */
export function desiredState(logical: LogicalState, nodeName: string, facts: NodeFacts): DesiredState {
  return { tunnels: tunnelLinks(logical, nodeName).map((l) => l.tunnel), ...desiredFlows(logical, nodeName, facts) };
}

// Two logical ports with one MAC on one switch (the store refuses this) or one ofport reported
// for two ports would give two flows for one entry; the first, in name order, is kept. Not
// sorted: reconcile orders what it sends, and sorting was half of a recompute's time.
function dedupe(flows: FlowModMsg[]): FlowModMsg[] {
  const seen = new Set<string>();
  const unique: FlowModMsg[] = [];
  for (const f of flows) {
    const k = flowKey(f);
    if (seen.has(k)) continue;
    seen.add(k);
    unique.push(f);
  }
  return unique;
}
