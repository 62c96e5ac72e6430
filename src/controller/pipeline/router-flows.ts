// The flows and groups around logical routers (docs/controller.md, "L3 gateways"). A router runs
// as a namespace on each of its gateways; these make exactly one of them active, with no
// controller in the loop: nodes reach a router interface through a fast_failover group over the
// gateways in priority order, and a standby gateway lets frames into its namespace (and out of
// its uplink) only while every better gateway's tunnel is down as its BFD sees it.
import { act, bucket, flowMod, groupMod, inst, type Action, type Bucket, type Match } from '../../openflow/index.ts';
import { CookieKind, cookie, From, Priority, routerFailoverGroupId, routerPortGateGroupId, Table, uplinkGateInGroupId, uplinkGateOutGroupId } from './ids.ts';
import { gateEncap, realisedRouters, routerGateways, routerIndex, type RouterInterfacePlace } from './routers.ts';
import type { FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import { type Encap, type LogicalState, routerPortId, routerUplinkId } from '../../model/index.ts';

export interface RouterContext {
  logical: LogicalState;
  nodeName: string;
  facts: NodeFacts;
  /** OpenFlow port of the tunnel towards `remote` with `encap`, once the switch reports it. */
  tunnelPort(remote: string, encap: Encap): number | undefined;
  flows: FlowModMsg[];
  groups: GroupModMsg[];
}

/** A port of a switch on this node: a VM, or a router interface on one of the router's gateways.
 *  `out` delivers to it (through the gate on a standby gateway). */
export interface LocalPort {
  name: string;
  mac: string;
  ofport: number;
  out: Action[];
}

const MULTICAST: Match[number] = { field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' };
const UNTAGGED: Match[number] = { field: 'vlan_vid', value: 0 };
const toTunnel = (vni: number, ofport: number): Action[] => [act.setField({ field: 'tunnel_id', value: BigInt(vni) }), act.output(ofport)];

/**
 * Buckets of a gate on the gateway at `better.length` in priority order: one per better gateway,
 * live while its tunnel is (BFD), doing nothing; then `out`, watching the port it delivers to.
 * The first live bucket wins, so `out` runs only once every better gateway is down. A better
 * gateway whose tunnel is not reported yet keeps the gate shut (a bucket that drops while the
 * port is up): two active gateways are worse than a moment with none.
 */
function gateBuckets(ctx: RouterContext, better: readonly string[], encap: Encap, out: Action[], watch: number): Bucket[] {
  const buckets: Bucket[] = [];
  for (const g of better) {
    const t = ctx.tunnelPort(g, encap);
    if (t === undefined) return [...buckets, bucket([], { watchPort: watch })];
    buckets.push(bucket([], { watchPort: t }));
  }
  return [...buckets, bucket(out, { watchPort: watch })];
}

/**
 * The router interfaces of one switch that sit on this node (it is one of the router's gateways
 * and has the interface's port), as local ports. The first gateway delivers straight to the
 * port; a standby one through the interface's gate group, added to `ctx.groups`.
 */
export function localRouterPorts(ctx: RouterContext, places: readonly RouterInterfacePlace[]): LocalPort[] {
  const out: LocalPort[] = [];
  for (const p of places) {
    const k = p.gateways.indexOf(ctx.nodeName);
    const name = routerPortId(p.router.name, p.sw.name);
    const ofport = ctx.facts.vmPorts.get(name);
    if (k < 0 || ofport === undefined) continue;
    if (k === 0) {
      out.push({ name, mac: p.mac, ofport, out: [act.output(ofport)] });
      continue;
    }
    const id = routerPortGateGroupId(p.sw.vni, p.slot);
    ctx.groups.push(groupMod({ groupType: 'fast_failover', groupId: id, buckets: gateBuckets(ctx, p.gateways.slice(0, k), p.sw.encap, [act.output(ofport)], ofport) }));
    out.push({ name, mac: p.mac, ofport, out: [act.group(id)] });
  }
  return out;
}

/**
 * Table 10 on every node carrying the switch: a local port's frame to a router interface goes
 * to the first live gateway in the router's order, through a fast_failover group whose buckets
 * watch the tunnels (BFD), or the interface's own port on the gateway itself. Above local
 * unicast, so that a standby gateway sends its local ports' frames to the active one.
 */
export function routerUnicast(ctx: RouterContext, places: readonly RouterInterfacePlace[]): void {
  for (const p of places) {
    const vni = p.sw.vni;
    const buckets: Bucket[] = [];
    for (const g of p.gateways) {
      if (g === ctx.nodeName) {
        const own = ctx.facts.vmPorts.get(routerPortId(p.router.name, p.sw.name));
        if (own !== undefined) buckets.push(bucket([act.output(own)], { watchPort: own }));
        continue;
      }
      const t = ctx.tunnelPort(g, p.sw.encap);
      if (t !== undefined) buckets.push(bucket(toTunnel(vni, t), { watchPort: t }));
    }
    const id = routerFailoverGroupId(vni, p.slot);
    ctx.groups.push(groupMod({ groupType: 'fast_failover', groupId: id, buckets }));
    ctx.flows.push(flowMod({ tableId: Table.L2, priority: Priority.ROUTER, cookie: cookie(CookieKind.ROUTER_UNICAST, vni, routerPortId(p.router.name, p.sw.name)),
      match: [{ field: 'metadata', value: BigInt(vni) }, { field: 'reg6', value: From.VM }, { field: 'eth_dst', value: p.mac }],
      instructions: [inst.apply(act.group(id))] }));
  }
}

interface Uplink {
  router: string;
  mac: string;
  nic: number;
  nicName: string;
  port: number;
  /** Into the uplink port / out the NIC: direct on the first gateway, else through a gate. */
  into: Action[];
  out: Action[];
}

/**
 * Table 0 on a gateway: the uplinks of the routers it hosts, wired to its NIC on their network.
 * From the NIC (untagged only), frames to an uplink's MAC go into it and broadcast and multicast
 * into every uplink on that NIC; an uplink's frames go out the NIC, or to another uplink on the
 * same NIC (the NIC would never bring them back). A standby gateway gates both ways.
 */
export function uplinkFlows(ctx: RouterContext): void {
  const index = routerIndex(ctx.logical);
  const byNic = new Map<number, Uplink[]>();
  for (const router of realisedRouters(ctx.logical)) {
    const gateways = routerGateways(ctx.logical, router);
    const k = gateways.findIndex((g) => g.node === ctx.nodeName);
    if (k < 0 || !router.uplink) continue;
    const nic = ctx.facts.physicalPorts?.get(gateways[k]!.nic);
    const port = ctx.facts.vmPorts.get(routerUplinkId(router.name));
    if (nic === undefined || port === undefined) continue;
    let into = [act.output(port)];
    let out = [act.output(nic)];
    if (k > 0) {
      const better = gateways.slice(0, k).map((g) => g.node);
      const encap = gateEncap(ctx.logical, router);
      const r = index.get(router.name)!;
      ctx.groups.push(groupMod({ groupType: 'fast_failover', groupId: uplinkGateInGroupId(r), buckets: gateBuckets(ctx, better, encap, into, port) }));
      ctx.groups.push(groupMod({ groupType: 'fast_failover', groupId: uplinkGateOutGroupId(r), buckets: gateBuckets(ctx, better, encap, out, nic) }));
      into = [act.group(uplinkGateInGroupId(r))];
      out = [act.group(uplinkGateOutGroupId(r))];
    }
    let list = byNic.get(nic);
    if (!list) byNic.set(nic, (list = []));
    list.push({ router: router.name, mac: router.uplink.mac.toLowerCase(), nic, nicName: gateways[k]!.nic, port, into, out });
  }
  const flow = (priority: number, kind: CookieKind, subject: string, match: Match, actions: Action[]) =>
    ctx.flows.push(flowMod({ tableId: Table.CLASSIFY, priority, cookie: cookie(kind, 0, subject), match, instructions: [inst.apply(...actions)] }));
  for (const [nic, uplinks] of [...byNic].sort((a, b) => a[0] - b[0])) {
    flow(Priority.MATCH, CookieKind.UPLINK_NIC_FLOOD, uplinks[0]!.nicName, [{ field: 'in_port', value: nic }, UNTAGGED, MULTICAST], uplinks.flatMap((u) => u.into));
    for (const u of uplinks) {
      flow(Priority.MATCH, CookieKind.UPLINK_FROM_NIC, u.router, [{ field: 'in_port', value: nic }, UNTAGGED, { field: 'eth_dst', value: u.mac }], u.into);
      flow(Priority.MATCH, CookieKind.UPLINK_TO_NIC, u.router, [{ field: 'in_port', value: u.port }], u.out);
      const others = uplinks.filter((o) => o !== u);
      if (others.length === 0) continue;
      flow(Priority.LOCAL_UNICAST, CookieKind.UPLINK_FLOOD, u.router, [{ field: 'in_port', value: u.port }, MULTICAST], [...u.out, ...others.flatMap((o) => o.into)]);
      for (const o of others) {
        flow(Priority.LOCAL_UNICAST, CookieKind.UPLINK_HAIRPIN, o.router, [{ field: 'in_port', value: u.port }, { field: 'eth_dst', value: o.mac }], o.into);
      }
    }
  }
}
