// The flows and groups around logical routers (layout.ts, `router`; docs/controller.md, "L3
// gateways"). A router runs as a namespace on each of its gateways; these make exactly one of
// them active, with no controller in the loop: nodes reach a router interface through a
// fast_failover group over the gateways in priority order (table 10), and a standby gateway lets
// frames into its namespace (and out of its uplink) only while every better gateway's tunnel is
// down as its BFD sees it. On a gateway, table 0 wires the uplinks to their NIC.
import { act, bucket, flowMod, groupMod, inst, type Action, type Bucket, type Match } from '../../../openflow/index.ts';
import { cookie, routerFailoverGroupId, routerPortGateGroupId, uplinkGateInGroupId, uplinkGateOutGroupId } from '../ids.ts';
import { CookieKind, From, LAYOUT, Priority, Table } from '../layout.ts';
import { gateEncap, realisedRouters, routerGateways, routerIndex } from '../routers.ts';
import type { FlowModMsg, GroupModMsg } from '../types.ts';
import type { LocalPort, NodeContext, Stage, StageOutput } from './context.ts';
import { from, md, toTunnel } from './fields.ts';
import { type Encap, type StateSwitch, routerPortId, routerUplinkId } from '../../../model/index.ts';

const MULTICAST: Match[number] = { field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' };
const UNTAGGED: Match[number] = { field: 'vlan_vid', value: 0 };

/**
 * Buckets of a gate on the gateway at `better.length` in priority order: one per better gateway,
 * live while its tunnel is (BFD), doing nothing; then `out`, watching the port it delivers to.
 * The first live bucket wins, so `out` runs only once every better gateway is down. A better
 * gateway whose tunnel is not reported yet keeps the gate shut (a bucket that drops while the
 * port is up): two active gateways are worse than a moment with none.
 */
function gateBuckets(node: NodeContext, better: readonly string[], encap: Encap, out: Action[], watch: number): Bucket[] {
  const buckets: Bucket[] = [];
  for (const g of better) {
    const t = node.tunnelPort(g, encap);
    if (t === undefined) return [...buckets, bucket([], { watchPort: watch })];
    buckets.push(bucket([], { watchPort: t }));
  }
  return [...buckets, bucket(out, { watchPort: watch })];
}

/** The gate of a router interface on a standby gateway (a local port whose `out` is the gate):
 *  into the interface's port only while every better gateway is down. */
function portGate(node: NodeContext, port: LocalPort): GroupModMsg | undefined {
  if (!port.router || port.router.rank === 0) return undefined;
  const { place, rank } = port.router;
  return groupMod({
    groupType: 'fast_failover',
    groupId: routerPortGateGroupId(place.sw.vni, place.slot),
    buckets: gateBuckets(node, place.gateways.slice(0, rank), place.sw.encap, [act.output(port.ofport)], port.ofport),
  });
}

/**
 * Table 10 on every node carrying the switch: a local port's frame to a router interface goes
 * to the first live gateway in the router's order, through a fast_failover group whose buckets
 * watch the tunnels (BFD), or the interface's own port on the gateway itself. Above local
 * unicast, so that a standby gateway sends its local ports' frames to the active one.
 */
function routerUnicast(node: NodeContext, sw: StateSwitch, flows: FlowModMsg[], groups: GroupModMsg[]): void {
  const vni = sw.vni;
  for (const p of node.placesOf(sw)) {
    const buckets: Bucket[] = [];
    for (const g of p.gateways) {
      if (g === node.name) {
        const own = node.facts.vmPorts.get(routerPortId(p.router.name, sw.name));
        if (own !== undefined) buckets.push(bucket([act.output(own)], { watchPort: own }));
        continue;
      }
      const t = node.tunnelPort(g, sw.encap);
      if (t !== undefined) buckets.push(bucket(toTunnel(vni, t), { watchPort: t }));
    }
    const id = routerFailoverGroupId(vni, p.slot);
    groups.push(groupMod({ groupType: 'fast_failover', groupId: id, buckets }));
    // A distributed router routes on the node (distributed-router stage) and sends only what its
    // gateways must route into this group.
    if (p.router.distributed) continue;
    flows.push(
      flowMod({
        tableId: Table.L2,
        priority: Priority.ROUTER,
        cookie: cookie(CookieKind.ROUTER_UNICAST, vni, routerPortId(p.router.name, sw.name)),
        match: [md(vni), from(From.VM), { field: 'eth_dst', value: p.mac }],
        instructions: [inst.apply(act.group(id))],
      }),
    );
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
function uplinkFlows(node: NodeContext, flows: FlowModMsg[], groups: GroupModMsg[]): void {
  const index = routerIndex(node.logical);
  const byNic = new Map<number, Uplink[]>();
  for (const router of realisedRouters(node.logical)) {
    const gateways = routerGateways(node.logical, router);
    const k = gateways.findIndex((g) => g.node === node.name);
    if (k < 0 || !router.uplink) continue;
    const nic = node.facts.physicalPorts?.get(gateways[k]!.nic);
    const port = node.facts.vmPorts.get(routerUplinkId(router.name));
    if (nic === undefined || port === undefined) continue;
    let into = [act.output(port)];
    let out = [act.output(nic)];
    if (k > 0) {
      const better = gateways.slice(0, k).map((g) => g.node);
      const encap = gateEncap(node.logical, router);
      const r = index.get(router.name)!;
      groups.push(
        groupMod({ groupType: 'fast_failover', groupId: uplinkGateInGroupId(r), buckets: gateBuckets(node, better, encap, into, port) }),
      );
      groups.push(
        groupMod({ groupType: 'fast_failover', groupId: uplinkGateOutGroupId(r), buckets: gateBuckets(node, better, encap, out, nic) }),
      );
      into = [act.group(uplinkGateInGroupId(r))];
      out = [act.group(uplinkGateOutGroupId(r))];
    }
    let list = byNic.get(nic);
    if (!list) byNic.set(nic, (list = []));
    list.push({ router: router.name, mac: router.uplink.mac.toLowerCase(), nic, nicName: gateways[k]!.nic, port, into, out });
  }
  const flow = (priority: number, kind: CookieKind, subject: string, match: Match, actions: Action[]) =>
    flows.push(
      flowMod({ tableId: Table.CLASSIFY, priority, cookie: cookie(kind, 0, subject), match, instructions: [inst.apply(...actions)] }),
    );
  for (const [nic, uplinks] of [...byNic].sort((a, b) => a[0] - b[0])) {
    flow(
      Priority.MATCH,
      CookieKind.UPLINK_NIC_FLOOD,
      uplinks[0]!.nicName,
      [{ field: 'in_port', value: nic }, UNTAGGED, MULTICAST],
      uplinks.flatMap((u) => u.into),
    );
    for (const u of uplinks) {
      flow(
        Priority.MATCH,
        CookieKind.UPLINK_FROM_NIC,
        u.router,
        [{ field: 'in_port', value: nic }, UNTAGGED, { field: 'eth_dst', value: u.mac }],
        u.into,
      );
      flow(Priority.MATCH, CookieKind.UPLINK_TO_NIC, u.router, [{ field: 'in_port', value: u.port }], u.out);
      const others = uplinks.filter((o) => o !== u);
      if (others.length === 0) continue;
      flow(
        Priority.LOCAL_UNICAST,
        CookieKind.UPLINK_FLOOD,
        u.router,
        [{ field: 'in_port', value: u.port }, MULTICAST],
        [...u.out, ...others.flatMap((o) => o.into)],
      );
      for (const o of others) {
        flow(
          Priority.LOCAL_UNICAST,
          CookieKind.UPLINK_HAIRPIN,
          o.router,
          [
            { field: 'in_port', value: u.port },
            { field: 'eth_dst', value: o.mac },
          ],
          o.into,
        );
      }
    }
  }
}

function build(node: NodeContext): StageOutput {
  const flows: FlowModMsg[] = [];
  const groups: GroupModMsg[] = [];
  for (const sw of node.switches) {
    for (const port of node.localPorts(sw)) {
      const gate = portGate(node, port);
      if (gate) groups.push(gate);
    }
    routerUnicast(node, sw, flows, groups);
  }
  uplinkFlows(node, flows, groups);
  return { flows, groups };
}

export const router: Stage = { layout: LAYOUT.router, build };
