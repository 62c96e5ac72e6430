import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { projectRoot } from '../util/paths.ts';
import { nodeElk } from './elk-node.ts';
import { GRAPH_VIEWS, graphFromPlan, layoutGraph, type LabGraph, type LaidOutGraph, type PlacedNode, type Point } from './index.ts';

const topologies = (await readdir(join(projectRoot, 'topologies'))).filter((f) => f.endsWith('.yaml')).sort();
const graphOf = async (file: string, view: LabGraph['view'] = 'both') =>
  graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies', file))).topology), view);

const overlap = (a: PlacedNode, b: PlacedNode) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** On the node's border: inside its box grown by a pixel, outside it shrunk by one. */
function onBorder(p: Point, n: PlacedNode): boolean {
  const inside = (m: number) => p.x >= n.x - m && p.x <= n.x + n.width + m && p.y >= n.y - m && p.y <= n.y + n.height + m;
  return inside(1) && !inside(-1);
}

/** What every laid-out graph must be. */
function expectWellPlaced(g: LaidOutGraph, source: LabGraph): void {
  expect(g.nodes.map((n) => n.id)).toEqual(source.nodes.map((n) => n.id));
  expect(g.edges.map((e) => e.id)).toEqual(source.edges.map((e) => e.id));
  for (const n of g.nodes) {
    expect([n.width > 0, n.height > 0], n.id).toEqual([true, true]);
    expect(n.x >= 0 && n.y >= 0 && n.x + n.width <= g.width && n.y + n.height <= g.height, `${n.id} inside the picture`).toBe(true);
  }
  for (let i = 0; i < g.nodes.length; i++)
    for (let j = i + 1; j < g.nodes.length; j++)
      expect(overlap(g.nodes[i]!, g.nodes[j]!), `${g.nodes[i]!.id} / ${g.nodes[j]!.id}`).toBe(false);
  const at = new Map(g.nodes.map((n) => [n.id, n]));
  for (const e of g.edges) {
    expect(e.points.length, e.id).toBeGreaterThanOrEqual(2);
    expect(onBorder(e.points[0]!, at.get(e.from)!), `${e.id} starts at ${e.from}`).toBe(true);
    expect(onBorder(e.points[e.points.length - 1]!, at.get(e.to)!), `${e.id} ends at ${e.to}`).toBe(true);
    if (e.label !== undefined && e.kind !== 'tunnel') expect(e.labelAt, `${e.id}'s label placed`).toBeDefined();
  }
  const tunnels = g.edges.filter((e) => e.kind === 'tunnel');
  if (tunnels.length > 0) expect(tunnels.some((e) => e.labelAt)).toBe(true);
}

/** The plan of a topology file given as lines (written to a temporary directory, read back). */
async function planOf(lines: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-layout-'));
  try {
    await writeFile(join(dir, 'lab.yaml'), [...lines, ''].join('\n'));
    return planLab((await loadTopology(join(dir, 'lab.yaml'))).topology);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const hypervisors = (count: number) => Array.from({ length: count }, (_, i) => `  hv${i + 1}: hypervisor`);
/** `count` switches of 20 ports, port p of switch s on hypervisor s * 20 + p + 1. */
const switches = (count: number) =>
  Array.from({ length: count }, (_, s) => [
    `  net${s}:`,
    `    subnet: 10.${s}.0.0/24`,
    '    ports:',
    ...Array.from({ length: 20 }, (_, p) => `      s${s}p${p}: { on: hv${s * 20 + p + 1}, ip: 10.${s}.0.${p + 10} }`),
  ]).flat();

describe('layoutGraph', () => {
  it.each(topologies)('%s: every node placed, none overlapping, every edge from its node to its node, in each view', async (file) => {
    for (const view of GRAPH_VIEWS) {
      const graph = await graphOf(file, view);
      expectWellPlaced(await layoutGraph(graph), graph);
    }
  });

  it('both worlds: each a group holding its own nodes, the logical one above the physical one', async () => {
    const laid = await layoutGraph(await graphOf('l3-gateway.yaml'));
    const groups = new Map((laid.groups ?? []).map((g) => [g.world, g]));
    expect([...groups.keys()].sort()).toEqual(['logical', 'physical']);
    for (const n of laid.nodes) {
      const g = groups.get(n.world)!;
      expect(n.x >= g.x && n.y >= g.y && n.x + n.width <= g.x + g.width && n.y + n.height <= g.y + g.height, n.id).toBe(true);
    }
    expect(groups.get('logical')!.y + groups.get('logical')!.height).toBeLessThan(groups.get('physical')!.y);
    // One world alone has no group.
    expect((await layoutGraph(await graphOf('l3-gateway.yaml', 'physical'))).groups).toEqual([]);
  });

  it('a node is as wide as its longest line and as tall as its lines; tunnels are curves', async () => {
    const laid = await layoutGraph(await graphOf('demo.yaml'));
    const web = laid.nodes.find((n) => n.id === 'switch:web')!;
    const hv1 = laid.nodes.find((n) => n.id === 'transport-node:hv1')!;
    expect(web.height).toBeGreaterThan(hv1.height); // three lines against two
    const ctrl = laid.nodes.find((n) => n.id === 'member:ctrl1')!;
    expect(ctrl.width).toBeLessThan(laid.nodes.find((n) => n.id === 'network:management')!.width);
    expect(laid.edges.filter((e) => e.kind === 'tunnel').every((e) => e.curved && e.points.length === 4)).toBe(true);
    expect(laid.edges.filter((e) => e.kind !== 'tunnel').some((e) => e.curved)).toBe(false);
  });

  it('is deterministic: the same graph twice, the same drawing, whichever way ELK was loaded', async () => {
    const graph = await graphOf('l2-gateway.yaml');
    const first = JSON.stringify(await layoutGraph(graph, { reuse: false }));
    expect(JSON.stringify(await layoutGraph(graph, { reuse: false }))).toBe(first);
    expect(JSON.stringify(await layoutGraph(graph, { reuse: false, elk: nodeElk }))).toBe(first);
  });

  it('a graph of a shape laid out before keeps its drawing and takes the new live state, without ELK', async () => {
    const graph = await graphOf('l3-gateway.yaml');
    const before = await layoutGraph(graph);
    const live: LabGraph = {
      ...graph,
      readAt: '2025-01-01T00:00:00Z',
      nodes: graph.nodes.map((n) => ({ ...n, state: 'down' as const })),
      edges: graph.edges.map((e) => ({ ...e, state: 'up' as const })),
    };
    const noElk = async () => {
      throw new Error('ELK asked again');
    };
    const after = await layoutGraph(live, { elk: noElk });
    expect(after.readAt).toBe('2025-01-01T00:00:00Z');
    expect(after.nodes.map((n) => [n.id, n.x, n.y, n.state])).toEqual(before.nodes.map((n) => [n.id, n.x, n.y, 'down']));
    expect(after.edges.map((e) => [e.id, e.points, e.state])).toEqual(before.edges.map((e) => [e.id, e.points, 'up']));
    // Another shape (a node more) is laid out anew.
    const grown: LabGraph = { ...graph, nodes: [...graph.nodes, { ...graph.nodes[0]!, id: 'host:new', kind: 'host', name: 'new' }] };
    await expect(layoutGraph(grown, { elk: noElk })).rejects.toThrow('ELK asked again');
  });

  it('a graph whose tunnels came or went is placed without ELK, the tunnels routed anew; one placed before them is reused in flight', async () => {
    const file = await graphOf('l3-gateway.yaml');
    // A node of its own, so that no other test's graph was placed before.
    const graph: LabGraph = {
      ...file,
      nodes: [...file.nodes, { ...file.nodes[0]!, id: 'host:tunnels-test', kind: 'host', name: 'tunnels-test' }],
    };
    const tunnels = graph.edges.filter((e) => e.kind === 'tunnel');
    expect(tunnels.length).toBeGreaterThan(1);
    let asked = 0;
    const counting = async () => {
      const real = await nodeElk();
      return { layout: (g: Parameters<typeof real.layout>[0]) => (asked++, real.layout(g)) };
    };
    const bare: LabGraph = { ...graph, edges: graph.edges.filter((e) => e.kind !== 'tunnel') };
    // Both asked at once, as the console does (the graph before its tunnels are read, then the lab's).
    const [without, withTunnels] = await Promise.all([layoutGraph(bare, { elk: counting }), layoutGraph(graph, { elk: counting })]);
    expect(asked).toBe(1);
    expect(withTunnels.nodes.map((n) => [n.id, n.x, n.y])).toEqual(without.nodes.map((n) => [n.id, n.x, n.y]));
    const arcs = withTunnels.edges.filter((e) => e.kind === 'tunnel');
    expect(arcs.map((e) => e.id)).toEqual(tunnels.map((e) => e.id));
    expect(arcs.every((e) => e.curved && e.points.length === 4)).toBe(true);
    // One tunnel gone: still no ELK.
    const fewer: LabGraph = { ...graph, edges: graph.edges.filter((e) => e.id !== tunnels[0]!.id) };
    await layoutGraph(fewer, { elk: counting });
    expect(asked).toBe(1);
  });

  it('a large graph (past the cheaper settings threshold) is placed as well, the worlds still apart', async () => {
    const plan = await planOf([
      'name: large',
      'controllers: 3',
      'transport-nodes:',
      ...hypervisors(80),
      'logical-switches:',
      ...switches(4),
    ]);
    const graph = graphFromPlan(plan);
    expect(graph.nodes.length).toBeGreaterThan(150);
    const laid = await layoutGraph(graph);
    expectWellPlaced(laid, graph);
    const bottom = Math.max(...laid.nodes.filter((n) => n.world === 'logical').map((n) => n.y + n.height));
    expect(Math.min(...laid.nodes.filter((n) => n.world === 'physical').map((n) => n.y))).toBeGreaterThan(bottom);
  });

  it("a large graph: each world in the file's order, each port over its hypervisor, the lines between the worlds through no node", async () => {
    const plan = await planOf([
      'name: worlds',
      'controllers: 3',
      'transport-nodes:',
      ...hypervisors(60),
      '  gw1: l3-gateway',
      '  gw2: l3-gateway',
      'physical-networks:',
      '  internet: { subnet: 203.0.113.0/24, hosts: { www: 203.0.113.80 } }',
      'logical-switches:',
      ...switches(3),
      'logical-routers:',
      '  edge:',
      '    switches: { net0: 10.0.0.1, net1: 10.1.0.1, net2: 10.2.0.1 }',
      '    uplink: { network: internet, ip: 203.0.113.2, gateways: [gw1, gw2] }',
    ]);
    for (const view of GRAPH_VIEWS) {
      const graph = graphFromPlan(plan, view);
      expectWellPlaced(await layoutGraph(graph), graph);
    }
    const graph = graphFromPlan(plan);
    const laid = await layoutGraph(graph);
    const at = new Map(laid.nodes.map((n) => [n.id, n]));
    const xs = (kind: string) => laid.nodes.filter((n) => n.kind === kind && /^(hv|s)\d/.test(n.name)).map((n) => n.x);
    for (const kind of ['port', 'transport-node']) expect(xs(kind)).toEqual([...xs(kind)].sort((a, b) => a - b));
    // Rows of the same pitch: every port stands over its hypervisor, within a node's width.
    for (const e of laid.edges.filter((e) => e.kind === 'placement' && e.from.startsWith('port:'))) {
      const [port, hv] = [at.get(e.from)!, at.get(e.to)!];
      expect(Math.abs(port.x + port.width / 2 - (hv.x + hv.width / 2)), e.id).toBeLessThan(hv.width);
    }
    // The router's lines (to its gateways, its uplink to a network under the nodes) pass between nodes.
    const inside = (p: Point, n: PlacedNode) => p.x > n.x + 1 && p.x < n.x + n.width - 1 && p.y > n.y + 1 && p.y < n.y + n.height - 1;
    for (const e of laid.edges.filter((e) => e.from === 'router:edge' && e.kind !== 'interface')) {
      for (let i = 1; i < e.points.length; i++) {
        const [a, b] = [e.points[i - 1]!, e.points[i]!];
        const along = Array.from({ length: 200 }, (_, k) => ({ x: a.x + ((b.x - a.x) * k) / 199, y: a.y + ((b.y - a.y) * k) / 199 }));
        for (const n of laid.nodes)
          expect(
            along.some((p) => inside(p, n)),
            `${e.id} through ${n.id}`,
          ).toBe(false);
      }
    }
    expect(laid.edges.find((e) => e.id === 'uplink:edge')!.labelAt).toBeDefined();
  });
});
