// Table 1 (layout.ts, `portSecurity`): a port with port security may send only from its own
// addresses: its MAC, and with an IP, IPv4 from that IP and ARP claiming it (sender MAC and IP).
// Anything else it sends (another source MAC or IP, IPv6, other ethertypes) is dropped here, on
// its own node, before it reaches a switch's other ports or a tunnel. What passes goes on to the
// port's egress ACL when it is in a security group, else to L2 forwarding.
import { flowMod, inst, type Match } from '../../../openflow/index.ts';
import { cookie } from '../ids.ts';
import { CookieKind, LAYOUT, Priority, Table } from '../layout.ts';
import type { FlowModMsg } from '../types.ts';
import type { NodeContext, Stage } from './context.ts';
import type { StatePort } from '../../../model/index.ts';

const ETH_IP = 0x0800;
const ETH_ARP = 0x0806;

const inSomeGroup = (p: StatePort) => (p.securityGroups?.length ?? 0) > 0;

/** Where a local VM's frames go once classified: port security, its egress ACL, or on. */
export function afterClassify(port: StatePort | undefined): number {
  if (port?.portSecurity) return Table.PORT_SECURITY;
  return port && inSomeGroup(port) ? Table.ACL_OUT : Table.L2;
}

function flowsOf(port: StatePort, ofport: number, vni: number): FlowModMsg[] {
  const next = inSomeGroup(port) ? Table.ACL_OUT : Table.L2;
  const mac = port.mac.toLowerCase();
  const own = (match: Match): FlowModMsg =>
    flowMod({
      tableId: Table.PORT_SECURITY,
      priority: Priority.MATCH,
      cookie: cookie(CookieKind.PORT_SECURITY, vni, port.name),
      match: [{ field: 'in_port', value: ofport }, { field: 'eth_src', value: mac }, ...match],
      instructions: [inst.gotoTable(next)],
    });
  const allowed = port.ip
    ? [
        own([
          { field: 'eth_type', value: ETH_IP },
          { field: 'ipv4_src', value: port.ip },
        ]),
        own([
          { field: 'eth_type', value: ETH_ARP },
          { field: 'arp_spa', value: port.ip },
          { field: 'arp_sha', value: mac },
        ]),
      ]
    : [own([])];
  const spoofed = flowMod({
    tableId: Table.PORT_SECURITY,
    priority: Priority.SPOOFED,
    cookie: cookie(CookieKind.PORT_SECURITY_DROP, vni, port.name),
    match: [{ field: 'in_port', value: ofport }],
  });
  return [...allowed, spoofed];
}

function build(node: NodeContext): { flows: FlowModMsg[]; groups: [] } {
  const flows: FlowModMsg[] = [];
  for (const sw of node.switches) {
    for (const { name, ofport, port } of node.localPorts(sw)) {
      if (!port?.portSecurity) continue;
      flows.push(
        ...node.reuse(`port-security|${sw.vni}|${name}|${port.mac}|${port.ip ?? ''}|${ofport}|${inSomeGroup(port)}`, () =>
          flowsOf(port, ofport, sw.vni),
        ),
      );
    }
  }
  return { flows, groups: [] };
}

export const portSecurity: Stage = { layout: LAYOUT.portSecurity, build };
