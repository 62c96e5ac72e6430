// NvStore rows as the replica holds them, and the mapping to and from the store's objects.
// Optional columns are 0-or-1 sets in OVSDB (`[]` or `[x]`), optional properties here.
import type { Row } from '../../ovsdb/index.ts';
import {
  formatPortRange,
  parsePortRange,
  type Encap,
  type L2Gateway,
  type LogicalPort,
  type LogicalRouter,
  type LogicalSwitch,
  type MacBinding,
  type Replication,
  type Role,
  type RuleAction,
  type RuleDirection,
  type RuleProtocol,
  type SecurityGroup,
  type TransportNode,
} from '../../model/index.ts';
import type { Mastership, MemberLease } from './membership.ts';

export const NVSTORE_DATABASE = 'NvStore';

export interface NvStoreTables {
  Transport_Node: { name: string; role: string; encap: string; underlay_ip: string; underlay_mac: string[]; mgmt_ip: string[] };
  Logical_Switch: {
    name: string;
    vni: number;
    replication: string;
    encap: string;
    subnet: string[];
    // Absent in rows written before schema 1.1.0: read as empty sets.
    l2_gateway_node?: string[];
    l2_gateway_network?: string[];
    l2_gateway_vlan?: number[];
    l2_gateway_nic?: string[];
  };
  Logical_Port: {
    name: string;
    switch: string;
    mac: string;
    ip: string[];
    node: string[];
    // Absent in rows written before schema 1.4.0: read as empty sets.
    security_groups?: string[];
    port_security?: boolean[];
    qos_rate?: string[];
    qos_burst?: string[];
  };
  // Schema 1.4.0: a security group is one row and a row per rule, written together.
  Security_Group: { name: string };
  Security_Group_Rule: {
    group: string;
    position: number;
    direction: string;
    protocol: string;
    port_min: number[];
    port_max: number[];
    remote: string;
    action: string;
  };
  // Schema 1.2.0: a router is one row and a row per interface and per gateway, written together.
  Logical_Router: {
    name: string;
    uplink_network: string[];
    uplink_ip: string[];
    uplink_prefix: number[];
    uplink_mac: string[];
    uplink_snat: boolean[];
    // Schema 1.5.0; absent in older rows, which read as distributed (an empty set is the default).
    distributed?: boolean[];
  };
  Logical_Router_Interface: { router: string; switch: string; ip: string; prefix: number; mac: string; position: number };
  Logical_Router_Gateway: { router: string; node: string; nic: string; priority: number };
  // Schema 1.5.0: a row per static route, in the order given.
  Logical_Router_Route: { router: string; prefix: string; next_hop: string; position: number };
  // Schema 1.6.0: an address a distributed router learned on a switch (mac-bindings.ts).
  MAC_Binding: { logical_switch: string; ip: string; mac: string };
  Member: { name: string; expires: number };
  Mastership: { node: string; member: string; generation: number };
  // Schema 1.3.0: injected traceflows and each member's part in them (traceflows.ts).
  Traceflow: {
    id: string;
    member: string;
    request: string;
    created: number;
    state: string;
    injected: number[];
    inject_error: string[];
    result: string[];
    finished: number[];
  };
  Traceflow_Report: {
    traceflow: string;
    member: string;
    phase: string;
    nodes: string[];
    disconnected: string[];
    unarmed: string[];
    passes: string[];
  };
}

/** The tables of the cluster itself (the logical resources' tables: see resources/index.ts). */
export const MEMBERSHIP_TABLES = ['Member', 'Mastership'] as const;
/** The tables of injected traceflows. */
export const TRACEFLOW_TABLES = ['Traceflow', 'Traceflow_Report'] as const;

const opt = (v: string | undefined): string[] => (v === undefined ? [] : [v]);
/** Spread helper: `{ ...optional('ip', row.ip) }` adds the key only when the set has a value. */
function optional<K extends string>(key: K, set: readonly string[]): { [P in K]?: string } {
  return (set.length > 0 ? { [key]: set[0] } : {}) as { [P in K]?: string };
}

export function nodeToRow(n: TransportNode): Row {
  return {
    name: n.name,
    role: n.role,
    encap: n.encap,
    underlay_ip: n.underlayIp,
    underlay_mac: opt(n.underlayMac),
    mgmt_ip: opt(n.mgmtIp),
  };
}

export function nodeFromRow(r: NvStoreTables['Transport_Node']): TransportNode {
  return {
    name: r.name,
    role: r.role as Role,
    encap: r.encap as Encap,
    underlayIp: r.underlay_ip,
    ...optional('underlayMac', r.underlay_mac),
    ...optional('mgmtIp', r.mgmt_ip),
  };
}

export function switchToRow(s: LogicalSwitch): Row {
  const gw = s.l2Gateway;
  return {
    name: s.name,
    vni: s.vni,
    replication: s.replication,
    encap: s.encap,
    subnet: opt(s.subnet),
    l2_gateway_node: opt(gw?.node),
    l2_gateway_network: opt(gw?.network),
    l2_gateway_vlan: gw?.vlan === undefined ? [] : [gw.vlan],
    l2_gateway_nic: opt(gw?.nic),
  };
}

export function switchFromRow(r: NvStoreTables['Logical_Switch']): LogicalSwitch {
  const node = r.l2_gateway_node?.[0],
    network = r.l2_gateway_network?.[0],
    nic = r.l2_gateway_nic?.[0],
    vlan = r.l2_gateway_vlan?.[0];
  const l2Gateway: L2Gateway | undefined =
    node !== undefined && network !== undefined && nic !== undefined
      ? { node, network, ...(vlan === undefined ? {} : { vlan }), nic }
      : undefined;
  return {
    name: r.name,
    vni: r.vni,
    replication: r.replication as Replication,
    encap: r.encap as Encap,
    ...optional('subnet', r.subnet),
    ...(l2Gateway ? { l2Gateway } : {}),
  };
}

export function portToRow(p: LogicalPort): Row {
  return {
    name: p.name,
    switch: p.switch,
    mac: p.mac,
    ip: opt(p.ip),
    node: opt(p.node),
    security_groups: [...(p.securityGroups ?? [])],
    port_security: p.portSecurity === undefined ? [] : [p.portSecurity],
    qos_rate: opt(p.qos?.rate),
    qos_burst: opt(p.qos?.burst),
  };
}

export function portFromRow(r: NvStoreTables['Logical_Port']): LogicalPort {
  const groups = [...(r.security_groups ?? [])].sort();
  const portSecurity = r.port_security?.[0];
  const rate = r.qos_rate?.[0];
  return {
    name: r.name,
    switch: r.switch,
    mac: r.mac,
    ...optional('ip', r.ip),
    ...optional('node', r.node),
    ...(groups.length > 0 ? { securityGroups: groups } : {}),
    ...(portSecurity === undefined ? {} : { portSecurity }),
    ...(rate === undefined ? {} : { qos: { rate, ...optional('burst', r.qos_burst ?? []) } }),
  };
}

export interface SecurityGroupRows {
  group: Row;
  rules: Row[];
}

export function securityGroupToRows(g: SecurityGroup): SecurityGroupRows {
  return {
    group: { name: g.name },
    rules: g.rules.map((r, position) => {
      const range = r.ports === undefined ? undefined : parsePortRange(r.ports);
      return {
        group: g.name,
        position,
        direction: r.direction,
        protocol: r.protocol,
        port_min: range ? [range.min] : [],
        port_max: range ? [range.max] : [],
        remote: r.remote,
        action: r.action,
      };
    }),
  };
}

/** A security group from its row and its rule rows (any order; other groups' rules ignored). */
export function securityGroupFromRows(
  g: NvStoreTables['Security_Group'],
  rules: readonly NvStoreTables['Security_Group_Rule'][],
): SecurityGroup {
  return {
    name: g.name,
    rules: rules
      .filter((r) => r.group === g.name)
      .sort((a, b) => a.position - b.position)
      .map((r) => {
        const [min, max] = [r.port_min[0], r.port_max[0]];
        return {
          direction: r.direction as RuleDirection,
          protocol: r.protocol as RuleProtocol,
          ...(min === undefined ? {} : { ports: formatPortRange({ min, max: max ?? min }) }),
          remote: r.remote,
          action: r.action as RuleAction,
        };
      }),
  };
}

/** "10.0.1.1/24" as the address and the prefix length, which the store keeps apart so that an
 *  interface's address compares equal to a port's. */
export function splitCidr(cidr: string): { ip: string; prefix: number } {
  const [ip = '', prefix = '32'] = cidr.split('/');
  return { ip, prefix: Number(prefix) };
}

export interface RouterRows {
  router: Row;
  interfaces: Row[];
  gateways: Row[];
  routes: Row[];
}

export function routerToRows(r: LogicalRouter): RouterRows {
  const up = r.uplink;
  const upIp = up ? splitCidr(up.ip) : undefined;
  return {
    router: {
      name: r.name,
      uplink_network: opt(up?.network),
      uplink_ip: opt(upIp?.ip),
      uplink_prefix: upIp ? [upIp.prefix] : [],
      uplink_mac: opt(up?.mac),
      uplink_snat: up ? [up.snat] : [],
      distributed: [r.distributed],
    },
    interfaces: r.interfaces.map((i, position) => {
      const { ip, prefix } = splitCidr(i.ip);
      return { router: r.name, switch: i.switch, ip, prefix, mac: i.mac, position };
    }),
    gateways: (up?.gateways ?? []).map((g, priority) => ({ router: r.name, node: g.node, nic: g.nic, priority })),
    routes: r.routes.map((t, position) => ({ router: r.name, prefix: t.prefix, next_hop: t.nextHop, position })),
  };
}

/** A router from its row and its interface, gateway and route rows (any order; others' rows
 *  ignored). A row written before schema 1.5.0 is a distributed router without routes. */
export function routerFromRows(
  r: NvStoreTables['Logical_Router'],
  interfaces: readonly NvStoreTables['Logical_Router_Interface'][],
  gateways: readonly NvStoreTables['Logical_Router_Gateway'][],
  routes: readonly NvStoreTables['Logical_Router_Route'][] = [],
): LogicalRouter {
  const mine = <T extends { router: string }>(rows: readonly T[]) => rows.filter((x) => x.router === r.name);
  const network = r.uplink_network[0],
    ip = r.uplink_ip[0],
    prefix = r.uplink_prefix[0],
    mac = r.uplink_mac[0];
  const uplink =
    network !== undefined && ip !== undefined && prefix !== undefined && mac !== undefined
      ? {
          network,
          ip: `${ip}/${prefix}`,
          mac,
          snat: r.uplink_snat[0] ?? false,
          gateways: mine(gateways)
            .sort((a, b) => a.priority - b.priority)
            .map((g) => ({ node: g.node, nic: g.nic })),
        }
      : undefined;
  return {
    name: r.name,
    distributed: r.distributed?.[0] ?? true,
    interfaces: mine(interfaces)
      .sort((a, b) => a.position - b.position)
      .map((i) => ({ switch: i.switch, ip: `${i.ip}/${i.prefix}`, mac: i.mac })),
    ...(uplink ? { uplink } : {}),
    routes: mine(routes)
      .sort((a, b) => a.position - b.position)
      .map((t) => ({ prefix: t.prefix, nextHop: t.next_hop })),
  };
}

export function macBindingToRow(b: MacBinding): Row {
  return { logical_switch: b.switch, ip: b.ip, mac: b.mac };
}

export function macBindingFromRow(r: NvStoreTables['MAC_Binding']): MacBinding {
  return { switch: r.logical_switch, ip: r.ip, mac: r.mac };
}

export function memberFromRow(r: NvStoreTables['Member']): MemberLease {
  return { name: r.name, expires: r.expires };
}

export function mastershipFromRow(r: NvStoreTables['Mastership']): Mastership {
  return { node: r.node, member: r.member, generation: r.generation };
}
