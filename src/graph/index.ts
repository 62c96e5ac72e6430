// Graphs of a lab (`nvlab graph`): the model, built from a plan, and its renderers.
export {
  GRAPH_STATES,
  STATE_COLOURS,
  GRAPH_VIEWS,
  nodeId,
  type GraphEdge,
  type GraphState,
  type GraphNode,
  type GraphView,
  type LabGraph,
} from './model.ts';
export { graphFromPlan } from './from-plan.ts';
export { toMermaid } from './mermaid.ts';
export { toDot } from './dot.ts';
export { layoutGraph, type LaidOutGraph, type PlacedEdge, type PlacedGroup, type PlacedNode, type Point } from './layout.ts';
export { toSvg, type SvgOptions } from './svg.ts';
export { graphFromResources, type LabResources } from './from-resources.ts';
export { withLiveState, type LiveState } from './live.ts';
// Browser code (DOM only when called): the console attaches it to the graphs it draws.
export { attachViewer, type Selected, type Viewer, type ViewerOptions, type ViewTransform } from './viewer.ts';
