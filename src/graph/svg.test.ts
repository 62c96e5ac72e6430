import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { projectRoot } from '../util/paths.ts';
import { graphFromPlan, layoutGraph, toSvg, type LaidOutGraph } from './index.ts';

const drawn: LaidOutGraph = {
  lab: 'a<b>&"c"',
  view: 'both',
  width: 400,
  height: 300,
  groups: [{ world: 'physical', x: 0, y: 100, width: 400, height: 200 }],
  nodes: [
    {
      id: 'transport-node:hv<1>',
      kind: 'transport-node',
      name: 'hv<1>',
      world: 'physical',
      lines: ['hv<1>', `say "hi" & 'bye'`],
      attrs: {},
      state: 'down',
      x: 10,
      y: 150,
      width: 120,
      height: 44,
    },
    {
      id: 'transport-node:hv2',
      kind: 'transport-node',
      name: 'hv2',
      world: 'physical',
      lines: ['hv2'],
      attrs: {},
      x: 200,
      y: 150,
      width: 80,
      height: 30,
    },
    { id: 'port:p', kind: 'port', name: 'p', world: 'logical', lines: ['p', '10.0.0.1'], attrs: {}, x: 10, y: 10, width: 80, height: 44 },
  ],
  edges: [
    {
      id: 'tunnel:hv<1>:hv2',
      kind: 'tunnel',
      from: 'transport-node:hv<1>',
      to: 'transport-node:hv2',
      label: 'geneve<&>',
      attrs: {},
      state: 'degraded',
      curved: true,
      points: [
        { x: 70, y: 150 },
        { x: 70, y: 110 },
        { x: 240, y: 110 },
        { x: 240, y: 150 },
      ],
      labelAt: { x: 155, y: 120 },
    },
    {
      id: 'placement:port:p:hv2',
      kind: 'placement',
      from: 'port:p',
      to: 'transport-node:hv2',
      attrs: { active: true },
      points: [
        { x: 50, y: 54 },
        { x: 50, y: 100 },
        { x: 240, y: 100 },
        { x: 240, y: 150 },
      ],
    },
  ],
};

const parse = (svg: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg);

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Every element with a data-id, as `node|edge id -> class` (ids are unique per type only). */
function classesById(svg: string): Map<string, string> {
  return new Map(
    [...svg.matchAll(/<g class="(node|edge)([^"]*)" data-id="([^"]*)"/g)].map((m) => [`${m[1]} ${unescape(m[3]!)}`, `${m[1]}${m[2]}`]),
  );
}

describe('toSvg', () => {
  it('is well-formed XML with every text escaped', () => {
    const svg = toSvg(drawn);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toMatch(/hv<1>|"hi"|geneve<|a<b>/);
    expect(svg).toContain('hv&lt;1&gt;');
    expect(svg).toContain('say &quot;hi&quot; &amp; &apos;bye&apos;');
    expect(svg).toContain('geneve&lt;&amp;&gt;');
    // The parser gives the text back as it was.
    const texts = JSON.stringify(parse(svg));
    expect(texts).toContain(`say \\"hi\\" & 'bye'`);
  });

  it('one group per node and per edge, by id, with classes for kind, world, state and more', () => {
    const byId = classesById(toSvg(drawn));
    expect([...byId.keys()].sort()).toEqual(
      ['edge placement:port:p:hv2', 'node port:p', 'node transport-node:hv2', 'node transport-node:hv<1>', 'edge tunnel:hv<1>:hv2'].sort(),
    );
    expect(byId.get('node transport-node:hv<1>')).toBe('node kind-transport-node state-down world-physical');
    expect(byId.get('node transport-node:hv2')).toBe('node kind-transport-node world-physical');
    expect(byId.get('edge tunnel:hv<1>:hv2')).toBe('edge kind-tunnel state-degraded');
    expect(byId.get('edge placement:port:p:hv2')).toBe('edge kind-placement active');
  });

  it('draws each line of a node, tunnels as curves with their label, other edges as segments, and the world boxes', () => {
    const svg = toSvg(drawn);
    expect(svg).toMatch(/<tspan x="70" y="[\d.]+" class="name">hv&lt;1&gt;<\/tspan><tspan x="70" y="[\d.]+">say/);
    expect(svg).toContain('d="M70,150 C70,110 240,110 240,150"');
    expect(svg).toContain('d="M50,54 L50,100 L240,100 L240,150"');
    expect(svg).toContain('<text x="155" y="120">geneve&lt;&amp;&gt;</text>');
    expect(svg).toContain('PHYSICAL WORLD');
    // A state badge on a node with a state only.
    expect((svg.match(/class="badge"/g) ?? []).length).toBe(1);
    // Its size and its style travel with it.
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="nv-graph" viewBox="0 0 400 300" width="400" height="300">/);
    expect(svg).toMatch(/<style>[^<]*\.nv-graph \.edge\.state-down\.kind-tunnel|\.nv-graph \.edge\.state-down \.line \{ stroke: #c62828/);
  });

  it('highlight: the given nodes and edges marked, the drawing in highlighting mode; none without it', () => {
    const svg = toSvg(drawn, { highlight: { nodes: ['port:p', 'transport-node:hv2'], edges: ['placement:port:p:hv2'] } });
    expect(svg).toMatch(/^<svg [^>]*class="nv-graph highlighting"/);
    const byId = classesById(svg);
    const marked = [...byId].filter(([, c]) => c.split(' ').includes('hl')).map(([id]) => id);
    expect(marked.sort()).toEqual(['edge placement:port:p:hv2', 'node port:p', 'node transport-node:hv2']);
    expect(svg).toMatch(/\.nv-graph\.highlighting \.node:not\(\.hl\)/);
    expect(toSvg(drawn)).not.toMatch(/highlighting"|hl"/);
  });

  it('hundreds of tunnels are drawn fine (dense), a few as they are', () => {
    const tunnel = drawn.edges[0]!;
    const many = { ...drawn, edges: Array.from({ length: 151 }, (_, i) => ({ ...tunnel, id: `t${i}` })) };
    expect(toSvg(many)).toMatch(/^<svg [^>]*class="nv-graph dense"/);
    expect(toSvg(drawn)).toMatch(/^<svg [^>]*class="nv-graph"/);
    expect(toSvg(many)).toMatch(/\.nv-graph\.dense \.edge\.kind-tunnel \.line \{ stroke-width: 0\.7px/);
  });

  it('a laid-out lab: every node and edge drawn once, the whole valid XML', async () => {
    const graph = graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies', 'l2-gateway.yaml'))).topology));
    const svg = toSvg(await layoutGraph(graph));
    expect(XMLValidator.validate(svg)).toBe(true);
    const byId = classesById(svg);
    expect(byId.size).toBe(graph.nodes.length + graph.edges.length);
    for (const n of graph.nodes) expect(byId.get(`node ${n.id}`), n.id).toContain(`kind-${n.kind}`);
    for (const e of graph.edges) expect(byId.get(`edge ${e.id}`), e.id).toContain(`kind-${e.kind}`);
  });
});
