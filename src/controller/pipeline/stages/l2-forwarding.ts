// Table 10 (layout.ts, `l2`): a frame's destination MAC, per switch. A local port's MAC goes to
// its port; a VM's on another node, only from a local VM (never tunnel to tunnel), into the
// tunnel of its node; anything else on to flooding.
import { flowMod, inst } from '../../../openflow/index.ts';
import { cookie } from '../ids.ts';
import { CookieKind, From, LAYOUT, Priority, Table } from '../layout.ts';
import type { FlowModMsg } from '../types.ts';
import type { NodeContext, Stage } from './context.ts';
import { from, md, toTunnel } from './fields.ts';
import type { StatePort } from '../../../model/index.ts';

/** A local VM's frame to `port` (a VM on another node) goes into the tunnel `tport` towards it. */
export const remoteUnicast = (vni: number, port: StatePort, tport: number): FlowModMsg =>
  flowMod({
    tableId: Table.L2,
    priority: Priority.MATCH,
    cookie: cookie(CookieKind.L2_REMOTE, vni, port.name),
    match: [md(vni), from(From.VM), { field: 'eth_dst', value: port.mac.toLowerCase() }],
    instructions: [inst.apply(...toTunnel(vni, tport))],
  });
export const remoteUnicastRecipe = (vni: number, port: StatePort, tport: number) => `l2-remote|${vni}|${port.name}|${port.mac}|${tport}`;

function build(node: NodeContext): { flows: FlowModMsg[]; groups: [] } {
  const flows: FlowModMsg[] = [];
  for (const sw of node.switches) {
    const vni = sw.vni;
    for (const port of node.localPorts(sw)) {
      const { name, mac, ofport, out } = port;
      const localUnicast = () =>
        flowMod({
          tableId: Table.L2,
          priority: Priority.LOCAL_UNICAST,
          cookie: cookie(CookieKind.L2_LOCAL, vni, name),
          match: [md(vni), { field: 'eth_dst', value: mac }],
          instructions: [inst.apply(...out)],
        });
      // A router interface's `out` may be a gate group: only a VM's is known from its ofport.
      flows.push(
        port.router
          ? localUnicast()
          : node.reuse(`l2-local|${vni}|${name}|${mac}|${ofport}|${port.out === port.deliver ? 'direct' : 'acl'}`, localUnicast),
      );
    }
    // Not before the VM is plugged in: until then its frames flood, as unknown unicast does, and
    // the node it is being plugged into is the one a change must reach first.
    for (const p of node.portsOf(sw)) {
      if (p.node === node.name || p.up === false) continue;
      const tport = node.tunnelPort(p.node!, sw.encap);
      if (tport === undefined) continue;
      flows.push(node.reuse(remoteUnicastRecipe(vni, p, tport), () => remoteUnicast(vni, p, tport)));
    }
    // Anything else floods, unknown unicast included (BUM): from a tunnel only to local ports
    // (table 20), so a sender's copy never comes back out, and a MAC behind a node that learns
    // (an L2 gateway) is reached wherever it sits.
    flows.push(
      node.reuse(`l2-flood|${vni}`, () =>
        flowMod({
          tableId: Table.L2,
          priority: Priority.FLOOD,
          cookie: cookie(CookieKind.L2_FLOOD, vni),
          match: [md(vni)],
          instructions: [inst.gotoTable(Table.FLOOD)],
        }),
      ),
    );
  }
  return { flows, groups: [] };
}

export const l2Forwarding: Stage = { layout: LAYOUT.l2, build };
