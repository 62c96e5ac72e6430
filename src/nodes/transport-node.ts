// Transport nodes (hypervisor, service node, l2 and l3 gateway) share one bring-up: their own
// OVS with br-phy holding the transport IP and a fail-secure br-int. What differs by role comes
// from the controller, not from here.
import { ROLES, type LabPlan, type Role, type TransportNodePlan } from '../topology/plan-types.ts';
import type { NodeSpec } from '../runtime/runtime.ts';
import { nodeLabels, prefixOf } from './labels.ts';
import { registerNodeKind } from './registry.ts';

/** tcp:IP:PORT of every built-in member, or the external controllers for OpenFlow. */
function controllerTargets(plan: LabPlan, port: number): string[] {
  if (plan.controllers.kind === 'external') return port === 6653 ? plan.controllers.targets : [];
  return plan.controllers.members.map((m) => `tcp:${m.mgmtIp}:${port}`);
}

export function transportNodeSpec(plan: LabPlan, node: TransportNodePlan): NodeSpec {
  const { mgmt, underlay } = plan.networks;
  return {
    name: node.container,
    hostname: node.name,
    labels: nodeLabels(plan.lab, node.name, node.role),
    env: {
      NVLAB_ROLE: node.role,
      NVLAB_NODE: node.name,
      NVLAB_UNDERLAY: `${node.underlayIp}/${node.underlayPrefixLength}`,
      NVLAB_PORTS: node.ports.map((p) => `${p.name},${p.ifname},${p.mac},${p.ip}/${p.prefixLength}`).join(' '),
      // Every member is this node's OVSDB manager and br-int's OpenFlow controller.
      NVLAB_MANAGERS: controllerTargets(plan, 6640).join(' '),
      NVLAB_CONTROLLERS: controllerTargets(plan, 6653).join(' '),
      // eth0 management, eth1 underlay, then one NIC per physical network, in attachment order.
      ...(node.role === 'l2-gateway' && node.attachments.length > 0
        ? { NVLAB_PHYSICAL_NICS: node.attachments.map((_, k) => `eth${2 + k}`).join(' ') }
        : {}),
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
  };
}

function registerRole(role: Role): void {
  registerNodeKind({
    role,
    specs: (plan) => plan.transportNodes.filter((n) => n.role === role).map((n) => transportNodeSpec(plan, n)),
  });
}

for (const role of ROLES) registerRole(role);
