// Deploy a planned lab, in stages as containerlab does: the lab's state (API token, authorities),
// networks, then nodes (bounded parallel, each waited for until its agent reports ready). The node
// kinds' registry gives the nodes and their hooks; deploy knows no role. A failure midway rolls
// everything back, the lab's state included.
import { type LabPlan, type NetworkPlan } from '../topology/plan-types.ts';
import { membersOf, nodeKinds } from '../nodes/index.ts';
import { pushLogicalConfig, waitProgrammed } from './logical-config.ts';
import { northbound } from '../northbound-client/index.ts';
import type { NodeSpec, Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { mapLimit } from '../util/pool.ts';
import { seconds } from '../util/seconds.ts';
import { destroyLab } from './destroy.ts';
import { labExists } from './labs.ts';
import { apiCredentialsOf, createLabState } from './lab-state.ts';
import { LABEL_LAB, LABEL_NETWORK } from '../model/index.ts';

export type DeployEvent =
  | { type: 'stage'; stage: 'prepare' | 'networks' | 'nodes' | 'logical config' | 'programmed' | 'rollback' }
  | { type: 'progress'; line: string }
  | { type: 'node-ready'; name: string; done: number; total: number; ms: number };

export interface DeployOptions {
  /** Nodes created at once. */
  concurrency?: number;
  onEvent?: (event: DeployEvent) => void;
  /** Aborting stops creating nodes and rolls back. */
  signal?: AbortSignal;
}

export interface DeployResult {
  lab: string;
  nodes: number;
  networks: number;
  durationMs: number;
}

export class DeployError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DEPLOY', message, { ...options, exitCode: 2 });
  }
}

export function labNetworks(plan: LabPlan): NetworkPlan[] {
  return [plan.networks.mgmt, plan.networks.underlay, ...plan.networks.physical];
}

export const DEFAULT_CONCURRENCY = 8;

export async function deployLab(runtime: Runtime, plan: LabPlan, options: DeployOptions = {}): Promise<DeployResult> {
  const started = performance.now();
  const emit = options.onEvent ?? (() => {});
  const signal = options.signal;
  // An existing lab of that name is someone's running lab: refuse, and never roll it back.
  if (await labExists(runtime, plan.lab)) {
    throw new DeployError(`lab ${plan.lab} is already deployed; destroy it first (nvlab destroy ${plan.lab})`);
  }
  emit({ type: 'stage', stage: 'prepare' });
  await runtime.prepare((line) => emit({ type: 'progress', line }));

  const members = membersOf(plan);
  const networks = labNetworks(plan);
  let nodes: NodeSpec[] = [];
  try {
    // The token and the authorities exist before the nodes that carry them.
    const secrets = await createLabState(plan.lab, { tls: plan.security.tls });
    nodes = nodeKinds.specs(plan, await nodeKinds.prepare(plan, secrets));
    // Networks and node containers are made side by side: a container needs its networks only
    // when it starts.
    emit({ type: 'stage', stage: 'networks' });
    const made = await Promise.allSettled([
      mapLimit(networks, 4, (network) =>
        runtime.createNetwork({
          name: network.name,
          subnet: network.subnet,
          gateway: network.gateway,
          mtu: network.mtu,
          internal: network.internal,
          labels: { [LABEL_LAB]: plan.lab, [LABEL_NETWORK]: network.key },
        }),
      ),
      mapLimit(nodes, options.concurrency ?? DEFAULT_CONCURRENCY, async (spec) => {
        signal?.throwIfAborted();
        await runtime.createNode(spec);
      }),
    ]);
    for (const result of made) if (result.status === 'rejected') throw result.reason;
    emit({ type: 'stage', stage: 'nodes' });
    let done = 0;
    await mapLimit(nodes, options.concurrency ?? DEFAULT_CONCURRENCY, async (spec) => {
      signal?.throwIfAborted();
      const t0 = performance.now();
      await runtime.start(spec.name);
      done += 1;
      emit({ type: 'node-ready', name: spec.hostname, done, total: nodes.length, ms: performance.now() - t0 });
    });
    signal?.throwIfAborted();
    await nodeKinds.afterStart(plan, runtime);
    if (members.length > 0) {
      emit({ type: 'stage', stage: 'logical config' });
      // The credentials just made, not read back from the state they were written to.
      const memberIps = members.map((m) => m.mgmtIp);
      const access = { credentials: apiCredentialsOf(secrets), client: 'deploy' as const };
      await pushLogicalConfig(plan, northbound(memberIps, access));
      // Ready means forwarding: wait until the controllers have programmed every node.
      await waitProgrammed(
        memberIps,
        plan.transportNodes.map((n) => n.name),
        60_000 + 1_000 * plan.transportNodes.length,
        access,
      );
      emit({ type: 'stage', stage: 'programmed' });
    }
  } catch (error) {
    emit({ type: 'stage', stage: 'rollback' });
    await destroyLab(runtime, plan.lab).catch(() => {});
    if (signal?.aborted) throw new DeployError(`deploy of ${plan.lab} interrupted; rolled back`, { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    throw new DeployError(`deploy of ${plan.lab} failed, rolled back: ${message}`, { cause: error });
  }
  return { lab: plan.lab, nodes: nodes.length, networks: networks.length, durationMs: performance.now() - started };
}

/** The line people read once a lab is up. */
export function deploySummary(result: DeployResult): string {
  return `deployed ${result.lab}: ${result.nodes} nodes in ${seconds(result.durationMs, 1)} s`;
}
