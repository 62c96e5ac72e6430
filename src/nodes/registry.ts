// Node kinds register here, as containerlab's node kinds do: each turns its part of the plan
// into runtime node specs. Deploy asks the registry; it knows no role itself.
import type { LabPlan } from '../topology/plan-types.ts';
import type { NodeSpec } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';

export interface NodeKind {
  /** Role name as labels and `inspect` show it. */
  readonly role: string;
  /** Runtime specs of this kind's nodes in the lab, in plan order. */
  specs(plan: LabPlan): NodeSpec[];
}

const kinds = new Map<string, NodeKind>();

export function registerNodeKind(kind: NodeKind): void {
  kinds.set(kind.role, kind);
}

export function nodeKind(role: string): NodeKind {
  const kind = kinds.get(role);
  if (!kind) {
    throw new NvlabError('UNKNOWN_ROLE', `unknown node role '${role}' (known: ${[...kinds.keys()].join(', ')})`);
  }
  return kind;
}

export function registeredRoles(): string[] {
  return [...kinds.keys()];
}

/** Every node of the lab, kind by kind in registration order. */
export function nodeSpecs(plan: LabPlan): NodeSpec[] {
  return [...kinds.values()].flatMap((kind) => kind.specs(plan));
}
