// A controller cluster's members as its members answer for themselves: whose view of the
// cluster counts (the Raft leader's), which member to ask about a node (its master), and each
// member's address, lease, Raft role and masterships, or why it gave no answer. Used by
// `nvlab status` (which knows the members from the lab's containers) and by the members
// themselves for GET /api/v1/members (which know their peers' addresses).
import type { ClusterMember, LabMemberStatus, Status } from '../model/index.ts';
import { memberStatus } from './client.ts';
import type { Outcome } from './outcomes.ts';
import type { MemberOptions } from './transport.ts';

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

/** Every member of the cluster (name → management address), each asked for its status at once. */
export async function clusterMembers(members: ReadonlyMap<string, string>, options: MemberOptions = {}): Promise<ClusterMember[]> {
  const answers = await Promise.all(
    [...members].map(async ([name, ip]): Promise<MemberAnswer> => ({ name, ip, running: true, status: await memberStatus(ip, options) })),
  );
  const reference = referenceStatus(answers);
  if (!reference)
    return answers.map((m) => ({
      name: m.name,
      ...(m.ip ? { ip: m.ip } : {}),
      live: false,
      masterOf: [],
      error: m.status && 'message' in m.status ? m.status.message : 'no answer',
    }));
  return memberStatuses(answers, reference).map(({ running: _running, ...m }) => m);
}
