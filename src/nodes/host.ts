// Physical hosts: plain containers on a physical network, tagged with its VLAN when it has one.
// They hold no secrets: they are outside the lab's control plane.
import type { HostPlan, LabPlan } from '../topology/plan-types.ts';
import type { NodeSpec } from '../runtime/runtime.ts';
import type { NodeKind } from './kind.ts';
import { nodeLabels } from './labels.ts';
import { tlsEnv } from './secrets.ts';

export function hostSpec(plan: LabPlan, host: HostPlan): NodeSpec {
  return {
    name: host.container,
    hostname: host.name,
    labels: nodeLabels(plan.lab, host.name, 'host'),
    env: {
      NVLAB_ROLE: 'host',
      NVLAB_NODE: host.name,
      NVLAB_HOST_IP: `${host.ip}/${host.prefixLength}`,
      ...tlsEnv(plan),
      ...(host.vlan === undefined ? {} : { NVLAB_VLAN: String(host.vlan) }),
    },
    networks: [{ network: host.runtimeNetwork, ip: host.ip, prefixLength: host.prefixLength }],
  };
}

export const hostKind: NodeKind = { role: 'host', specs: (plan) => plan.hosts.map((h) => hostSpec(plan, h)) };
