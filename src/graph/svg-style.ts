// How a lab's SVG looks: a colour per node kind, a line style per edge kind, live state on top
// (tunnels green, red, amber or grey; a dead or unreachable node red and dashed), and a trace's
// path emphasised over the rest. Every selector sits under .nv-graph, since an SVG's style
// applies to the whole page it is inlined into. No `<` or `&`: the style must stay valid XML.
import { FONT_FAMILY, LABEL_TEXT, NODE_TEXT } from './metrics.ts';
import type { GraphEdgeKind, GraphNodeKind, GraphState } from './model.ts';

/** Border and fill of each kind of node (the legend shows them too). */
export const KIND_COLOURS: Record<GraphNodeKind, { stroke: string; fill: string }> = {
  member: { stroke: '#6a1b9a', fill: '#f3e5f5' },
  'transport-node': { stroke: '#1565c0', fill: '#e3f2fd' },
  network: { stroke: '#455a64', fill: '#eceff1' },
  host: { stroke: '#6d4c41', fill: '#efebe9' },
  switch: { stroke: '#00695c', fill: '#e0f2f1' },
  router: { stroke: '#ad1457', fill: '#fce4ec' },
  port: { stroke: '#827717', fill: '#f9fbe7' },
};

/** Live state, on tunnels and on nodes' borders and badges. */
export const STATE_COLOURS: Record<GraphState, string> = {
  up: '#2e7d32',
  down: '#c62828',
  degraded: '#f9a825',
  unknown: '#9e9e9e',
};

/** Each kind of edge: colour, width and dashes. */
export const EDGE_STYLES: Record<GraphEdgeKind, { stroke: string; width: number; dash?: string }> = {
  link: { stroke: '#90a4ae', width: 1.2 },
  tunnel: { stroke: '#1565c0', width: 2.4 },
  port: { stroke: '#827717', width: 1.2 },
  interface: { stroke: '#ad1457', width: 1.6 },
  uplink: { stroke: '#ad1457', width: 1.6, dash: '6 3' },
  bridge: { stroke: '#00695c', width: 1.6, dash: '6 3' },
  placement: { stroke: '#b0bec5', width: 1, dash: '2 3' },
};

/** The colour a trace's path is drawn in. */
export const HIGHLIGHT = '#ff6d00';

const kindRules = () =>
  Object.entries(KIND_COLOURS)
    .map(([k, c]) => `.nv-graph .node.kind-${k} .shape { stroke: ${c.stroke}; fill: ${c.fill}; }`)
    .join('\n');

const edgeRules = () =>
  Object.entries(EDGE_STYLES)
    .map(
      ([k, s]) =>
        `.nv-graph .edge.kind-${k} .line { stroke: ${s.stroke}; stroke-width: ${s.width}px;${s.dash ? ` stroke-dasharray: ${s.dash};` : ''} }`,
    )
    .join('\n');

const stateRules = () =>
  Object.entries(STATE_COLOURS)
    .map(
      ([s, c]) =>
        `.nv-graph .node.state-${s} .badge { fill: ${c}; }\n` +
        `.nv-graph .edge.state-${s}${s === 'up' ? '.kind-tunnel' : ''} .line { stroke: ${c}; }`,
    )
    .join('\n');

export const GRAPH_CSS = `
.nv-graph { background: #fff; font-family: ${FONT_FAMILY}; }
.nv-graph .group rect { fill: #fafafa; stroke: #cfd8dc; stroke-width: 1px; }
.nv-graph .group.world-logical rect { fill: #fbfaf4; }
.nv-graph .group text { font-size: 13px; font-weight: bold; fill: #78909c; letter-spacing: 0.08em; }
.nv-graph .node .shape { stroke-width: 1.5px; }
.nv-graph .node text { font-size: ${NODE_TEXT.size}px; fill: #263238; text-anchor: middle; }
.nv-graph .node text .name { font-weight: bold; }
.nv-graph .node .badge { stroke: #fff; stroke-width: 1.5px; }
${kindRules()}
.nv-graph .node.state-down .shape { stroke: ${STATE_COLOURS.down}; stroke-width: 2.5px; stroke-dasharray: 5 3; fill: #ffebee; }
.nv-graph .node.state-down text { fill: #8e0000; text-decoration: line-through; }
.nv-graph .node.state-degraded .shape { stroke: ${STATE_COLOURS.degraded}; stroke-width: 2.5px; }
.nv-graph .node.state-unknown .shape { stroke: ${STATE_COLOURS.unknown}; stroke-dasharray: 3 3; }
.nv-graph .edge .line { fill: none; stroke-linejoin: round; }
.nv-graph .edge .hit { fill: none; stroke: transparent; stroke-width: 10px; }
.nv-graph .edge text { font-size: ${LABEL_TEXT.size}px; fill: #37474f; text-anchor: middle; dominant-baseline: central;
  paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
${edgeRules()}
.nv-graph .edge.kind-placement.active .line { stroke: #78909c; }
${stateRules()}
.nv-graph .edge.state-down .line { stroke-dasharray: 6 4; }
.nv-graph.dense .edge.kind-tunnel .line { stroke-width: 0.7px; stroke-opacity: 0.6; }
.nv-graph .edge.state-unknown .line { stroke-dasharray: 2 3; }
.nv-graph.highlighting .node:not(.hl), .nv-graph.highlighting .edge:not(.hl) { opacity: 0.18; }
.nv-graph .node.hl .shape { stroke: ${HIGHLIGHT}; stroke-width: 3.5px; }
.nv-graph .edge.hl .line { stroke: ${HIGHLIGHT}; stroke-width: 4px; stroke-dasharray: none; }
.nv-graph .selected .shape, .nv-graph .edge.selected .line { filter: drop-shadow(0 0 3px #1e88e5); }
.nv-graph [data-id] { cursor: pointer; }
`;
