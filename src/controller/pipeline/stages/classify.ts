// Table 0 (layout.ts, `classify`): where a frame entered br-int (reg6) and which switch it
// belongs to (metadata). Local ports (VMs, and router interfaces on a gateway) and tunnels go on
// to L2 forwarding; on a service node, a tunnel's frame of a switch it serves goes straight to
// replication.
import { act, flowMod, inst, type Match } from '../../../openflow/index.ts';
import { cookie } from '../ids.ts';
import { CookieKind, From, LAYOUT, Priority, Table } from '../layout.ts';
import type { FlowModMsg } from '../types.ts';
import type { NodeContext, Stage } from './context.ts';
import { afterClassify } from './port-security.ts';
import { meterOf } from './qos.ts';
import type { StateSwitch } from '../../../model/index.ts';

/** Instructions of a classify flow: remember where the packet came from and its switch, and go
 *  on (a VM with port security or security groups first to those; one with QoS through its meter). */
const classifyAs = (vni: number, where: number, next: number = Table.L2, meter?: number) => [
  ...(meter === undefined ? [] : [inst.meter(meter)]),
  inst.apply(act.setField({ field: 'reg6', value: where })),
  inst.writeMetadata(BigInt(vni)),
  inst.gotoTable(next),
];

/** A tunnel's frames by switch: one entry per (reported tunnel, switch it carries). `served`: this
 *  is a service node and the switch one it serves (not one it carries as a peer). */
export interface TunnelIngress {
  sw: StateSwitch;
  tunnel: string;
  tport: number;
  served: boolean;
}

const ingressCache = new WeakMap<NodeContext, TunnelIngress[]>();

/** The tunnel ingresses of a node, tunnels by remote then encap, switches by VNI; once per
 *  computation (classify and replication both read them). */
export function tunnelIngress(node: NodeContext): TunnelIngress[] {
  let ingress = ingressCache.get(node);
  if (!ingress) ingressCache.set(node, (ingress = computeTunnelIngress(node)));
  return ingress;
}

function computeTunnelIngress(node: NodeContext): TunnelIngress[] {
  const hosted = new Set(node.switches.map((s) => s.name));
  const serviceNode = node.logical.nodes.find((n) => n.name === node.name)?.role === 'service-node';
  const ingress: TunnelIngress[] = [];
  for (const { tunnel, carries } of node.links) {
    const tport = node.facts.tunnelPorts.get(tunnel.name);
    if (tport === undefined) continue;
    for (const { sw, reasons } of carries) {
      if (hosted.has(sw.name) && reasons.some((r) => r === 'peer' || r === 'service' || r === 'routed'))
        ingress.push({ sw, tunnel: tunnel.name, tport, served: false });
      else if (serviceNode && reasons.includes('served')) ingress.push({ sw, tunnel: tunnel.name, tport, served: true });
    }
  }
  return ingress;
}

function build(node: NodeContext): { flows: FlowModMsg[]; groups: [] } {
  const flows: FlowModMsg[] = [];
  for (const sw of node.switches) {
    const vni = sw.vni;
    for (const { name, ofport, port } of node.localPorts(sw)) {
      const next = afterClassify(port);
      const meter = port?.qos ? meterOf(ofport) : undefined;
      flows.push(
        node.reuse(`classify-vm|${vni}|${name}|${ofport}|${next}|${meter ?? ''}`, () =>
          flowMod({
            tableId: Table.CLASSIFY,
            priority: Priority.MATCH,
            cookie: cookie(CookieKind.CLASSIFY_VM, vni, name),
            match: [{ field: 'in_port', value: ofport }],
            instructions: classifyAs(vni, From.VM, next, meter),
          }),
        ),
      );
    }
  }
  // One flow per (tunnel, switch it carries that this node hosts); a service node also classifies
  // the switches it serves, straight into replication.
  for (const { sw, tunnel, tport, served } of tunnelIngress(node)) {
    const match = (): Match => [
      { field: 'in_port', value: tport },
      { field: 'tunnel_id', value: BigInt(sw.vni) },
    ];
    flows.push(
      served
        ? node.reuse(`classify-served|${sw.vni}|${tunnel}|${tport}`, () =>
            flowMod({
              tableId: Table.CLASSIFY,
              priority: Priority.MATCH,
              cookie: cookie(CookieKind.CLASSIFY_SERVED, sw.vni, tunnel),
              match: match(),
              instructions: [inst.writeMetadata(BigInt(sw.vni)), inst.gotoTable(Table.REPLICATE)],
            }),
          )
        : node.reuse(`classify-tunnel|${sw.vni}|${tunnel}|${tport}`, () =>
            flowMod({
              tableId: Table.CLASSIFY,
              priority: Priority.MATCH,
              cookie: cookie(CookieKind.CLASSIFY_TUNNEL, sw.vni, tunnel),
              match: match(),
              instructions: classifyAs(sw.vni, From.TUNNEL),
            }),
          ),
    );
  }
  return { flows, groups: [] };
}

export const classify: Stage = { layout: LAYOUT.classify, build };
