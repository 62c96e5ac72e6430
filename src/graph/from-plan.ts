// A lab's graph from its plan alone (nothing deployed): what the topology file describes, drawn
// as the two worlds of an overlay and the mapping between them.
import { modelFromPlan, neededTunnels } from '../scenario/lab-model.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import type { GraphView, LabGraph } from './model.ts';
import { GraphBuilder, MGMT, UNDERLAY, viewOf } from './parts.ts';

/** The graph of a planned lab, in one view or both (with the mapping between them). */
export function graphFromPlan(plan: LabPlan, view: GraphView = 'both'): LabGraph {
  const g = new GraphBuilder();
  const { mgmt, underlay, physical } = plan.networks;
  g.network(MGMT, mgmt.subnet);
  g.network(UNDERLAY, underlay.subnet);
  for (const n of physical) g.network(n.network, n.subnet, n.vlan);
  if (plan.controllers.kind === 'builtin') for (const m of plan.controllers.members) g.member(m.name, m.mgmtIp);
  for (const t of plan.transportNodes) {
    const id = g.transportNode(t);
    for (const a of t.attachments) g.link(id, a.network, a.ip);
  }
  for (const h of plan.hosts) g.host(h.name, h.network, h.ip, h.vlan);
  for (const [a, ends] of neededTunnels(modelFromPlan(plan))) {
    for (const end of ends.filter((e) => a < e.remote)) g.tunnel(a, end.remote, end.encap);
  }
  for (const s of plan.switches) {
    g.switch(s);
    for (const p of s.ports) g.port(p);
    if (s.l2Gateway) g.bridge(s.name, s.l2Gateway);
  }
  for (const r of plan.routers) {
    const interfaces = r.interfaces.map((i) => ({ switch: i.switch, ip: `${i.ip}/${i.prefixLength}` }));
    const up = r.uplink;
    g.router({ name: r.name, distributed: r.distributed, interfaces, uplink: up && { ...up, ip: `${up.ip}/${up.prefixLength}` } });
  }
  return { lab: plan.lab, view, ...viewOf(g, view) };
}
