// Controller members: each runs a Raft member of the replicated store and the controller process
// (see docs/controller.md). The controller's code and the store schema arrive as node files,
// built by the kind's prepare hook (I/O), with each member's secrets (its certificate, the lab's
// authorities, the API token: src/nodes/secrets.ts), so that its specs stay pure.
import type { ControllerMemberPlan, LabPlan } from '../../topology/plan-types.ts';
import type { NodeFile, NodeSpec } from '../../runtime/runtime.ts';
import type { NodeKind } from '../kind.ts';
import { nodeLabels, prefixOf } from '../labels.ts';
import { controllerAssets, type ControllerAssets } from './assets.ts';
import { memberSecretFiles, secretFilesByNode, tlsEnv, type FilesByNode } from '../secrets.ts';
import { STORE_PORT, STORE_RAFT_PORT } from '../../model/index.ts';

/** Environment the members get from the deploying shell: their debug switches. */
const PASSED_THROUGH = ['NVLAB_CONTROLLER_DEBUG', 'NVLAB_CONTROLLER_PROFILE', 'NVLAB_CONTROLLER_TRACE_OPT', 'NVLAB_CONTROLLER_V8FLAGS'];

export function membersOf(plan: LabPlan): ControllerMemberPlan[] {
  return plan.controllers.kind === 'builtin' ? plan.controllers.members : [];
}

/** A node's CPU weight (Docker's default). */
const NODE_CPU_WEIGHT = 1024;
/** cgroup v1's largest cpu.shares. */
const MAX_CPU_WEIGHT = 262_144;

/**
 * Each member's CPU weight: together the members weigh as much as the lab's other containers, so
 * that while a busy host's nodes boot the cluster keeps about half of it, however many nodes
 * there are, and never less than twice a node's weight each. At a fixed 2048, three members kept
 * about 13% of the CPU against 40 booting nodes and 3% against 200: they stalled past their
 * peers' dead time, switches changed master for nothing, and programming 40 hypervisors took
 * 30 s instead of 3 (docs/scale.md). A member only uses its weight while it has work, so idle
 * members take nothing from the vswitchds. NVLAB_CONTROLLER_CPU_WEIGHT sets another for
 * experiments.
 */
export function memberCpuWeight(plan: LabPlan): number {
  const fixed = Number(process.env.NVLAB_CONTROLLER_CPU_WEIGHT);
  if (fixed > 0) return fixed;
  const members = membersOf(plan).length || 1;
  const others = plan.transportNodes.length + plan.hosts.length;
  return Math.min(MAX_CPU_WEIGHT, Math.max(2 * NODE_CPU_WEIGHT, Math.ceil((others * NODE_CPU_WEIGHT) / members)));
}

export function controllerSpec(plan: LabPlan, member: ControllerMemberPlan, files: NodeFile[]): NodeSpec {
  return {
    name: member.container,
    hostname: member.name,
    labels: nodeLabels(plan.lab, member.name, 'controller'),
    env: {
      NVLAB_ROLE: 'controller',
      NVLAB_NODE: member.name,
      NVLAB_LAB: plan.lab,
      NVLAB_MGMT_IP: member.mgmtIp,
      NVLAB_MEMBERS: membersOf(plan)
        .map((m) => `${m.name}=${m.mgmtIp}`)
        .join(' '),
      NVLAB_STORE_PORT: String(STORE_PORT),
      NVLAB_STORE_RAFT_PORT: String(STORE_RAFT_PORT),
      ...tlsEnv(plan),
      // The members' debug switches (docs/controller.md), when the deploying shell sets them.
      ...Object.fromEntries(PASSED_THROUGH.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
      // Symbols for Linux perf (perf record on the member's host pid; /tmp/perf-<pid>.map).
      ...(process.env.NVLAB_CONTROLLER_PERF === '1' ? { NODE_OPTIONS: '--perf-basic-prof-only-functions' } : {}),
    },
    networks: [{ network: plan.networks.mgmt.name, ip: member.mgmtIp, prefixLength: prefixOf(plan.networks.mgmt.subnet) }],
    files,
    cpuWeight: memberCpuWeight(plan),
  };
}

/** What the controller kind prepares: the files every member gets, and each member's own. */
export interface ControllerPrepared {
  assets: ControllerAssets;
  secrets: FilesByNode;
}

export const controllerKind: NodeKind<ControllerPrepared | undefined> = {
  role: 'controller',
  // A lab without built-in members (external controllers) needs no bundle and no secrets.
  prepare: async (plan, secrets) => {
    const members = membersOf(plan);
    if (members.length === 0) return undefined;
    const [assets, files] = await Promise.all([controllerAssets(), secretFilesByNode(members, (m) => memberSecretFiles(secrets, m))]);
    return { assets, secrets: files };
  },
  specs: (plan, prepared) =>
    membersOf(plan).map((m) => controllerSpec(plan, m, [...(prepared?.assets.files ?? []), ...(prepared?.secrets.get(m.name) ?? [])])),
};
