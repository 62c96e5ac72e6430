// Tables 5-8 (layout.ts, `acl`): security groups, stateful as OVN's `allow-related` ACLs. Every
// IPv4 frame a VM in a group sends is tracked in the port's conntrack zone (table 5) and decided
// in table 6; every one delivered to such a VM (from a local port or a tunnel, unicast or
// flooded: the port's `out` resubmits here with reg5 = its OpenFlow port) is tracked in its zone
// (table 7) and decided in table 8. Other ethertypes (ARP) pass: port security guards them.
//
// The decisions, in priority order (AclPriority): an invalid state is dropped; a drop or reject
// rule drops (established connections too: a rule added applies at once); an established
// connection passes while the rule that allowed it (its ct_mark) still applies to the port; an
// allow rule commits the connection with its mark (a new connection, or one whose rule is gone
// but another allows it: it goes on under that rule's mark, losing nothing); otherwise ingress
// drops and egress commits under the default mark. So removing a rule cuts exactly the
// connections no other rule allows. A reject rule is a drop that hands the packet to the
// controller first, whose master answers it (a TCP reset or an ICMP port unreachable).
import { act, ctState, flowMod, inst, Port, type FlowMod, type Match } from '../../../openflow/index.ts';
import { cookie, nameHash32 } from '../ids.ts';
import { AclPriority, CookieKind, LAYOUT, OUT_PORT_REG, Table } from '../layout.ts';
import type { FlowModMsg } from '../types.ts';
import type { LocalPort, NodeContext, Stage } from './context.ts';
import { ctCommit, ctMark, ctTrack } from './conntrack.ts';
import type { LogicalState, RuleDirection, StatePort, StateRule, StateSecurityGroup } from '../../../model/index.ts';

const ETH_IP = 0x0800;
const IP_PROTO = { icmp: 1, tcp: 6, udp: 17 } as const;
/** The mark of connections the default egress allowed. Rules' marks are hashes (never 0 or 1). */
export const DEFAULT_EGRESS_MARK = 1;

/** A rule's connection mark: from its group and what it says (not its place, so removing one
 *  rule leaves the others' connections alone). */
export function ruleMark(group: string, rule: StateRule): number {
  const { index: _index, ...content } = rule;
  const h = nameHash32(`${group}\0${JSON.stringify(content)}`);
  return h < 2 ? h + 2 : h;
}

/** Value/mask pairs covering [min, max] of a 16-bit field (as few as the range allows). */
export function rangeMasks(min: number, max: number): { value: number; mask: number }[] {
  const out: { value: number; mask: number }[] = [];
  let at = min;
  while (at <= max) {
    let size = 1;
    while (size < 0x10000 && at % (size * 2) === 0 && at + size * 2 - 1 <= max) size *= 2;
    out.push({ value: at, mask: 0xffff & ~(size - 1) });
    at += size;
  }
  return out;
}

/** The IPv4 addresses a rule's remote stands for (a subnet, or its group's ports' addresses). */
function remotes(rule: StateRule, logical: LogicalState): ({ value: string; mask?: string } | undefined)[] {
  if ('cidr' in rule.remote) {
    const [ip, len] = rule.remote.cidr.split('/') as [string, string];
    const bits = Number(len);
    if (bits === 0) return [undefined];
    const mask = bits === 32 ? undefined : [24, 16, 8, 0].map((s) => (((0xffffffff << (32 - bits)) >>> s) & 0xff).toString()).join('.');
    return [mask ? { value: ip, mask } : { value: ip }];
  }
  const group = rule.remote.group;
  const ips = logical.ports.filter((p) => p.ip && p.securityGroups?.includes(group)).map((p) => p.ip!);
  return [...new Set(ips)].sort().map((value) => ({ value }));
}

/** What a rule matches of a packet crossing it in the connection's original direction (the
 *  remote end is the source on ingress), or of a reply (`reply`): then the same of the
 *  connection's original tuple (ct_nw_*, ct_tp_dst), as conntrack keeps it. */
function ruleMatches(rule: StateRule, logical: LogicalState, reply = false): Match[] {
  const REPLY_FIELDS: Record<string, string> = {
    ip_proto: 'ct_nw_proto',
    tcp_dst: 'ct_tp_dst',
    udp_dst: 'ct_tp_dst',
    ipv4_src: 'ct_nw_src',
    ipv4_dst: 'ct_nw_dst',
  };
  // The field names differ, the values are the same: typed once here.
  const field = (name: string, value: number | string, mask?: number | string) =>
    ({ field: reply ? REPLY_FIELDS[name] : name, value, ...(mask === undefined ? {} : { mask }) }) as unknown as Match[number];
  const proto: Match = rule.protocol === 'any' ? [] : [field('ip_proto', IP_PROTO[rule.protocol])];
  const portField = rule.protocol === 'udp' ? 'udp_dst' : 'tcp_dst';
  const ports: Match[] =
    rule.ports && (rule.protocol === 'tcp' || rule.protocol === 'udp')
      ? rangeMasks(rule.ports.min, rule.ports.max).map((r) => [field(portField, r.value, r.mask === 0xffff ? undefined : r.mask)])
      : [[]];
  const remoteField = rule.direction === 'ingress' ? 'ipv4_src' : 'ipv4_dst';
  return remotes(rule, logical).flatMap((remote) =>
    ports.map((p): Match => [...proto, ...(remote ? [field(remoteField, remote.value, remote.mask)] : []), ...p]),
  );
}

interface PortAcl {
  port: StatePort;
  local: LocalPort;
  vni: number;
  groups: StateSecurityGroup[];
}

/** The rules of a port's groups in one direction, with their group. */
const rulesOf = (acl: PortAcl, direction: RuleDirection) =>
  acl.groups.flatMap((g) => g.rules.filter((r) => r.direction === direction).map((rule) => ({ group: g.name, rule })));

/** Every mark under which the port's established connections pass: its rules' allow marks (both
 *  directions: replies to what its ingress allowed leave through its egress) and the default egress. */
function liveMarks(acl: PortAcl): number[] {
  const marks = acl.groups.flatMap((g) => g.rules.filter((r) => r.action === 'allow').map((r) => ruleMark(g.name, r)));
  return [...new Set([DEFAULT_EGRESS_MARK, ...marks])].sort((a, b) => a - b);
}

function directionFlows(acl: PortAcl, direction: RuleDirection, logical: LogicalState): FlowModMsg[] {
  const { local, vni } = acl;
  const ingress = direction === 'ingress';
  const decide = ingress ? Table.ACL_IN_DECIDE : Table.ACL_OUT_DECIDE;
  const who: Match[number] = ingress
    ? { field: `reg${OUT_PORT_REG}` as 'reg5', value: local.ofport }
    : { field: 'in_port', value: local.ofport };
  const toController = [inst.apply(act.output(Port.CONTROLLER))];
  const pass = ingress ? [inst.apply(...local.deliver)] : [inst.gotoTable(Table.L2)];
  // One apply-actions instruction at most per flow: the commit, then (ingress) the delivery.
  const commitAndPass = (mark: number) =>
    ingress
      ? [inst.apply(ctCommit(local.ofport, mark), ...local.deliver)]
      : [inst.apply(ctCommit(local.ofport, mark)), inst.gotoTable(Table.L2)];
  const flow = (priority: number, kind: CookieKind, subject: string | number, match: Match, instructions: FlowMod['instructions'] = []) =>
    flowMod({ tableId: decide, priority, cookie: cookie(kind, vni, subject), match: [who, ...match], instructions });
  const flows: FlowModMsg[] = [
    // Tracked in the port's zone, and decided in the next table; anything but IPv4 on as it is.
    flowMod({
      tableId: decide - 1,
      priority: AclPriority.TRACK,
      cookie: cookie(CookieKind.ACL_TRACK, vni, local.name),
      match: [who, { field: 'eth_type', value: ETH_IP }],
      instructions: [inst.apply(ctTrack(local.ofport, decide))],
    }),
    flowMod({
      tableId: decide - 1,
      priority: AclPriority.UNTRACKED,
      cookie: cookie(CookieKind.ACL_TRACK, vni, local.name),
      match: [who],
      instructions: pass,
    }),
    flow(AclPriority.INVALID, CookieKind.ACL_INVALID, local.name, [ctState('+trk+inv')]),
    ...liveMarks(acl).flatMap((mark) =>
      (['+trk+est', '+trk+rel'] as const).map((state) =>
        flow(AclPriority.ESTABLISHED, CookieKind.ACL_ESTABLISHED, mark, [ctState(state), ctMark(mark)], pass),
      ),
    ),
  ];
  const ip = { field: 'eth_type', value: ETH_IP } as const;
  // A rule allows connections opened in its direction (-rpl): a reply never commits a connection
  // under another mark (the default egress would otherwise take over one whose ingress rule went).
  for (const { group, rule } of rulesOf(acl, direction)) {
    const mark = ruleMark(group, rule);
    const state = ctState(rule.action === 'allow' ? '+trk-rpl' : '+trk');
    for (const m of ruleMatches(rule, logical)) {
      const match = [state, ip, ...m];
      if (rule.action === 'drop') flows.push(flow(AclPriority.DENY, CookieKind.ACL_RULE, mark, match));
      // The member answers it (src/controller/reject): the packet-in carries this cookie, reg5 and metadata.
      else if (rule.action === 'reject') flows.push(flow(AclPriority.DENY, CookieKind.ACL_RULE, mark, match, toController));
      else if (rule.action === 'allow-stateless') flows.push(flow(AclPriority.ALLOW, CookieKind.ACL_RULE, mark, match, pass));
      else flows.push(flow(AclPriority.ALLOW, CookieKind.ACL_RULE, mark, match, commitAndPass(mark)));
    }
  }
  // A reply whose connection's rule is gone: the other direction's allow rules judge the
  // connection by its original tuple, and one that allows it takes it over (nothing lost).
  for (const { group, rule } of rulesOf(acl, ingress ? 'egress' : 'ingress')) {
    if (rule.action !== 'allow') continue;
    const mark = ruleMark(group, rule);
    for (const m of ruleMatches(rule, logical, true))
      flows.push(flow(AclPriority.ALLOW, CookieKind.ACL_RULE, mark, [ctState('+trk+rpl'), ip, ...m], commitAndPass(mark)));
  }
  // The default: new ingress dropped, new egress allowed; so replies to the port's own
  // connections come in (under the default mark), replies from it to connections no rule
  // allows any more are dropped. ct() needs an IPv4 match (OVS refuses it without one).
  const [open, closed] = ingress ? ['+trk+rpl', '+trk-rpl'] : ['+trk-rpl', '+trk+rpl'];
  flows.push(
    flow(AclPriority.DEFAULT, CookieKind.ACL_DEFAULT, local.name, [ctState(open), ip], commitAndPass(DEFAULT_EGRESS_MARK)),
    flow(AclPriority.DEFAULT, CookieKind.ACL_DEFAULT, local.name, [ctState(closed)]),
  );
  return flows;
}

/** The local VMs in a security group, with their groups. */
export function aclPorts(node: NodeContext): PortAcl[] {
  const groups = new Map((node.logical.securityGroups ?? []).map((g) => [g.name, g]));
  const out: PortAcl[] = [];
  for (const sw of node.switches) {
    for (const local of node.localPorts(sw)) {
      const port = local.port;
      const mine = (port?.securityGroups ?? []).map((g) => groups.get(g)).filter((g) => g !== undefined);
      if (port && port.securityGroups?.length) out.push({ port, local, vni: sw.vni, groups: mine });
    }
  }
  return out;
}

function build(node: NodeContext): { flows: FlowModMsg[]; groups: [] } {
  const flows = aclPorts(node).flatMap((acl) => [
    ...directionFlows(acl, 'egress', node.logical),
    ...directionFlows(acl, 'ingress', node.logical),
  ]);
  return { flows, groups: [] };
}

export const acl: Stage = { layout: LAYOUT.acl, build };
