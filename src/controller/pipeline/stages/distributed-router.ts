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
  contains,
  formatIp,
  parseCidr,
  parseIfaceCidr,
  parseIp,
  routerBindingRouteId,
  routerHostRouteId,
  routerPortId,
  routerStaticRouteId,
  routerUplinkId,
  type StateMacBinding,
  type StatePort,
} from '../../../model/index.ts';
import { cookie, routerFailoverGroupId, routerMetadata } from '../ids.ts';
import {
  CookieKind,
  From,
  LAYOUT,
  NEXT_HOP_REG,
  ROUTER_ADDRESS_REG,
  ROUTER_IN_REG,
  RouterPriority,
  routePriority,
  Table,
} from '../layout.ts';
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

/** Where the router's answers go: back out of the port the request came in on; from an L2
 *  gateway's tagged NIC, tagged again (the request's tag was popped when it came in). */
function answerWays(node: NodeContext, i: RouterIface): { priority: number; match: Match; out: Action[] }[] {
  const ways: { priority: number; match: Match; out: Action[] }[] = [
    { priority: RouterPriority.ANSWER, match: [], out: [act.output(Port.IN_PORT)] },
  ];
  const nic = node.gatewayNic(i.sw);
  if (nic?.tagged)
    ways.push({
      priority: RouterPriority.ANSWER_TAGGED,
      match: [{ field: 'in_port', value: nic.ofport }],
      out: [act.pushVlan(), act.setField({ field: 'vlan_vid', value: nic.vid }), act.output(Port.IN_PORT)],
    });
  return ways;
}

/** Table 10 on a node carrying `i`'s switch: what the router answers itself, and into routing. */
function entryFlows(node: NodeContext, r: DistributedRouter, i: RouterIface): FlowModMsg[] {
  const vni = i.sw.vni;
  const port = routerPortId(r.router.name, i.sw.name);
  const toRouter: Match = [md(vni), from(From.VM), { field: 'eth_dst', value: i.mac }, { field: 'eth_type', value: ETH_IP }];
  const flow = (priority: number, kind: number, match: Match, instructions: FlowModMsg['instructions']) =>
    flowMod({ tableId: Table.L2, priority, cookie: cookie(kind as CookieKind, vni, port), match, instructions });
  const flows = [
    ...answerWays(node, i).flatMap(({ priority, match, out }) => [
      // ARP for the router's address on this switch, broadcast or unicast: answered as the
      // router would.
      flow(
        priority,
        CookieKind.ROUTER_ARP,
        [
          md(vni),
          from(From.VM),
          ...match,
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
            ...out,
          ),
        ],
      ),
      // A ping to any of the router's addresses, answered from it.
      ...r.ifaces.map((a) =>
        flow(
          priority,
          CookieKind.ROUTER_ECHO,
          [
            ...toRouter,
            ...match,
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
              ...out,
            ),
          ],
        ),
      ),
    ]),
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
    // Without gateways, the router learns what no port tells it from ARP replies to its address.
    ...(r.gateways
      ? []
      : [
          flow(
            RouterPriority.ANSWER,
            CookieKind.ROUTER_LEARN,
            [
              md(vni),
              from(From.VM),
              { field: 'eth_type', value: ETH_ARP },
              { field: 'arp_op', value: ARP.REPLY },
              { field: 'arp_tpa', value: address(i.ip) },
            ],
            [inst.apply(act.output(Port.CONTROLLER))],
          ),
        ]),
    flow(RouterPriority.ENTRY, CookieKind.ROUTER_IN, toRouter, [
      inst.apply(act.setField({ field: `reg${ROUTER_IN_REG}` as 'reg3', value: vni })),
      inst.writeMetadata(routerMetadata(r.router.name)),
      inst.gotoTable(Table.ROUTE),
    ]),
  ];
  return flows;
}

/** TTL, the router's MAC on the destination's switch, the destination's MAC. */
const rewrite = (i: RouterIface, mac: string): Action[] => [
  act.decTtl(),
  act.setField({ field: 'eth_src', value: i.mac }),
  act.setField({ field: 'eth_dst', value: mac.toLowerCase() }),
];

/** Into a port of `i`'s switch: its own delivery on this node, or the tunnel of its node;
 *  undefined while that is not reported. */
function intoPort(node: NodeContext, i: RouterIface, p: StatePort): Action[] | undefined {
  if (p.node === node.name) return node.localPorts(i.sw).find((l) => l.port?.name === p.name)?.out;
  const tport = node.tunnelPort(p.node!, i.sw.encap);
  return tport === undefined ? undefined : toTunnel(i.sw.vni, tport);
}

/** Towards a learned address: the port with its MAC (a VM's second address), else the switch's L2
 *  gateway (out its NIC on that node, else the tunnel of that node). */
function intoBinding(node: NodeContext, i: RouterIface, b: StateMacBinding): Action[] | undefined {
  const port = node.portsOf(i.sw).find((p) => p.mac.toLowerCase() === b.mac && p.up !== false);
  if (port) return intoPort(node, i, port);
  const gateway = i.sw.l2Gateway?.node;
  if (gateway === undefined) return undefined;
  if (gateway === node.name) return node.gatewayNic(i.sw)?.out;
  const tport = node.tunnelPort(gateway, i.sw.encap);
  return tport === undefined ? undefined : toTunnel(i.sw.vni, tport);
}

/** An address the router knows the MAC of, on one of its switches: how to get there (undefined
 *  while that is not reported) and what names the route. */
interface Known {
  i: RouterIface;
  subject: string;
  actions: Action[] | undefined;
}

/** Every address the router knows: its switches' bound ports, then learned bindings no port has. */
function knownAddresses(node: NodeContext, r: DistributedRouter): Map<string, Known> {
  const known = new Map<string, Known>();
  for (const i of r.ifaces) {
    for (const p of node.portsOf(i.sw)) {
      if (!p.ip || p.up === false || known.has(p.ip)) continue;
      const into = intoPort(node, i, p);
      known.set(p.ip, { i, subject: routerHostRouteId(r.router.name, p.name), actions: into && [...rewrite(i, p.mac), ...into] });
    }
  }
  for (const b of node.logical.macBindings ?? []) {
    const i = r.ifaces.find((x) => x.sw.name === b.switch);
    if (!i || known.has(b.ip)) continue;
    const into = intoBinding(node, i, b);
    known.set(b.ip, { i, subject: routerBindingRouteId(r.router.name, b.ip), actions: into && [...rewrite(i, b.mac), ...into] });
  }
  return known;
}

/** What a router without gateways does with an address of `i`'s network it knows no MAC of (the
 *  next hop `via`, or the destination): asks the controller, which sends an ARP request from the
 *  router into the switch (its MAC as the frame's source, its address in reg4, the address in
 *  reg0 when it is a next hop); the packet goes no further. */
const resolve = (i: RouterIface, via?: string): Action[] => [
  act.setField({ field: 'eth_src', value: i.mac }),
  act.setField({ field: `reg${ROUTER_ADDRESS_REG}` as 'reg4', value: parseIfaceCidr(i.ip)!.ip }),
  ...(via === undefined ? [] : [act.setField({ field: `reg${NEXT_HOP_REG}` as 'reg0', value: parseIp(via)! })]),
  act.output(Port.CONTROLLER),
];

/** Table 50: the router's routes, longest prefix first. */
function routeFlows(node: NodeContext, r: DistributedRouter): FlowModMsg[] {
  const flows: FlowModMsg[] = [];
  const name = r.router.name;
  const toGateway = r.gateways ? [inst.gotoTable(Table.TO_GATEWAY)] : [];
  const route = (
    prefix: string,
    connected: boolean,
    vni: number,
    subject: string,
    instructions: FlowModMsg['instructions'],
    kind: number = CookieKind.ROUTE,
  ) => {
    const cidr = parseCidr(prefix, false)!;
    const mask = cidr.prefixLength < 32 ? { mask: formatIp(maskOf(cidr.prefixLength)) } : {};
    const dst: Match = cidr.prefixLength === 0 ? [] : [{ field: 'ipv4_dst', value: formatIp(cidr.network), ...mask }];
    flows.push(
      flowMod({
        tableId: Table.ROUTE,
        priority: routePriority(cidr.prefixLength, connected),
        cookie: cookie(kind as CookieKind, vni, subject),
        match: [inRouter(r), { field: 'eth_type', value: ETH_IP }, ...dst],
        instructions,
      }),
    );
  };
  // An address the router knows the MAC of: straight to it.
  const known = knownAddresses(node, r);
  for (const [ip, k] of known) if (k.actions) route(`${ip}/32`, true, k.i.sw.vni, k.subject, [inst.apply(...k.actions)]);
  // Another address of its networks: the gateway's namespace asks for it, or the controller.
  for (const i of r.ifaces) {
    const net = parseCidr(i.ip, false)!;
    const subnet = `${formatIp(net.network)}/${net.prefixLength}`;
    if (r.gateways) route(subnet, true, i.sw.vni, routerPortId(name, i.sw.name), toGateway);
    else route(subnet, true, i.sw.vni, routerPortId(name, i.sw.name), [inst.apply(...resolve(i))], CookieKind.ROUTER_RESOLVE);
  }
  for (const s of r.router.routes ?? []) {
    const subject = routerStaticRouteId(name, s.prefix);
    const hop = known.get(s.nextHop);
    if (hop?.actions) route(s.prefix, false, hop.i.sw.vni, subject, [inst.apply(...hop.actions)]);
    else if (r.gateways) route(s.prefix, false, 0, subject, toGateway);
    else {
      const on = r.ifaces.find((i) => contains(parseCidr(i.ip, false)!, parseIp(s.nextHop)!));
      if (on) route(s.prefix, false, on.sw.vni, subject, [inst.apply(...resolve(on, s.nextHop))], CookieKind.ROUTER_RESOLVE);
    }
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

/** Table 52: where the controller's ARP request for an address of `i`'s switch goes (packet-out
 *  with metadata = its VNI): flooded on this node when it carries the switch, else into the
 *  tunnel of every node that does. */
function resolveOutFlow(node: NodeContext, router: string, i: RouterIface): FlowModMsg | undefined {
  const vni = i.sw.vni;
  const hosts = node.hosts.get(i.sw.name) ?? [];
  const out: Action[] = hosts.includes(node.name)
    ? [act.setField({ field: 'reg6', value: From.VM }), act.resubmit(Table.FLOOD)]
    : hosts.flatMap((h) => {
        const t = node.tunnelPort(h, i.sw.encap);
        return t === undefined ? [] : toTunnel(vni, t);
      });
  if (out.length === 0) return undefined;
  return flowMod({
    tableId: Table.RESOLVE_OUT,
    priority: RouterPriority.ENTRY,
    cookie: cookie(CookieKind.ROUTER_RESOLVE, vni, routerPortId(router, i.sw.name)),
    match: [md(vni)],
    instructions: [inst.apply(...out)],
  });
}

function build(node: NodeContext): StageOutput {
  const flows: FlowModMsg[] = [];
  const carried = new Set(node.switches.map((s) => s.name));
  let any = false;
  const resolveOut = new Map<string, FlowModMsg | undefined>();
  for (const r of distributedRouters(node.logical)) {
    const here = r.ifaces.filter((i) => carried.has(i.sw.name));
    if (here.length === 0) continue;
    any = true;
    for (const i of here) flows.push(...entryFlows(node, r, i), ...(r.gateways ? gatewayFlows(node, r, i) : []));
    // One flow per switch, whichever router asks first (they all flood the same way).
    if (!r.gateways)
      for (const i of r.ifaces) if (!resolveOut.has(i.sw.name)) resolveOut.set(i.sw.name, resolveOutFlow(node, r.router.name, i));
    flows.push(...routeFlows(node, r));
  }
  for (const f of resolveOut.values()) if (f) flows.push(f);
  if (any)
    flows.push(
      flowMod({ tableId: Table.ROUTE, priority: RouterPriority.NO_ROUTE, cookie: cookie(CookieKind.NO_ROUTE, 0, Table.ROUTE), match: [] }),
    );
  return { flows, groups: [] };
}

export const distributedRouter: Stage = { layout: LAYOUT.distributedRouter, build };
