// Transport nodes (hypervisor, service node, l2 and l3 gateway) share one bring-up: their own
// OVS with br-phy holding the transport IP and a fail-secure br-int. What differs by role comes
// from the controller, not from here, except what lives beside OVS on the node: VMs on a
// hypervisor, logical routers (network namespaces, with their static routes) on an l3 gateway.
// With TLS (the default) each carries its own certificate and reaches the members over ssl:.
import { type LabPlan, type TransportNodePlan } from '../topology/plan-types.ts';
import type { NodeFile, NodeSpec } from '../runtime/runtime.ts';
import type { NodeKind } from './kind.ts';
import { nodeLabels, prefixOf } from './labels.ts';
import { secretFilesByNode, tlsEnv, transportNodeSecretFiles, type FilesByNode } from './secrets.ts';
import {
  ROLES,
  type Role,
  routerPortId,
  routerPortIfname,
  routerUplinkId,
  routerUplinkIfname,
  OPENFLOW_PORT,
  OVSDB_MANAGER_PORT,
  physicalNic,
} from '../model/index.ts';

/** ssl:IP:PORT (tcp: without TLS) of every built-in member, or the external controllers for
 *  OpenFlow, as the file gives them (they are not the lab's, nor are their certificates). */
export function controllerTargets(plan: Pick<LabPlan, 'controllers' | 'security'>, port: number): string[] {
  if (plan.controllers.kind === 'external') return port === OPENFLOW_PORT ? plan.controllers.targets : [];
  const scheme = plan.security.tls ? 'ssl' : 'tcp';
  return plan.controllers.members.map((m) => `${scheme}:${m.mgmtIp}:${port}`);
}

/** The address VMs of each switch route through: its interface on the first router (file order)
 *  that joins the switch. Switches no router joins have none. */
export function switchGateways(plan: Pick<LabPlan, 'routers'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of plan.routers) for (const i of r.interfaces) if (!out.has(i.switch)) out.set(i.switch, i.ip);
  return out;
}

/**
 * NVLAB_ROUTERS of an l3 gateway: one record per router port it hosts,
 * `ROUTER,IFNAME,IFACE-ID,MAC,IP/LEN[,snat]`: the router's interfaces on its switches, then its
 * uplink, which carries `snat` when the router translates what leaves through it. Every gateway
 * of a router gets the same records: standby copies are identical to the active one.
 */
export function routerRecords(plan: Pick<LabPlan, 'routers'>, node: string): string[] {
  return plan.routers.flatMap((r) => {
    const up = r.uplink;
    if (!up?.gateways.includes(node)) return [];
    return [
      ...r.interfaces.map((i) =>
        [r.name, routerPortIfname(r.name, i.switch), routerPortId(r.name, i.switch), i.mac, `${i.ip}/${i.prefixLength}`].join(','),
      ),
      [
        r.name,
        routerUplinkIfname(r.name),
        routerUplinkId(r.name),
        up.mac,
        `${up.ip}/${up.prefixLength}`,
        ...(up.snat ? ['snat'] : []),
      ].join(','),
    ];
  });
}

/**
 * NVLAB_ROUTES of an l3 gateway: `ROUTER,PREFIX,NEXT-HOP` per static route of each router it
 * hosts, in the router's order, added in the router's namespace once its ports are up. Every
 * gateway of a router gets the same; a router without an uplink has no namespace to put them in
 * (the pipeline routes it).
 */
export function routeRecords(plan: Pick<LabPlan, 'routers'>, node: string): string[] {
  return plan.routers.flatMap((r) =>
    r.uplink?.gateways.includes(node) ? r.routes.map((t) => [r.name, t.prefix, t.nextHop].join(',')) : [],
  );
}

const GATEWAY_ROLES: ReadonlySet<Role> = new Set(['l2-gateway', 'l3-gateway']);

/** `files`: the node's secrets (transportNodeSecretFiles), none without TLS. */
export function transportNodeSpec(plan: LabPlan, node: TransportNodePlan, files: NodeFile[] = []): NodeSpec {
  const { mgmt, underlay } = plan.networks;
  const gateways = switchGateways(plan);
  const routers = node.role === 'l3-gateway' ? routerRecords(plan, node.name) : [];
  const routes = node.role === 'l3-gateway' ? routeRecords(plan, node.name) : [];
  return {
    name: node.container,
    hostname: node.name,
    labels: nodeLabels(plan.lab, node.name, node.role),
    env: {
      NVLAB_ROLE: node.role,
      NVLAB_NODE: node.name,
      NVLAB_UNDERLAY: `${node.underlayIp}/${node.underlayPrefixLength}`,
      ...tlsEnv(plan),
      // PORT,IFNAME,MAC,IP/LEN[,GATEWAY]: a VM on a routed switch gets a default route.
      NVLAB_PORTS: node.ports
        .map((p) => {
          const gateway = gateways.get(p.switch);
          return [p.name, p.ifname, p.mac, `${p.ip}/${p.prefixLength}`, ...(gateway ? [gateway] : [])].join(',');
        })
        .join(' '),
      // Every member is this node's OVSDB manager and br-int's OpenFlow controller.
      NVLAB_MANAGERS: controllerTargets(plan, OVSDB_MANAGER_PORT).join(' '),
      NVLAB_CONTROLLERS: controllerTargets(plan, OPENFLOW_PORT).join(' '),
      // eth0 management, eth1 underlay, then one NIC per physical network, in attachment order.
      ...(GATEWAY_ROLES.has(node.role) && node.attachments.length > 0
        ? { NVLAB_PHYSICAL_NICS: node.attachments.map((_, k) => physicalNic(k)).join(' ') }
        : {}),
      ...(routers.length > 0 ? { NVLAB_ROUTERS: routers.join(' ') } : {}),
      ...(routes.length > 0 ? { NVLAB_ROUTES: routes.join(' ') } : {}),
    },
    networks: [
      { network: mgmt.name, ip: node.mgmtIp, prefixLength: prefixOf(mgmt.subnet) },
      { network: underlay.name, ip: node.underlayIp, prefixLength: node.underlayPrefixLength },
      ...node.attachments.map((a) => ({
        network: a.runtimeNetwork,
        ip: a.ip,
        prefixLength: prefixOf(plan.networks.physical.find((p) => p.name === a.runtimeNetwork)?.subnet),
      })),
    ],
    ...(files.length > 0 ? { files } : {}),
  };
}

/** One kind per transport role, in the vocabulary's order: they differ only in which nodes of
 *  the plan they take. Each issues its nodes' certificates in prepare. */
export const transportNodeKinds: NodeKind<FilesByNode>[] = ROLES.map((role) => {
  const nodesOf = (plan: LabPlan) => plan.transportNodes.filter((n) => n.role === role);
  return {
    role,
    prepare: (plan, secrets) => secretFilesByNode(nodesOf(plan), (n) => transportNodeSecretFiles(secrets, n)),
    specs: (plan, files) => nodesOf(plan).map((n) => transportNodeSpec(plan, n, files?.get(n.name))),
  };
});
