// Graphs of a lab (`nvlab graph`): the model, built from a plan, and its renderers.
export { GRAPH_VIEWS, nodeId, type GraphEdge, type GraphNode, type GraphView, type LabGraph } from './model.ts';
export { graphFromPlan } from './from-plan.ts';
export { toMermaid } from './mermaid.ts';
export { toDot } from './dot.ts';
