import { LABEL_LAB, LABEL_NODE, LABEL_ROLE } from '../topology/plan-types.ts';

/** Ownership labels of a node: cleanup and lookups go by these alone. */
export function nodeLabels(lab: string, node: string, role: string): Record<string, string> {
  return { [LABEL_LAB]: lab, [LABEL_NODE]: node, [LABEL_ROLE]: role };
}
