// `nvlab status` put together from what the lab's members answered (which member to ask about
// each node: src/northbound-client/members.ts), in the stable JSON shape of src/model/status.ts.
// Pure.
import type { Outcome } from '../../northbound-client/index.ts';
import type {
  LabMemberStatus,
  LabNodeStatus,
  LabPortStatus,
  LabStatus,
  LogicalPortStatus,
  TransportNodeStatus,
} from '../../model/index.ts';

export interface NodeAnswer {
  node: string;
  role: string;
  status: Outcome<TransportNodeStatus>;
}

export interface PortAnswer {
  port: string;
  status: Outcome<LogicalPortStatus>;
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function assembleLabStatus(
  lab: string,
  members: LabMemberStatus[],
  nodes: readonly NodeAnswer[],
  ports: readonly PortAnswer[],
): LabStatus {
  return {
    lab,
    members: [...members].sort((a, b) => byName(a.name, b.name)),
    nodes: nodes
      .map((n): LabNodeStatus => {
        if (n.status.kind !== 'ok') return { node: n.node, role: n.role, error: n.status.message };
        // The role right after the node's name, as people read it.
        const { node, ...rest } = n.status.value;
        return { node, role: n.role, ...rest };
      })
      .sort((a, b) => byName(a.node, b.node)),
    ports: ports
      .map((p): LabPortStatus => (p.status.kind === 'ok' ? p.status.value : { port: p.port, error: p.status.message }))
      .sort((a, b) => byName(a.port, b.port)),
  };
}
