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
    // Twice a node's CPU weight. At the nodes' own weight, members stalled for up to 1.3 s
    // while 20 nodes booted and switches changed master for nothing; at 4096 they crowded out
    // the vswitchds a new port waits on (bench:controller at 20 hv, p50: 4096 103 ms, 2048
    // 88 ms, both without churn). NVLAB_CONTROLLER_CPU_WEIGHT sets another for experiments.
    cpuWeight: Number(process.env.NVLAB_CONTROLLER_CPU_WEIGHT ?? 2048),
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
