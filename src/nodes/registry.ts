// The node kinds of a lab, looked up by role and run in their list's order: deploy asks this for
// the lab's nodes; it knows no role itself.
import type { LabPlan } from '../topology/plan-types.ts';
import type { NodeSpec, Runtime } from '../runtime/runtime.ts';
import { Registry } from '../util/registry.ts';
import type { NodeKind } from './kind.ts';
import type { LabSecrets } from './secrets.ts';

/** What each kind's prepare returned, by role. */
export type PreparedKinds = ReadonlyMap<string, unknown>;

export class NodeKindRegistry {
  private readonly kinds: Registry<NodeKind>;

  /** Throws when two kinds claim the same role. */
  constructor(kinds: readonly NodeKind[]) {
    this.kinds = new Registry(kinds, (kind) => kind.role, { what: 'node role', unknownCode: 'UNKNOWN_ROLE' });
  }

  /** The kind of `role`; an unknown role is an error naming the known ones. */
  get(role: string): NodeKind {
    return this.kinds.get(role);
  }

  /** Roles in the registry's order. */
  roles(): string[] {
    return this.kinds.names();
  }

  /** Runs every kind's prepare hook (they are independent, so side by side). */
  async prepare(plan: LabPlan, secrets: LabSecrets): Promise<PreparedKinds> {
    const kinds = this.kinds.entries();
    const results = await Promise.all(kinds.map((kind) => kind.prepare?.(plan, secrets)));
    return new Map(kinds.map((kind, i) => [kind.role, results[i]]));
  }

  /** Every node of the lab, kind by kind in the registry's order. Without `prepared`, specs
   *  are what the plan alone gives (no node then carries files: no bundle, no secrets). */
  specs(plan: LabPlan, prepared: PreparedKinds = new Map()): NodeSpec[] {
    return this.kinds.entries().flatMap((kind) => kind.specs(plan, prepared.get(kind.role)));
  }

  /** Runs every kind's afterStart hook, one kind after the other in the registry's order. */
  async afterStart(plan: LabPlan, runtime: Runtime): Promise<void> {
    for (const kind of this.kinds.entries()) await kind.afterStart?.(plan, runtime);
  }
}
