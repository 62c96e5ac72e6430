// Distributed logical routers (layout.ts, `distributed-router`; docs/controller.md, "Distributed
// routing"). Every node carrying one of a router's switches routes what its own ports send to the
// router: ARP and pings for the router's addresses are answered on the node (nothing for them
// crosses a tunnel), a frame to the router's MAC is routed by longest prefix with its TTL
// decremented and its MACs rewritten from the bindings the controller knows, and goes straight to
// the destination's port, or into the tunnel of its node with the destination switch's VNI: the
// packet crosses the underlay once. What only the router's gateways can reach (its uplink, an
// address on one of its networks that no port has) goes to them unchanged, through the router's
// failover group on the switch it came from (router stage), and is routed there as before.
import { act, flowMod, inst, Port, type Action, type Match } from '../../../openflow/index.ts';
import {
  formatIp,
  parseCidr,
  parseIfaceCidr,
  routerHostRouteId,
  routerPortId,
  routerStaticRouteId,
  routerUplinkId,
  type StatePort,
} from '../../../model/index.ts';
import { cookie, routerFailoverGroupId, routerMetadata } from '../ids.ts';
import { CookieKind, From, LAYOUT, ROUTER_ADDRESS_REG, ROUTER_IN_REG, RouterPriority, routePriority, Table } from '../layout.ts';
import { distributedRouters, type DistributedRouter, type RouterIface } from '../routers.ts';
import type { FlowModMsg } from '../types.ts';
import type { NodeContext, Stage, StageOutput } from './context.ts';
import { from, md, toTunnel } from './fields.ts';

const ETH_IP = 0x0800;
const ETH_ARP = 0x0806;
const PROTO_ICMP = 1;
const ARP = { REQUEST: 1, REPLY: 2 } as const;
const ICMP_ECHO = { REQUEST: 8, REPLY: 0 } as const;

const reg = (n: number, value: number): Match[number] => ({ field: `reg${n}` as 'reg3', value });
const inRouter = (r: DistributedRouter): Match[number] => ({ field: 'metadata', value: routerMetadata(r.router.name) });
const address = (ip: string) => formatIp(parseIfaceCidr(ip)!.ip);

/** Table 10 on a node carrying `i`'s switch: what the router answers itself, and into routing. */
function entryFlows(r: DistributedRouter, i: RouterIface): FlowModMsg[] {
  const vni = i.sw.vni;
  const port = routerPortId(r.router.name, i.sw.name);
  const toRouter: Match = [md(vni), from(From.VM), { field: 'eth_dst', value: i.mac }, { field: 'eth_type', value: ETH_IP }];
  const flow = (priority: number, kind: number, match: Match, instructions: FlowModMsg['instructions']) =>
    flowMod({ tableId: Table.L2, priority, cookie: cookie(kind as CookieKind, vni, port), match, instructions });
  const flows = [
    // ARP for the router's address on this switch, broadcast or unicast: answered out the port
    // it came in on, as the router would.
    flow(
      RouterPriority.ANSWER,
      CookieKind.ROUTER_ARP,
      [
        md(vni),
        from(From.VM),
        { field: 'eth_type', value: ETH_ARP },
        { field: 'arp_op', value: ARP.REQUEST },
        { field: 'arp_tpa', value: address(i.ip) },
      ],
      [
        inst.apply(
          act.move('eth_src', 'eth_dst'),
          act.setField({ field: 'eth_src', value: i.mac }),
          act.setField({ field: 'arp_op', value: ARP.REPLY }),
          act.move('arp_sha', 'arp_tha'),
          act.setField({ field: 'arp_sha', value: i.mac }),
          act.move('arp_spa', 'arp_tpa'),
          act.setField({ field: 'arp_spa', value: address(i.ip) }),
          act.output(Port.IN_PORT),
        ),
      ],
    ),
    // A ping to any of the router's addresses, answered from it.
    ...r.ifaces.map((a) =>
      flow(
        RouterPriority.ANSWER,
        CookieKind.ROUTER_ECHO,
        [
          ...toRouter,
          { field: 'ip_proto', value: PROTO_ICMP },
          { field: 'icmpv4_type', value: ICMP_ECHO.REQUEST },
          { field: 'ipv4_dst', value: address(a.ip) },
        ],
        [
          inst.apply(
            act.move('eth_src', 'eth_dst'),
            act.setField({ field: 'eth_src', value: i.mac }),
            act.move('ipv4_src', 'ipv4_dst'),
            act.setField({ field: 'ipv4_src', value: address(a.ip) }),
            act.setField({ field: 'icmpv4_type', value: ICMP_ECHO.REPLY }),
            act.output(Port.IN_PORT),
          ),
        ],
      ),
    ),
    // A TTL that would run out here: the controller answers with ICMP time exceeded, from the
    // router's address on this switch (in reg4).
    ...[0, 1].map((ttl) =>
      flow(
        RouterPriority.TTL,
        CookieKind.ROUTER_TTL,
        [...toRouter, { field: 'nw_ttl', value: ttl }],
        [
          inst.apply(
            act.setField({ field: `reg${ROUTER_ADDRESS_REG}` as 'reg4', value: parseIfaceCidr(i.ip)!.ip }),
            act.output(Port.CONTROLLER),
          ),
        ],
      ),
    ),
    flow(RouterPriority.ENTRY, CookieKind.ROUTER_IN, toRouter, [
      inst.apply(act.setField({ field: `reg${ROUTER_IN_REG}` as 'reg3', value: vni })),
      inst.writeMetadata(routerMetadata(r.router.name)),
      inst.gotoTable(Table.ROUTE),
    ]),
  ];
  return flows;
}

/** How a route reaches a port: TTL, the router's MAC on its switch, the port's MAC, then its own
 *  port on this node or the tunnel of its node; undefined while that is not reported. */
function toPort(node: NodeContext, i: RouterIface, p: StatePort): Action[] | undefined {
  const rewrite = [
    act.decTtl(),
    act.setField({ field: 'eth_src', value: i.mac }),
    act.setField({ field: 'eth_dst', value: p.mac.toLowerCase() }),
  ];
  if (p.node === node.name) {
    const local = node.localPorts(i.sw).find((l) => l.port?.name === p.name);
    return local ? [...rewrite, ...local.out] : undefined;
  }
  const tport = node.tunnelPort(p.node!, i.sw.encap);
  return tport === undefined ? undefined : [...rewrite, ...toTunnel(i.sw.vni, tport)];
}

/** Table 50: the router's routes, longest prefix first. */
function routeFlows(node: NodeContext, r: DistributedRouter): FlowModMsg[] {
  const flows: FlowModMsg[] = [];
  const name = r.router.name;
  const toGateway = r.gateways ? [inst.gotoTable(Table.TO_GATEWAY)] : [];
  const route = (prefix: string, connected: boolean, vni: number, subject: string, instructions: FlowModMsg['instructions']) => {
    const cidr = parseCidr(prefix, false)!;
    const dst: Match =
      cidr.prefixLength === 0
        ? []
        : [
            {
              field: 'ipv4_dst',
              value: formatIp(cidr.network),
              ...(cidr.prefixLength < 32 ? { mask: formatIp(maskOf(cidr.prefixLength)) } : {}),
            },
          ];
    flows.push(
      flowMod({
        tableId: Table.ROUTE,
        priority: routePriority(cidr.prefixLength, connected),
        cookie: cookie(CookieKind.ROUTE, vni, subject),
        match: [inRouter(r), { field: 'eth_type', value: ETH_IP }, ...dst],
        instructions,
      }),
    );
  };
  // A port's binding is known: straight to it.
  const ports = new Map<string, { i: RouterIface; p: StatePort }>();
  for (const i of r.ifaces) {
    for (const p of node.portsOf(i.sw)) {
      if (!p.ip || p.up === false) continue;
      ports.set(p.ip, { i, p });
      const actions = toPort(node, i, p);
      if (actions) route(`${p.ip}/32`, true, i.sw.vni, routerHostRouteId(name, p.name), [inst.apply(...actions)]);
    }
    // An address of its network no port has: the gateway's namespace asks for it, or nobody can.
    const net = parseCidr(i.ip, false)!;
    route(`${formatIp(net.network)}/${net.prefixLength}`, true, i.sw.vni, routerPortId(name, i.sw.name), toGateway);
  }
  for (const s of r.router.routes ?? []) {
    const hop = ports.get(s.nextHop);
    const actions = hop && toPort(node, hop.i, hop.p);
    route(s.prefix, false, 0, routerStaticRouteId(name, s.prefix), actions ? [inst.apply(...actions)] : toGateway);
  }
  if (r.gateways && r.router.uplink) route('0.0.0.0/0', true, 0, routerUplinkId(name), toGateway);
  return flows;
}

const maskOf = (prefixLength: number): number => (prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0);

/** Table 51: to the router's first live gateway, through its failover group on the switch the
 *  frame came from (the router stage's), unchanged: the gateway routes it. */
function gatewayFlows(node: NodeContext, r: DistributedRouter, i: RouterIface): FlowModMsg[] {
  const place = node.placesOf(i.sw).find((p) => p.router.name === r.router.name);
  if (!place) return [];
  return [
    flowMod({
      tableId: Table.TO_GATEWAY,
      priority: RouterPriority.ENTRY,
      cookie: cookie(CookieKind.ROUTE_TO_GATEWAY, i.sw.vni, routerPortId(r.router.name, i.sw.name)),
      match: [inRouter(r), reg(ROUTER_IN_REG, i.sw.vni)],
      instructions: [inst.apply(act.group(routerFailoverGroupId(i.sw.vni, place.slot)))],
    }),
  ];
}

function build(node: NodeContext): StageOutput {
  const flows: FlowModMsg[] = [];
  const carried = new Set(node.switches.map((s) => s.name));
  let any = false;
  for (const r of distributedRouters(node.logical)) {
    const here = r.ifaces.filter((i) => carried.has(i.sw.name));
    if (here.length === 0) continue;
    any = true;
    for (const i of here) flows.push(...entryFlows(r, i), ...(r.gateways ? gatewayFlows(node, r, i) : []));
    flows.push(...routeFlows(node, r));
  }
  if (any)
    flows.push(
      flowMod({ tableId: Table.ROUTE, priority: RouterPriority.NO_ROUTE, cookie: cookie(CookieKind.NO_ROUTE, 0, Table.ROUTE), match: [] }),
    );
  return { flows, groups: [] };
}

export const distributedRouter: Stage = { layout: LAYOUT.distributedRouter, build };
