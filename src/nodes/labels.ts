import { LABEL_LAB, LABEL_NODE, LABEL_ROLE, parseCidr } from '../model/index.ts';

/** Ownership labels of a node: cleanup and lookups go by these alone. */
export function nodeLabels(lab: string, node: string, role: string): Record<string, string> {
  return { [LABEL_LAB]: lab, [LABEL_NODE]: node, [LABEL_ROLE]: role };
}

/** The prefix length of a CIDR ("10.0.0.0/24" → 24); undefined when unknown. */
export function prefixOf(subnet: string | undefined): number | undefined {
  return subnet === undefined ? undefined : parseCidr(subnet)?.prefixLength;
}
