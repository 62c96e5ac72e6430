// Table 20 (layout.ts, `flood`): broadcast, multicast and unknown unicast, through two groups per
// switch. From a local port, flood-all: every local port and a copy for every other node of the
// switch (source replication) or one for the first live service node; from a tunnel, flood-local.
// OVS never outputs to the ingress port, so one group per switch serves every ingress port.
import { act, bucket, flowMod, groupMod, inst, type Bucket } from '../../../openflow/index.ts';
import { cookie, floodAllGroupId, floodLocalGroupId, serviceFailoverGroupId } from '../ids.ts';
import { CookieKind, From, LAYOUT, Priority, Table } from '../layout.ts';
import { serviceNodeOrder } from '../tunnels.ts';
import type { FlowModMsg, GroupModMsg } from '../types.ts';
import type { NodeContext, Stage, StageOutput } from './context.ts';
import { from, md, toTunnel } from './fields.ts';
import type { StateSwitch } from '../../../model/index.ts';

/** Copies for the other nodes of the switch, and the service-node failover group they need. */
function remoteCopies(node: NodeContext, sw: StateSwitch): { buckets: Bucket[]; failover?: GroupModMsg } {
  const vni = sw.vni;
  const buckets: Bucket[] = [];
  if (sw.replication === 'source') {
    for (const remote of (node.hosts.get(sw.name) ?? []).filter((n) => n !== node.name)) {
      const tport = node.tunnelPort(remote, sw.encap);
      if (tport !== undefined) buckets.push(node.reuse(`bucket-tunnel|${vni}|${tport}`, () => bucket(toTunnel(vni, tport))));
    }
    return { buckets };
  }
  // One copy to the first live service node in this switch's order. Liveness is the tunnel
  // port's, which BFD drives, so a hypervisor moves on by itself when one dies. The local
  // copies sit in the `all` group, outside the failover choice.
  const failover: Bucket[] = [];
  for (const sn of serviceNodeOrder(node.logical, vni).filter((n) => n !== node.name)) {
    const tport = node.tunnelPort(sn, sw.encap);
    if (tport !== undefined) failover.push(bucket(toTunnel(vni, tport), { watchPort: tport }));
  }
  return {
    buckets: [bucket([act.group(serviceFailoverGroupId(vni))])],
    failover: groupMod({ groupType: 'fast_failover', groupId: serviceFailoverGroupId(vni), buckets: failover }),
  };
}

/** The flood flow per ingress: from a local port to flood-all, from a tunnel to flood-local. */
const FLOOD_FROM = [
  { key: 'flood-from-vm', from: From.VM, cookie: CookieKind.FLOOD_FROM_VM, group: floodAllGroupId },
  { key: 'flood-from-tunnel', from: From.TUNNEL, cookie: CookieKind.FLOOD_FROM_TUNNEL, group: floodLocalGroupId },
] as const;

function build(node: NodeContext): StageOutput {
  const flows: FlowModMsg[] = [];
  const groups: GroupModMsg[] = [];
  for (const sw of node.switches) {
    const vni = sw.vni;
    const localBuckets: Bucket[] = [...node.localPorts(sw)]
      .sort((a, b) => a.ofport - b.ofport)
      .map((l) =>
        l.router ? bucket(l.out) : node.reuse(`bucket-vm|${l.ofport}|${l.out === l.deliver ? 'direct' : 'acl'}`, () => bucket(l.out)),
      );
    // An L2 gateway's NIC: out once, with the tag.
    const nic = node.gatewayNic(sw);
    if (nic) localBuckets.push(bucket(nic.out));
    const remote = remoteCopies(node, sw);
    if (remote.failover) groups.push(remote.failover);
    groups.push(groupMod({ groupType: 'all', groupId: floodLocalGroupId(vni), buckets: localBuckets }));
    groups.push(groupMod({ groupType: 'all', groupId: floodAllGroupId(vni), buckets: [...localBuckets, ...remote.buckets] }));
    for (const f of FLOOD_FROM) {
      flows.push(
        node.reuse(`${f.key}|${vni}`, () =>
          flowMod({
            tableId: Table.FLOOD,
            priority: Priority.MATCH,
            cookie: cookie(f.cookie, vni),
            match: [md(vni), from(f.from)],
            instructions: [inst.apply(act.group(f.group(vni)))],
          }),
        ),
      );
    }
  }
  return { flows, groups };
}

export const flooding: Stage = { layout: LAYOUT.flood, build };
