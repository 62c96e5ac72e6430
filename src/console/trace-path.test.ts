// A trace drawn on the graph: the nodes and logical objects its hops cross, the tunnels it took,
// the edges joining them where it crossed them, and where it was dropped; its verdict in words.
import { describe, expect, it } from 'vitest';
import { nodeId, type GraphEdge, type LabGraph } from '../graph/index.ts';
import type { TracePath } from '../model/index.ts';
import { pathHighlight, verdict } from './trace-path.ts';

const edge = (id: string, kind: GraphEdge['kind'], from: string, to: string): GraphEdge => ({ id, kind, from, to, attrs: {} });
const tn = (n: string) => nodeId('transport-node', n);

const graph: LabGraph = {
  lab: 'lab',
  view: 'both',
  nodes: [
    ...['hv1', 'hv2', 'hv3'].map((n) => ({
      id: tn(n),
      kind: 'transport-node' as const,
      name: n,
      world: 'physical' as const,
      lines: [n],
      attrs: {},
    })),
    ...['web1', 'web2'].map((n) => ({
      id: nodeId('port', n),
      kind: 'port' as const,
      name: n,
      world: 'logical' as const,
      lines: [n],
      attrs: {},
    })),
    { id: nodeId('switch', 'web'), kind: 'switch', name: 'web', world: 'logical', lines: ['web'], attrs: {} },
  ],
  edges: [
    edge('tunnel:hv1:hv2:geneve', 'tunnel', tn('hv1'), tn('hv2')),
    edge('tunnel:hv1:hv3:geneve', 'tunnel', tn('hv1'), tn('hv3')),
    edge('tunnel:hv2:hv3:geneve', 'tunnel', tn('hv2'), tn('hv3')),
    edge('port:web1', 'port', 'port:web1', 'switch:web'),
    edge('port:web2', 'port', 'port:web2', 'switch:web'),
    edge('placement:port:web1:hv1', 'placement', 'port:web1', tn('hv1')),
    edge('placement:port:web2:hv2', 'placement', 'port:web2', tn('hv2')),
  ],
};

const delivered: TracePath = {
  delivered: true,
  hops: [
    { node: 'hv1', component: 'port', observation: 'received', logical: 'web1' },
    { node: 'hv1', component: 'logical-switch', observation: 'forwarded', logical: 'web' },
    { node: 'hv1', component: 'tunnel', observation: 'forwarded', tunnel: { encap: 'geneve', vni: 5001, remote: 'hv2' } },
    { node: 'hv2', component: 'tunnel', observation: 'received', tunnel: { encap: 'geneve', vni: 5001, remote: 'hv1' } },
    { node: 'hv2', component: 'logical-switch', observation: 'forwarded', logical: 'web' },
    { node: 'hv2', component: 'port', observation: 'delivered', logical: 'web2' },
  ],
};

describe('a trace on the graph', () => {
  it('highlights the nodes, ports and switch it crossed, the tunnel it took and each port on its node', () => {
    const h = pathHighlight(graph, delivered);
    expect(h.nodes.sort()).toEqual(['port:web1', 'port:web2', 'switch:web', tn('hv1'), tn('hv2')].sort());
    expect(h.edges.sort()).toEqual([
      'placement:port:web1:hv1',
      'placement:port:web2:hv2',
      'port:web1',
      'port:web2',
      'tunnel:hv1:hv2:geneve',
    ]);
    expect(h.dropped).toBeUndefined();
    expect(verdict(delivered, 'web2')).toEqual({ dropped: false, text: 'Delivered to web2, through hv1 → hv2.' });
  });

  it('a dropped packet: where, and why in the contract’s words', () => {
    const dropped: TracePath = {
      delivered: false,
      reason: 'no-flow',
      hops: [
        ...delivered.hops.slice(0, 4),
        { node: 'hv2', component: 'tunnel', observation: 'dropped', reason: 'no-flow', detail: 'no flow in table 0 for it' },
      ],
    };
    const h = pathHighlight(graph, dropped);
    expect(h.dropped).toBe(tn('hv2'));
    expect(h.edges).toContain('tunnel:hv1:hv2:geneve');
    expect(h.nodes).not.toContain('port:web2');
    expect(verdict(dropped, 'web2')).toEqual({
      dropped: true,
      text: 'Dropped at hv2 (no-flow: no flow for the destination — no flow in table 0 for it); path hv1 → hv2.',
    });
  });
});
