// Table 30 (layout.ts, `replicate`), on service nodes: a frame of a switch it serves, classified
// in table 0, goes to one group that sends a copy to every node carrying the switch. The sender is
// among them, but OVS never outputs to the ingress port, so it gets nothing back; nodes without
// the switch have no bucket.
import { act, bucket, flowMod, groupMod, inst, type Bucket } from '../../../openflow/index.ts';
import { cookie, replicateGroupId } from '../ids.ts';
import { CookieKind, LAYOUT, Priority, Table } from '../layout.ts';
import type { FlowModMsg, GroupModMsg } from '../types.ts';
import { tunnelIngress } from './classify.ts';
import type { NodeContext, Stage, StageOutput } from './context.ts';
import { md, toTunnel } from './fields.ts';
import type { StateSwitch } from '../../../model/index.ts';

function build(node: NodeContext): StageOutput {
  const flows: FlowModMsg[] = [];
  const groups: GroupModMsg[] = [];
  const served = new Map<string, StateSwitch>();
  for (const i of tunnelIngress(node)) if (i.served) served.set(i.sw.name, i.sw);
  for (const sw of [...served.values()].sort((a, b) => a.vni - b.vni)) {
    const buckets: Bucket[] = [];
    for (const remote of node.hosts.get(sw.name) ?? []) {
      const tport = remote === node.name ? undefined : node.tunnelPort(remote, sw.encap);
      if (tport !== undefined) buckets.push(bucket(toTunnel(sw.vni, tport)));
    }
    groups.push(groupMod({ groupType: 'all', groupId: replicateGroupId(sw.vni), buckets }));
    flows.push(
      node.reuse(`replicate|${sw.vni}`, () =>
        flowMod({
          tableId: Table.REPLICATE,
          priority: Priority.MATCH,
          cookie: cookie(CookieKind.REPLICATE, sw.vni),
          match: [md(sw.vni)],
          instructions: [inst.apply(act.group(replicateGroupId(sw.vni)))],
        }),
      ),
    );
  }
  return { flows, groups };
}

export const replication: Stage = { layout: LAYOUT.replicate, build };
