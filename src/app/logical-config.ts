// The lab's logical configuration, pushed to the controller cluster through the northbound API
// as a cloud platform would: bodies built from the plan, then a wait until every node is
// programmed.
import type { LabPlan, PortPlan, RouterPlan, SwitchPlan } from '../topology/plan-types.ts';
import { memberStatus, NorthboundError, unwrap, type ApiAccess, type NorthboundClient, type Outcome } from '../northbound-client/index.ts';
import { physicalNic, type LogicalPortInput, type LogicalRouterInput, type LogicalSwitchInput } from '../model/index.ts';

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

/** Creates every item, all at once; the first failure is thrown. */
function createAll<T>(items: readonly T[], create: (item: T) => Promise<Outcome<unknown, 'created'>>): Promise<unknown[]> {
  return Promise.all(items.map(async (item) => unwrap(await create(item))));
}

/**
 * Security groups: every group first without its rules, then each group's rules, so that a rule
 * may name any group of the file (a rule's remote group must exist when it is written).
 */
async function pushSecurityGroups(plan: LabPlan, client: NorthboundClient): Promise<void> {
  const groups = plan.securityGroups ?? [];
  await createAll(groups, (g) => client.securityGroups.create({ name: g.name, rules: [] }));
  await Promise.all(groups.filter((g) => g.rules.length > 0).map(async (g) => unwrap(await client.securityGroups.update(g.name, g))));
}

/** Transport nodes, then switches and security groups, then ports and routers: each refers only
 *  to what came before. */
export async function pushLogicalConfig(plan: LabPlan, client: NorthboundClient): Promise<void> {
  await createAll(plan.transportNodes, (n) =>
    client.transportNodes.create({ name: n.name, role: n.role, encap: n.encap, underlayIp: n.underlayIp, mgmtIp: n.mgmtIp }),
  );
  await Promise.all([
    createAll(plan.switches, (s) =>
      client.logicalSwitches.create({
        name: s.name,
        vni: s.vni,
        replication: s.replication,
        encap: s.encap,
        subnet: s.subnet,
        l2Gateway: l2GatewayOf(plan, s),
      }),
    ),
    pushSecurityGroups(plan, client),
  ]);
  await Promise.all([
    createAll(
      plan.switches.flatMap((s) => s.ports.map(portBody)),
      (p) => client.logicalPorts.create(p),
    ),
    createAll(plan.routers, (r) => client.logicalRouters.create(routerBody(plan, r))),
  ]);
}

/**
 * Waits until the cluster has fully programmed every transport node: each member reports the
 * nodes it masters whose tunnels, VM ports and flows are complete.
 */
export async function waitProgrammed(memberIps: string[], nodes: string[], timeoutMs = 60_000, access: ApiAccess = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = nodes;
  while (Date.now() < deadline) {
    const done = new Set<string>();
    await Promise.all(
      memberIps.map(async (ip) => {
        // A member that does not answer programs nothing.
        const status = await memberStatus(ip, { timeoutMs: 2000, ...access });
        if (status.kind === 'ok') for (const node of status.value.programmed ?? []) done.add(node);
      }),
    );
    missing = nodes.filter((n) => !done.has(n));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new NorthboundError(`the controller cluster did not program ${missing.join(', ')} within ${timeoutMs / 1000} s`);
}
