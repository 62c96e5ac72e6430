// A flow's cookie read back as the logical object that made it: the operations tools explain
// every rule a packet went through in the logical network's words (as ovn-detrace does for OVN).
// The cookie holds the kind of flow, the switch's VNI and 32 bits of a hash of its subject (a
// port, tunnel, router port or NIC name); the subject is found by hashing the names the logical
// state has.
import {
  ENCAPS,
  routerBindingRouteId,
  routerHostRouteId,
  routerPortId,
  routerStaticRouteId,
  routerUplinkId,
  type LogicalState,
  type StateRule,
} from '../../model/index.ts';
import { cookieKind, cookieVni, nameHash32 } from './ids.ts';
import { CookieKind, Table } from './layout.ts';
import { tunnelName } from './tunnels.ts';
import { DEFAULT_EGRESS_MARK, ruleMark } from './stages/acl.ts';

export interface RuleMeaning {
  /** The kind's name in layout.ts (CLASSIFY_VM, L2_REMOTE, ...), or `unknown`. */
  kind: string;
  /** The switch the rule is for, by its VNI, where it has one. */
  switch?: string;
  /** The port, tunnel, router port or NIC it is about, where it has one. */
  subject?: string;
  /** A sentence: "classify port web1 into switch web". */
  text: string;
  /** A security group rule's action (ACL_RULE and ACL_ESTABLISHED): a drop says "rejected" for `reject`. */
  action?: StateRule['action'];
  /** A security decision that may drop (port security, a rule, a port's default, an invalid
   *  state), as a drop names it: "rule 2 of group web (drop ingress tcp 22 from 0.0.0.0/0)". */
  decision?: string;
}

const KIND_NAMES = new Map<number, string>(Object.entries(CookieKind).map(([name, value]) => [value, name]));
const TABLE_NAMES = new Map<number, string>(Object.entries(Table).map(([name, value]) => [value, name.toLowerCase()]));

/** Every name a cookie's subject may hash from, by its 32-bit hash; computed once per state. */
const subjectsCache = new WeakMap<LogicalState, Map<number, string>>();

function subjects(logical: LogicalState): Map<number, string> {
  let known = subjectsCache.get(logical);
  if (known) return known;
  known = new Map();
  const add = (name: string) => known!.set(nameHash32(name), name);
  for (const p of logical.ports) add(p.name);
  for (const n of logical.nodes) for (const e of ENCAPS) add(tunnelName(n.name, e));
  for (const s of logical.switches) if (s.l2Gateway) add(s.l2Gateway.nic);
  for (const r of logical.routers ?? []) {
    add(r.name);
    add(routerUplinkId(r.name));
    for (const i of r.interfaces) add(routerPortId(r.name, i.switch));
    for (const t of r.routes ?? []) add(routerStaticRouteId(r.name, t.prefix));
    if (r.distributed) {
      const joined = new Set(r.interfaces.map((i) => i.switch));
      for (const p of logical.ports) if (joined.has(p.switch)) add(routerHostRouteId(r.name, p.name));
      for (const b of logical.macBindings ?? []) if (joined.has(b.switch)) add(routerBindingRouteId(r.name, b.ip));
    }
    for (const g of r.uplink?.gateways ?? []) add(g.nic);
  }
  subjectsCache.set(logical, known);
  return known;
}

/** Every rule of every group by its mark (ACL cookies carry it): "rule 2 of group web". */
const rulesCache = new WeakMap<LogicalState, Map<number, { text: string; action?: StateRule['action'] }>>();

function rules(logical: LogicalState): Map<number, { text: string; action?: StateRule['action'] }> {
  let known = rulesCache.get(logical);
  if (known) return known;
  known = new Map([[DEFAULT_EGRESS_MARK, { text: 'the default egress (allowed)' }]]);
  for (const g of logical.securityGroups ?? [])
    for (const r of g.rules)
      if (!known.has(ruleMark(g.name, r))) known.set(ruleMark(g.name, r), { text: ruleText(g.name, r), action: r.action });
  rulesCache.set(logical, known);
  return known;
}

/** "rule 2 of group web (allow ingress tcp 80 from 0.0.0.0/0)". */
export function ruleText(group: string, r: StateRule): string {
  const ports = r.ports ? ` ${r.ports.min === r.ports.max ? r.ports.min : `${r.ports.min}-${r.ports.max}`}` : '';
  const remote = 'cidr' in r.remote ? r.remote.cidr : `group ${r.remote.group}`;
  return `rule ${r.index + 1} of group ${group} (${r.action} ${r.direction} ${r.protocol}${ports} ${r.direction === 'ingress' ? 'from' : 'to'} ${remote})`;
}

/** What the flow with this cookie is for, in the logical network's words. */
export function explainCookie(cookie: bigint, logical: LogicalState, table?: number): RuleMeaning {
  const kindValue = cookieKind(cookie);
  const kind = KIND_NAMES.get(kindValue) ?? 'unknown';
  const vni = cookieVni(cookie);
  const low = Number(cookie & 0xffffffffn);
  const sw = vni === 0 ? undefined : logical.switches.find((s) => s.vni === vni)?.name;
  const subject = subjects(logical).get(low);
  const on = sw ? ` on switch ${sw}` : vni ? ` on VNI ${vni}` : '';
  const name = subject ?? (low ? `0x${low.toString(16).padStart(8, '0')}` : '');
  const texts: Record<string, string> = {
    CLASSIFY_VM: `classify what port ${name} sends${on}`,
    CLASSIFY_TUNNEL: `classify what tunnel ${name} brings${on}`,
    CLASSIFY_SERVED: `service node: take what tunnel ${name} brings${on} to replication`,
    CLASSIFY_PHYSICAL: `L2 gateway: classify what NIC ${name} brings from the physical network${on}`,
    L2_LOCAL: `deliver to local port ${name}${on}`,
    L2_REMOTE: `send to port ${name}${on} through the tunnel of its node`,
    L2_FLOOD: `flood what has no known destination${on}`,
    FLOOD_FROM_VM: `flood a local port's frame${on}: local ports and the other nodes`,
    FLOOD_FROM_TUNNEL: `flood a tunnel's frame${on} to local ports only`,
    REPLICATE: `service node: replicate${on} to every node carrying the switch`,
    L2GW_FROM_TUNNEL: `L2 gateway: look a tunnel's frame up among the physical MACs${on}`,
    L2GW_TO_PHYSICAL: `L2 gateway: out to the physical network${on}`,
    L2GW_LEARNED: `L2 gateway: a physical MAC learned${on}`,
    ROUTER_UNICAST: `to router port ${name}${on}, through the router's active gateway`,
    UPLINK_FROM_NIC: `L3 gateway: from NIC to uplink ${name}`,
    UPLINK_NIC_FLOOD: `L3 gateway: NIC ${name}'s broadcast to every uplink on it`,
    UPLINK_TO_NIC: `L3 gateway: uplink ${name} out to its NIC`,
    UPLINK_HAIRPIN: `L3 gateway: uplink ${name} to another router's uplink on the same NIC`,
    UPLINK_FLOOD: `L3 gateway: uplink ${name}'s broadcast to the NIC and the other uplinks`,
  };
  const acl = rules(logical).get(low);
  const rule = acl?.text ?? `an unknown rule (mark 0x${low.toString(16)})`;
  Object.assign(texts, {
    PORT_SECURITY: `port security: port ${name} sends from its own addresses${on}`,
    PORT_SECURITY_DROP: `port security: drop what port ${name} sends from another address${on}`,
    ACL_TRACK: `security groups: track port ${name}'s connections in its zone${on}`,
    ACL_ESTABLISHED: `security groups: an established connection allowed by ${rule}${on}`,
    ACL_RULE: `security groups: ${rule}${on}`,
    ACL_DEFAULT: `security groups: port ${name}'s default (ingress dropped, egress allowed)${on}`,
    ACL_INVALID: `security groups: drop an invalid connection state${on}`,
  });
  const decisions: Record<string, string> = {
    PORT_SECURITY_DROP: `port security of port ${name}: a frame from an address not its own`,
    ACL_RULE: rule,
    ACL_DEFAULT:
      table === Table.ACL_OUT_DECIDE
        ? `the default of port ${name}'s groups: a reply of a connection no rule allowed`
        : `the default of port ${name}'s groups: no rule lets it in`,
    ACL_INVALID: `conntrack at port ${name}: an invalid connection state`,
  };
  Object.assign(texts, routerTexts(subject, name, on, logical));
  let text = texts[kind];
  if (kind === 'TABLE_MISS') {
    const t = table ?? low;
    text = `drop: nothing else matches in table ${t}${TABLE_NAMES.has(t) ? ` (${TABLE_NAMES.get(t)})` : ''}`;
  }
  return {
    kind,
    ...(sw ? { switch: sw } : {}),
    ...(subject ? { subject } : {}),
    ...(acl?.action && (kind === 'ACL_RULE' || kind === 'ACL_ESTABLISHED') ? { action: acl.action } : {}),
    ...(decisions[kind] ? { decision: decisions[kind] } : {}),
    text: text ?? `a flow nvlab did not make (cookie 0x${cookie.toString(16).padStart(16, '0')})`,
  };
}

/** A distributed router's flows, by their subject: `lrp:R:S` (its interface on S), `lrh:R:P` (its
 *  route to port P), `lrr:R:PREFIX` (a static route), `lru:R` (its uplink, the default route). */
function routerTexts(subject: string | undefined, name: string, on: string, logical: LogicalState): Record<string, string> {
  const [prefix, router, rest] = subject ? splitSubject(subject) : ['', name, ''];
  const route = (() => {
    if (prefix === 'lrh') {
      const port = logical.ports.find((p) => p.name === rest);
      return `to port ${rest}${port?.ip ? ` (${port.ip})` : ''}${on}, its MAC known: TTL lowered, MACs rewritten`;
    }
    if (prefix === 'lrr') {
      const r = logical.routers?.find((x) => x.name === router)?.routes?.find((t) => t.prefix === rest);
      return `static route ${rest}${r ? ` via ${r.nextHop}` : ''}`;
    }
    if (prefix === 'lru') return 'default route, through its gateway';
    if (prefix === 'lrb') {
      const b = logical.macBindings?.find((x) => x.ip === rest);
      return `to ${rest}${on}, its MAC learned${b ? ` (${b.mac})` : ''}: TTL lowered, MACs rewritten`;
    }
    if (prefix === 'lrp') return `a network of its interface${on} (an address no port has: to its gateway, if it has one)`;
    return `route ${name}`;
  })();
  return {
    ROUTER_ARP: `router ${router} answers ARP for its address${on}, on this node`,
    ROUTER_ECHO: `router ${router} answers a ping to its address, on this node`,
    ROUTER_TTL: `router ${router}: the TTL runs out${on}: ICMP time exceeded back to the sender`,
    ROUTER_IN: `into router ${router} from its interface${on}, routed on this node`,
    ROUTE: `router ${router}: ${route}`,
    ROUTE_TO_GATEWAY: `router ${router}: on to its active gateway, from its interface${on}`,
    NO_ROUTE: 'a distributed router has no route towards the destination',
    ROUTER_RESOLVE: `router ${router}: no MAC known for this address${on} yet: the controller asks for it (ARP), this packet goes no further`,
    ROUTER_LEARN: `router ${router}: an ARP reply to its address${on}, learned by the controller`,
  };
}

/** `lrh:core:db1` → ['lrh', 'core', 'db1']; `lru:core` → ['lru', 'core', '']. */
function splitSubject(subject: string): [string, string, string] {
  const [prefix = '', router = '', ...rest] = subject.split(':');
  return [prefix, router, rest.join(':')];
}
