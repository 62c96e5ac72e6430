// `nvlab status` put together from what the lab's members answered: which member to ask about
// each node (its master, which knows whether it is programmed, else any member that answers)
// and the lab's status in the stable JSON shape of src/model/status.ts. Pure.
import type { Outcome } from '../../northbound-client/index.ts';
import type {
  LabMemberStatus,
  LabNodeStatus,
  LabPortStatus,
  LabStatus,
  LogicalPortStatus,
  Status,
  TransportNodeStatus,
} from '../../model/index.ts';

/** A controller member as the lab's containers show it, and what it answered for its status. */
export interface MemberAnswer {
  name: string;
  ip: string | undefined;
  running: boolean;
  status: Outcome<Status> | undefined;
}

const answered = (m: MemberAnswer): m is MemberAnswer & { status: { kind: 'ok'; value: Status } } => m.status?.kind === 'ok';

/** The status whose view of the cluster counts (members' leases, masterships): the Raft
 *  leader's where it answered, else the first member's that answered with its store in touch. */
export function referenceStatus(members: readonly MemberAnswer[]): Status | undefined {
  const statuses = members.filter(answered).map((m) => m.status.value);
  return statuses.find((s) => s.store.leader === true) ?? statuses.find((s) => s.store.available) ?? statuses[0];
}

/** The member to ask about a node: its master if that one answered, else the first that did. */
export function memberFor(node: string | undefined, reference: Status, members: readonly MemberAnswer[]): MemberAnswer | undefined {
  const up = members.filter(answered);
  const master = node === undefined ? undefined : reference.masterships.find((m) => m.node === node)?.member;
  return up.find((m) => m.name === master) ?? up[0];
}

export function memberStatuses(members: readonly MemberAnswer[], reference: Status): LabMemberStatus[] {
  const live = new Map(reference.members.map((m) => [m.name, m.live]));
  return members.map((m): LabMemberStatus => {
    const own = m.status?.kind === 'ok' ? m.status.value : undefined;
    const masterOf =
      own?.masterOf ??
      reference.masterships
        .filter((s) => s.member === m.name)
        .map((s) => s.node)
        .sort();
    return {
      name: m.name,
      ...(m.ip ? { ip: m.ip } : {}),
      running: m.running,
      live: live.get(m.name) ?? false,
      ...(own?.store.role ? { raft: own.store.role } : {}),
      masterOf,
      ...(own ? {} : { error: m.status && 'message' in m.status ? m.status.message : 'its container is not running' }),
    };
  });
}

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
