// The lab's graph from what the console has read (readings.ts), drawn by the same code as
// `nvlab graph LAB`: the resources the cluster holds (graphFromResources) and the live state its
// members answered (withLiveState). Members and their Raft roles come from GET /api/v1/members
// once it has answered, until then from this member's own status (leases only).
import { graphFromResources, withLiveState, type GraphView, type LabGraph, type LiveState } from '../graph/index.ts';
import type { TransportNode } from '../model/index.ts';
import type { LabReadings } from './readings.ts';

function members(r: LabReadings): LiveState['members'] {
  if (r.members.value) return r.members.value;
  const s = r.status.value;
  return (s?.members ?? []).map((m) => ({
    name: m.name,
    live: m.live,
    ...(m.name === s?.member && s.store.role ? { raft: s.store.role } : {}),
    masterOf: (s?.masterships ?? []).filter((x) => x.member === m.name).map((x) => x.node),
  }));
}

export function liveGraph(r: LabReadings, view: GraphView, lab = 'lab'): LabGraph {
  return graphOf(r, view, lab, (t) => {
    const reading = r.nodeStatus.get(t.name);
    return reading?.value ? { ...reading.value, role: t.role } : { node: t.name, role: t.role, error: reading?.error ?? 'not read yet' };
  });
}

/** The graph as it will most likely be drawn once every node's status is in, before they are:
 *  each node answering, its master the one its lease names (from this member's status), its
 *  tunnels not yet known. Its layout can start while the statuses are read: the layout engine
 *  never sees tunnels, so the lab's graph finds its placement made (src/graph/layout.ts). */
export function expectedGraph(r: LabReadings, view: GraphView, lab = 'lab'): LabGraph {
  const leases = new Map((r.status.value?.masterships ?? []).map((m) => [m.node, m]));
  return graphOf(r, view, lab, (t) => {
    const lease = leases.get(t.name);
    return {
      node: t.name,
      role: t.role,
      member: r.status.value?.member ?? '',
      connected: { ovsdb: true, openflow: true },
      ...(lease ? { master: { member: lease.member, generation: lease.generation } } : {}),
      flows: 0,
      tunnels: [],
    };
  });
}

function graphOf(r: LabReadings, view: GraphView, lab: string, status: (t: TransportNode) => LiveState['nodes'][number]): LabGraph {
  const live = members(r);
  const graph = graphFromResources(
    {
      lab,
      members: live.map((m) => ({ name: m.name, ip: r.members.value?.find((x) => x.name === m.name)?.ip })),
      transportNodes: r.nodes.value ?? [],
      switches: r.switches.value ?? [],
      ports: r.ports.value ?? [],
      routers: r.routers.value ?? [],
    },
    view,
  );
  const nodes = (r.nodes.value ?? []).map(status);
  const ports = (r.ports.value ?? []).map((p) => {
    const reading = r.portStats.get(p.name);
    if (!p.node) return { port: p.name, plugged: false };
    if (reading?.value) return { port: p.name, plugged: reading.value.plugged };
    return { port: p.name, error: reading?.error ?? 'not read yet' };
  });
  const readAt = new Date(Math.max(r.status.at, r.nodes.at, 0)).toISOString();
  return withLiveState(graph, { readAt, members: live, nodes, ports });
}
