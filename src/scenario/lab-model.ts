// What a scenario knows of the lab's logical configuration: the plan, then every change its own
// steps made (add-port, migrate, remove-node, …). Steps are validated against it and checks
// derive their expectations from it (the tunnels a lab needs, the pairs `reach: all` pings), so
// they hold after the lab has changed. Pure data; changes return a new model.

import type { LabPlan } from '../topology/plan-types.ts';
import type { Encap, Replication, Role } from '../model/index.ts';

export interface ModelNode {
  name: string;
  role: Role;
  /** The node's own encap (a router's gateways tunnel to each other in it when it has no switch). */
  encap?: Encap;
}

export interface ModelPort {
  name: string;
  switch: string;
  /** The hypervisor hosting the VM. */
  node: string;
  ip: string;
  /** Undefined for a port a step added without one: the lab derives it. */
  mac?: string;
}

export interface ModelSwitch {
  name: string;
  subnet: string;
  replication: Replication;
  encap: Encap;
  /** The l2 gateway node bridging this switch onto a physical network. */
  l2Gateway?: string;
}

export interface ModelHost {
  name: string;
  network: string;
  ip: string;
}

export interface ModelRouter {
  name: string;
  /** Routes on every node carrying its switches; false: on its gateways only. */
  distributed: boolean;
  switches: string[];
  /** L3 gateways hosting the uplink, active first; empty without an uplink. */
  gateways: string[];
}

export interface LabModel {
  lab: string;
  /** Built-in controller members ctrl1 … ctrlN; empty with external controllers. */
  members: string[];
  nodes: ReadonlyMap<string, ModelNode>;
  ports: ReadonlyMap<string, ModelPort>;
  switches: ReadonlyMap<string, ModelSwitch>;
  hosts: ReadonlyMap<string, ModelHost>;
  routers: ReadonlyMap<string, ModelRouter>;
  networks: ReadonlySet<string>;
}

const byName = <T extends { name: string }>(items: readonly T[]): Map<string, T> => new Map(items.map((i) => [i.name, i]));

export function modelFromPlan(plan: LabPlan): LabModel {
  return {
    lab: plan.lab,
    members: plan.controllers.kind === 'builtin' ? plan.controllers.members.map((m) => m.name) : [],
    nodes: byName(plan.transportNodes.map((n) => ({ name: n.name, role: n.role, encap: n.encap }))),
    ports: byName(plan.switches.flatMap((s) => s.ports.map((p) => ({ name: p.name, switch: s.name, node: p.node, ip: p.ip, mac: p.mac })))),
    switches: byName(
      plan.switches.map((s) => ({
        name: s.name,
        subnet: s.subnet,
        replication: s.replication,
        encap: s.encap,
        ...(s.l2Gateway ? { l2Gateway: s.l2Gateway.node } : {}),
      })),
    ),
    hosts: byName(plan.hosts.map((h) => ({ name: h.name, network: h.network, ip: h.ip }))),
    routers: byName(
      plan.routers.map((r) => ({
        name: r.name,
        distributed: r.distributed,
        switches: r.interfaces.map((i) => i.switch),
        gateways: r.uplink?.gateways ?? [],
      })),
    ),
    networks: new Set(plan.networks.physical.map((n) => n.network)),
  };
}

// ---- changes, as the actions make them ----

/** A copy of `map` without `name`: the model is never changed in place. */
function without<T>(map: ReadonlyMap<string, T>, name: string): Map<string, T> {
  const copy = new Map(map);
  copy.delete(name);
  return copy;
}

export function withPort(model: LabModel, port: ModelPort): LabModel {
  return { ...model, ports: new Map(model.ports).set(port.name, port) };
}

export function withoutPort(model: LabModel, name: string): LabModel {
  return { ...model, ports: without(model.ports, name) };
}

export function withPortOn(model: LabModel, name: string, node: string): LabModel {
  const port = model.ports.get(name);
  return port ? withPort(model, { ...port, node }) : model;
}

export function withNode(model: LabModel, node: ModelNode): LabModel {
  return { ...model, nodes: new Map(model.nodes).set(node.name, node) };
}

/** The node leaves; ports bound to it stay in their switches, bound nowhere (as the controller keeps them). */
export function withoutNode(model: LabModel, name: string): LabModel {
  return { ...model, nodes: without(model.nodes, name) };
}

// ---- what the lab should look like ----

/** A tunnel seen from one end: the remote transport node and the encap. */
export interface TunnelEnd {
  remote: string;
  encap: Encap;
}

/** A router's gateways that exist, in its order; a router runs where they are. */
function liveGateways(model: LabModel, router: ModelRouter): string[] {
  return router.gateways.filter((g) => model.nodes.has(g));
}

/** Transport nodes (existing ones) that carry each switch: hypervisors of its ports, its l2
 *  gateway, and the gateways of every router joining it (each holds a copy of the router). */
export function switchCarriers(model: LabModel): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const sw of model.switches.values()) {
    const set = new Set<string>();
    if (sw.l2Gateway !== undefined && model.nodes.has(sw.l2Gateway)) set.add(sw.l2Gateway);
    out.set(sw.name, set);
  }
  for (const p of model.ports.values()) if (model.nodes.has(p.node)) out.get(p.switch)?.add(p.node);
  for (const r of model.routers.values()) {
    for (const sw of r.switches) for (const g of liveGateways(model, r)) out.get(sw)?.add(g);
  }
  return new Map([...out].map(([sw, set]) => [sw, [...set].sort()]));
}

/**
 * Every tunnel the logical configuration needs, per transport node (all of them, with [] where
 * none): between two nodes that carry the same switch; for a switch in service-node mode,
 * between each node carrying it and every service node; between the gateways of a router (they
 * watch each other), in the encap of its first switch, else of its first gateway; between the
 * nodes a distributed router joins, in the encap of the switch each end carries. One per
 * (remote, encap).
 */
export function neededTunnels(model: LabModel): Map<string, TunnelEnd[]> {
  const need = new Map<string, Map<string, TunnelEnd>>([...model.nodes.keys()].map((n) => [n, new Map()]));
  const add = (a: string, b: string, encap: Encap): void => {
    if (a === b) return;
    need.get(a)?.set(`${b}/${encap}`, { remote: b, encap });
    need.get(b)?.set(`${a}/${encap}`, { remote: a, encap });
  };
  const serviceNodes = [...model.nodes.values()].filter((n) => n.role === 'service-node').map((n) => n.name);
  const carriers = switchCarriers(model);
  for (const sw of model.switches.values()) {
    const here = carriers.get(sw.name) ?? [];
    for (const a of here) for (const b of here) add(a, b, sw.encap);
    if (sw.replication === 'service-node') for (const a of here) for (const sn of serviceNodes) add(a, sn, sw.encap);
  }
  for (const r of model.routers.values()) {
    // A distributed router joins the nodes of its switches: each sends into the switches the
    // other carries, in their encap.
    if (r.distributed) {
      const joined = r.switches.flatMap((s) => {
        const sw = model.switches.get(s);
        return sw ? [{ sw, at: carriers.get(s) ?? [] }] : [];
      });
      const nodes = new Set(joined.flatMap((j) => j.at));
      for (const { sw, at } of joined) for (const a of at) for (const b of nodes) add(a, b, sw.encap);
    }
    const gateways = liveGateways(model, r);
    const first = r.switches.map((s) => model.switches.get(s)).find((s) => s !== undefined);
    const encap = first?.encap ?? model.nodes.get(gateways[0] ?? '')?.encap ?? 'geneve';
    for (const a of gateways) for (const b of gateways) add(a, b, encap);
  }
  return new Map(
    [...need].map(([node, ends]) => [
      node,
      [...ends.values()].sort((x, y) => x.remote.localeCompare(y.remote) || x.encap.localeCompare(y.encap)),
    ]),
  );
}

/** A pair of ports `reach: all` pings, and whether the ping should be answered. */
export interface ReachPair {
  from: string;
  to: string;
  ip: string;
  reach: boolean;
}

/**
 * The pairs `reach: all` checks: every two ports of a switch (one direction; a ping is a round
 * trip) should reach; so should ports of two switches a router joins that runs somewhere (a
 * distributed one on every node carrying its switches, a centralized one on its gateways); ports
 * of switches that no router joins should not, in either direction. Switches joined only by a
 * centralized router without an uplink (deployed nowhere; the API takes one) are left alone. A cross-switch pair is left out when the sender's own switch uses the target's
 * address: the ping could not tell which of the two answered.
 */
export function reachPairs(model: LabModel): { pairs: ReachPair[]; ambiguous: number } {
  const bySwitch = new Map<string, ModelPort[]>();
  for (const p of model.ports.values()) {
    if (!model.nodes.has(p.node)) continue;
    const list = bySwitch.get(p.switch) ?? [];
    list.push(p);
    bySwitch.set(p.switch, list);
  }
  const joining = (a: string, b: string) => [...model.routers.values()].filter((r) => r.switches.includes(a) && r.switches.includes(b));
  const pairs: ReachPair[] = [];
  let ambiguous = 0;
  for (const ports of bySwitch.values()) {
    for (const [j, a] of ports.entries()) {
      for (const b of ports.slice(j + 1)) pairs.push({ from: a.name, to: b.name, ip: b.ip, reach: true });
    }
  }
  const switches = [...bySwitch.keys()];
  for (const [i, sa] of switches.entries()) {
    for (const [j, sb] of switches.entries()) {
      if (i === j) continue;
      const routers = joining(sa, sb);
      // Routed: one direction, as within a switch. Isolated: both ways, since a blocked request
      // and a blocked reply look the same to one ping.
      const reach = routers.some((r) => r.distributed || r.gateways.length > 0);
      if ((reach && j < i) || (!reach && routers.length > 0)) continue;
      const ports = bySwitch.get(sa) ?? [];
      for (const a of ports) {
        for (const b of bySwitch.get(sb) ?? []) {
          if (ports.some((p) => p.ip === b.ip)) ambiguous++;
          else pairs.push({ from: a.name, to: b.name, ip: b.ip, reach });
        }
      }
    }
  }
  return { pairs, ambiguous };
}

/** The address a port or host answers on, for steps that name it. */
export function addressOf(model: LabModel, name: string): string | undefined {
  return model.ports.get(name)?.ip ?? model.hosts.get(name)?.ip;
}
