// An L2 gateway's own flows (layout.ts, `l2Gateway`) for each switch it bridges onto a physical
// network, once br-int has reported its NIC (stages/context.ts, gatewayNic).
//
// The NIC is classified like a local VM port (reg6 = VM): its frames reach remote VMs by their
// known MACs and flood like a VM's. On the way in the tag is popped and the source MAC learned
// into table 40 (match switch + eth_dst, load reg7[0] = 1). A tunnel's frame looks itself up
// there (resubmit), and a learned destination goes straight out the NIC; BUM and unknown unicast
// go on to flood-local, whose bucket for the NIC (flooding stage) sends them out once.
import { act, flowMod, inst, type Match } from '../../../openflow/index.ts';
import { cookie } from '../ids.ts';
import { CookieKind, From, LAYOUT, LEARNED_REG, Priority, Table } from '../layout.ts';
import { learnAction } from '../learn.ts';
import type { FlowModMsg } from '../types.ts';
import type { NodeContext, Stage } from './context.ts';
import { from, md } from './fields.ts';

/** How long an L2 gateway remembers a physical MAC it has not seen since. */
export const LEARN_IDLE_TIMEOUT_S = 300;

function build(node: NodeContext): { flows: FlowModMsg[]; groups: [] } {
  const flows: FlowModMsg[] = [];
  for (const sw of node.switches) {
    const nic = node.gatewayNic(sw);
    if (!nic) continue;
    const vni = sw.vni;
    const learn = learnAction({
      table: Table.LEARNED,
      priority: Priority.MATCH,
      idleTimeout: LEARN_IDLE_TIMEOUT_S,
      cookie: cookie(CookieKind.L2GW_LEARNED, vni),
      metadata: BigInt(vni),
      mark: { reg: LEARNED_REG, bit: 0 },
    });
    flows.push(
      flowMod({
        tableId: Table.CLASSIFY,
        priority: Priority.MATCH,
        cookie: cookie(CookieKind.CLASSIFY_PHYSICAL, vni, nic.name),
        match: [
          { field: 'in_port', value: nic.ofport },
          { field: 'vlan_vid', value: nic.vid },
        ],
        instructions: [
          inst.apply(...(nic.tagged ? [act.popVlan()] : []), learn, act.setField({ field: 'reg6', value: From.VM })),
          inst.writeMetadata(BigInt(vni)),
          inst.gotoTable(Table.L2),
        ],
      }),
    );
    flows.push(
      flowMod({
        tableId: Table.L2,
        priority: Priority.MATCH,
        cookie: cookie(CookieKind.L2GW_FROM_TUNNEL, vni),
        match: [md(vni), from(From.TUNNEL)],
        instructions: [inst.apply(act.resubmit(Table.LEARNED)), inst.gotoTable(Table.FLOOD)],
      }),
    );
    flows.push(
      flowMod({
        tableId: Table.FLOOD,
        priority: Priority.LOCAL_UNICAST,
        cookie: cookie(CookieKind.L2GW_TO_PHYSICAL, vni),
        match: [md(vni), from(From.TUNNEL), { field: `reg${LEARNED_REG}`, value: 1 } as Match[number]],
        instructions: [inst.apply(...nic.out)],
      }),
    );
  }
  return { flows, groups: [] };
}

export const l2Gateway: Stage = { layout: LAYOUT.l2Gateway, build };
