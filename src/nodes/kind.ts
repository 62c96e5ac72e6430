// What a node kind is: the part of deploying a lab that depends on a role. Deploy runs the hooks
// of every kind in the registry's order (src/nodes/kinds.ts) and knows no role itself.
import type { LabPlan } from '../topology/plan-types.ts';
import type { NodeSpec, Runtime } from '../runtime/runtime.ts';
import type { LabSecrets } from './secrets.ts';

/**
 * A node kind: `specs` is pure (the plan in, runtime specs out), so a plan can be turned into
 * nodes without I/O (tests, `addTransportNode`); I/O belongs in the hooks.
 *
 * Deploy's order: runtime.prepare (the node image), then the lab's state (its API token and, with
 * TLS, its authorities: src/app/lab-state.ts), then every kind's `prepare`, then `specs`
 * given what `prepare` returned, then networks and nodes are created and started, then every
 * kind's `afterStart`, then the logical configuration goes to the controller cluster.
 */
export interface NodeKind<Prepared = unknown> {
  /** Role name as labels and `inspect` show it. */
  readonly role: string;
  /**
   * I/O this kind needs before its specs are asked for, once per deploy; what it returns is
   * given to `specs`. The controller kind builds its bundle and reads the store schema here;
   * kinds whose nodes hold secrets (src/nodes/secrets.ts) issue their certificates from `secrets`.
   */
  prepare?(plan: LabPlan, secrets: LabSecrets): Promise<Prepared>;
  /** Runtime specs of this kind's nodes in the lab, in plan order. `prepared` is what `prepare`
   *  returned, or undefined when it did not run (a plan turned into specs without deploying). */
  specs(plan: LabPlan, prepared?: Prepared): NodeSpec[];
  /**
   * Runs once every node of the lab has started (its agent reported ready), before the logical
   * configuration is pushed: for work on a kind's running nodes that cannot be done in its
   * spec (a node that must be told about the others once they exist). No kind needs it today:
   * transport nodes get all they need from their environment and the controller cluster.
   */
  afterStart?(plan: LabPlan, runtime: Runtime): Promise<void>;
}
