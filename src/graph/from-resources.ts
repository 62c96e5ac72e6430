// A running lab's graph from what its controller cluster holds (the northbound API's resources),
// as the console and `nvlab graph LAB` draw it: no topology file needed. Physical networks are
// known by name only (from the gateways that reach them); tunnels and every state come from the
// members' status answers (live.ts).
import type { LogicalPort, LogicalRouter, LogicalSwitch, TransportNode } from '../model/index.ts';
import type { GraphView, LabGraph } from './model.ts';
import { GraphBuilder, MGMT, UNDERLAY, viewOf } from './parts.ts';

export interface LabResources {
  lab: string;
  /** The controller members, with their management address where known. */
  members: { name: string; ip?: string | undefined }[];
  transportNodes: TransportNode[];
  switches: LogicalSwitch[];
  ports: LogicalPort[];
  routers: LogicalRouter[];
}

export function graphFromResources(r: LabResources, view: GraphView = 'both'): LabGraph {
  const g = new GraphBuilder();
  g.network(MGMT);
  g.network(UNDERLAY);
  const physical = new Set<string>();
  const attach = (node: string, network: string, nic: string) => {
    if (!physical.has(network)) g.network(network);
    physical.add(network);
    g.link(`transport-node:${node}`, network, nic);
  };
  for (const m of r.members) g.member(m.name, m.ip);
  for (const t of r.transportNodes) g.transportNode(t);
  for (const s of r.switches) {
    g.switch(s);
    if (s.l2Gateway) attach(s.l2Gateway.node, s.l2Gateway.network, s.l2Gateway.nic);
  }
  for (const p of r.ports) g.port(p);
  for (const s of r.switches) if (s.l2Gateway) g.bridge(s.name, s.l2Gateway);
  for (const router of r.routers) {
    const up = router.uplink;
    for (const gw of up?.gateways ?? []) attach(gw.node, up!.network, gw.nic);
    g.router({ ...router, uplink: up && { ...up, gateways: up.gateways.map((gw) => gw.node) } });
  }
  return { lab: r.lab, view, ...viewOf(g, view) };
}
