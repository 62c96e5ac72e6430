// The lab's logical configuration, pushed to the controller cluster through the northbound API
// as a cloud platform would: bodies built from the plan, sent in a few batches, then a wait until
// every node is programmed.
import type { LabPlan, PortPlan, RouterPlan, SwitchPlan } from '../topology/plan-types.ts';
import { MemberPace, memberStatus, NorthboundError, unwrap, type ApiAccess, type NorthboundClient } from '../northbound-client/index.ts';
import {
  API_PREFIX,
  physicalNic,
  RESOURCE_SEGMENTS,
  type BatchRequestItem,
  type LogicalPortInput,
  type LogicalRouterInput,
  type LogicalSwitchInput,
} from '../model/index.ts';

/**
 * A gateway node's NIC on a physical network: the one of its attachment there (physicalNic).
 * `what` names the service in the error when the node is not attached there.
 */
function gatewayNic(plan: LabPlan, node: string, network: string, what: string): string {
  const k = plan.transportNodes.find((n) => n.name === node)?.attachments.findIndex((a) => a.network === network) ?? -1;
  if (k < 0) throw new NorthboundError(`${what}: ${node} is not attached to ${network}`);
  return physicalNic(k);
}

/** The L2 gateway service of a switch as the store holds it. */
export function l2GatewayOf(plan: LabPlan, s: SwitchPlan): LogicalSwitchInput['l2Gateway'] {
  const gw = s.l2Gateway;
  if (!gw) return undefined;
  const nic = gatewayNic(plan, gw.node, gw.network, `switch ${s.name}: l2 gateway`);
  return { node: gw.node, network: gw.network, ...(gw.vlan === undefined ? {} : { vlan: gw.vlan }), nic };
}

/** A logical router as the northbound API takes it: whether it is distributed, addresses with
 *  their prefix, the uplink's gateways in priority order (the first is active) with their NIC on
 *  the uplink's network, and its static routes. */
export function routerBody(plan: LabPlan, r: RouterPlan): LogicalRouterInput {
  const up = r.uplink;
  return {
    name: r.name,
    distributed: r.distributed,
    interfaces: r.interfaces.map((i) => ({ switch: i.switch, ip: `${i.ip}/${i.prefixLength}`, mac: i.mac })),
    ...(up
      ? {
          uplink: {
            network: up.network,
            ip: `${up.ip}/${up.prefixLength}`,
            mac: up.mac,
            snat: up.snat,
            gateways: up.gateways.map((node) => ({ node, nic: gatewayNic(plan, node, up.network, `router ${r.name}: uplink gateway`) })),
          },
        }
      : {}),
    routes: r.routes.map((t) => ({ prefix: t.prefix, nextHop: t.nextHop })),
  };
}

/** A logical port as the northbound API takes it: its groups, port security and QoS only when
 *  the file gives them (a port in no group stays open). */
export function portBody(p: PortPlan): LogicalPortInput {
  return {
    name: p.name,
    switch: p.switch,
    mac: p.mac,
    ip: p.ip,
    node: p.node,
    ...(p.securityGroups ? { securityGroups: p.securityGroups } : {}),
    ...(p.portSecurity === undefined ? {} : { portSecurity: p.portSecurity }),
    ...(p.qos ? { qos: p.qos } : {}),
  };
}

/** A create of an object, in a batch. */
const create = (segment: string, body: unknown): BatchRequestItem => ({ method: 'POST', path: `${API_PREFIX}/${segment}`, body });

/**
 * Every write of the lab's logical configuration, in an order where each refers only to what
 * came before: transport nodes, switches, security groups without their rules and then their
 * rules (a rule may name any group of the file), ports, routers.
 */
export function logicalConfigRequests(plan: LabPlan): BatchRequestItem[] {
  const groups = plan.securityGroups ?? [];
  const segment = (name: keyof typeof RESOURCE_SEGMENTS) => RESOURCE_SEGMENTS[name];
  return [
    ...plan.transportNodes.map((n) =>
      create(segment('transportNodes'), { name: n.name, role: n.role, encap: n.encap, underlayIp: n.underlayIp, mgmtIp: n.mgmtIp }),
    ),
    ...plan.switches.map((s) =>
      create(segment('logicalSwitches'), {
        name: s.name,
        vni: s.vni,
        replication: s.replication,
        encap: s.encap,
        subnet: s.subnet,
        l2Gateway: l2GatewayOf(plan, s),
      }),
    ),
    ...groups.map((g) => create(segment('securityGroups'), { name: g.name, rules: [] })),
    ...groups
      .filter((g) => g.rules.length > 0)
      .map((g): BatchRequestItem => ({ method: 'PUT', path: `${API_PREFIX}/${segment('securityGroups')}/${g.name}`, body: g })),
    ...plan.switches.flatMap((s) => s.ports.map((p) => create(segment('logicalPorts'), portBody(p)))),
    ...plan.routers.map((r) => create(segment('logicalRouters'), routerBody(plan, r))),
  ];
}

/** Pushes the lab's logical configuration in a few batches (one store transaction each, about a
 *  second of the cluster's work each), instead of a request per object: 200 hypervisors are a
 *  few hundred objects. A batch sent again after a lost answer keeps what it made. */
export async function pushLogicalConfig(plan: LabPlan, client: NorthboundClient): Promise<void> {
  unwrap(await client.batch(logicalConfigRequests(plan)));
}

/** How often a member is asked whether its nodes are programmed: as often as every 100 ms, but
 *  never more than half its time on it (twice what its last answer took), nor less than every 2 s. */
export function pollIntervalMs(answerMs: number): number {
  return Math.min(2000, Math.max(100, 2 * answerMs));
}

/**
 * Waits until the cluster has fully programmed every transport node: each member reports the
 * nodes it masters whose tunnels, VM ports and flows are complete. Each member is asked on its
 * own, paced by its answers (a slow one is asked less often and waited for longer), and its last
 * answer counts.
 */
export async function waitProgrammed(memberIps: string[], nodes: string[], timeoutMs = 60_000, access: ApiAccess = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const programmed = new Map<string, readonly string[]>();
  const missing = () => nodes.filter((n) => ![...programmed.values()].some((list) => list.includes(n)));
  let done = false;
  const poll = async (ip: string) => {
    const pace = new MemberPace();
    while (!done && Date.now() < deadline) {
      const started = Date.now();
      // A member that does not answer programs nothing.
      const status = await memberStatus(ip, { ...access, pace, timeoutMs: Math.min(pace.timeoutMs(), Math.max(1, deadline - started)) });
      programmed.set(ip, status.kind === 'ok' ? (status.value.programmed ?? []) : []);
      if (missing().length === 0) done = true;
      else await new Promise((r) => setTimeout(r, Math.min(pollIntervalMs(Date.now() - started), Math.max(0, deadline - Date.now()))));
    }
  };
  await Promise.all(memberIps.map(poll));
  if (missing().length > 0)
    throw new NorthboundError(`the controller cluster did not program ${missing().join(', ')} within ${timeoutMs / 1000} s`);
}
