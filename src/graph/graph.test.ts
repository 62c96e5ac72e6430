import { describe, expect, it } from 'vitest';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { projectRoot } from '../util/paths.ts';
import { join } from 'node:path';
import { graphFromPlan, toDot, toMermaid, type LabGraph } from './index.ts';

const planOf = async (name: string) => planLab((await loadTopology(join(projectRoot, 'topologies', name))).topology);
const ids = (g: LabGraph, kind: string) =>
  g.nodes
    .filter((n) => n.kind === kind)
    .map((n) => n.name)
    .sort();
const edges = (g: LabGraph, kind: string) =>
  g.edges
    .filter((e) => e.kind === kind)
    .map((e) => `${e.from} ${e.to}${e.label ? ` ${e.label}` : ''}`)
    .sort();

describe('a lab graph from its topology file', () => {
  it('the demo: members, transport nodes and their tunnels; switches with their ports; each port on its hypervisor', async () => {
    const g = graphFromPlan(await planOf('demo.yaml'));
    expect(ids(g, 'member')).toEqual(['ctrl1', 'ctrl2', 'ctrl3']);
    expect(ids(g, 'transport-node')).toEqual(['hv1', 'hv2', 'hv3']);
    expect(ids(g, 'network')).toEqual(['management', 'underlay']);
    expect(edges(g, 'tunnel')).toEqual([
      'transport-node:hv1 transport-node:hv2 geneve',
      'transport-node:hv1 transport-node:hv3 geneve',
      'transport-node:hv2 transport-node:hv3 geneve',
    ]);
    expect(ids(g, 'switch')).toEqual(['app', 'web']);
    expect(g.nodes.find((n) => n.id === 'switch:web')).toMatchObject({ world: 'logical', lines: ['web', 'VNI 5001', '10.0.1.0/24'] });
    expect(edges(g, 'port')).toContain('port:web1 switch:web');
    expect(edges(g, 'placement')).toContain('port:app2 transport-node:hv3');
    // Every edge joins two nodes that are drawn.
    const drawn = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) expect([drawn.has(e.from), drawn.has(e.to)], e.id).toEqual([true, true]);
  });

  it('routers with their interfaces and uplink on their gateways, active first; a switch bridged onto a VLAN', async () => {
    const l3 = graphFromPlan(await planOf('l3-gateway.yaml'));
    expect(edges(l3, 'interface')).toEqual(['router:edge switch:db 10.0.2.1', 'router:edge switch:web 10.0.1.1']);
    expect(l3.edges.filter((e) => e.from === 'router:edge' && e.kind === 'placement').map((e) => [e.to, e.attrs.active])).toEqual([
      ['transport-node:gw1', true],
      ['transport-node:gw2', false],
    ]);
    expect(edges(l3, 'uplink')).toHaveLength(1);
    const l2 = graphFromPlan(await planOf('l2-gateway.yaml'));
    expect(edges(l2, 'bridge').join()).toMatch(/VLAN \d+/);
    expect(l2.nodes.filter((n) => n.kind === 'host').length).toBeGreaterThan(0);
  });

  it('one view leaves the other world and the mapping out', async () => {
    const plan = await planOf('l3-gateway.yaml');
    const physical = graphFromPlan(plan, 'physical');
    expect(new Set(physical.nodes.map((n) => n.world))).toEqual(new Set(['physical']));
    expect(edges(physical, 'placement')).toEqual([]);
    const logical = graphFromPlan(plan, 'logical');
    expect(new Set(logical.nodes.map((n) => n.world))).toEqual(new Set(['logical']));
    // The uplink's physical network is not drawn in the logical view, nor the edge to it.
    expect(edges(logical, 'uplink')).toEqual([]);
  });
});

const tiny: LabGraph = {
  lab: 'x"y',
  view: 'both',
  nodes: [
    { id: 'transport-node:hv-1', kind: 'transport-node', name: 'hv-1', world: 'physical', lines: ['hv-1', 'hypervisor'], attrs: {} },
    { id: 'transport-node:hv_1', kind: 'transport-node', name: 'hv_1', world: 'physical', lines: ['hv_1', 'say "hi"'], attrs: {} },
    { id: 'port:a', kind: 'port', name: 'a', world: 'logical', lines: ['a'], attrs: {} },
  ],
  edges: [
    { id: 't', kind: 'tunnel', from: 'transport-node:hv-1', to: 'transport-node:hv_1', label: 'vxlan', attrs: {} },
    { id: 'p', kind: 'placement', from: 'port:a', to: 'transport-node:hv-1', attrs: {} },
  ],
};

describe('renderers', () => {
  it('mermaid: a subgraph per world, a shape per kind, ids kept apart, quotes escaped, tunnels thick and placements dotted', () => {
    expect(toMermaid(tiny)).toBe(
      [
        'flowchart LR',
        '  subgraph physical["physical"]',
        '    transport_2dnode_3ahv_2d1["hv-1<br/>hypervisor"]',
        '    transport_2dnode_3ahv_5f1["hv_1<br/>say #quot;hi#quot;"]',
        '  end',
        '  subgraph logical["logical"]',
        '    port_3aa("a")',
        '  end',
        '  transport_2dnode_3ahv_2d1 ===|"vxlan"| transport_2dnode_3ahv_5f1',
        '  port_3aa -.- transport_2dnode_3ahv_2d1',
        '',
      ].join('\n'),
    );
  });

  it('dot: a cluster per world, quoted ids and labels, tunnels bold and placements dashed', () => {
    expect(toDot(tiny)).toBe(
      [
        'graph "x\\"y" {',
        '  rankdir=LR;',
        '  node [fontsize=10];',
        '  edge [fontsize=9];',
        '  subgraph "cluster_physical" {',
        '    label="physical";',
        '    "transport-node:hv-1" [shape=box3d, label="hv-1\\nhypervisor"];',
        '    "transport-node:hv_1" [shape=box3d, label="hv_1\\nsay \\"hi\\""];',
        '  }',
        '  subgraph "cluster_logical" {',
        '    label="logical";',
        '    "port:a" [shape=oval, label="a"];',
        '  }',
        '  "transport-node:hv-1" -- "transport-node:hv_1" [class="tunnel", label="vxlan", style=bold];',
        '  "port:a" -- "transport-node:hv-1" [class="placement", style=dashed];',
        '}',
        '',
      ].join('\n'),
    );
  });
});
