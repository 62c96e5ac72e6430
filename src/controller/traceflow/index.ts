// Traces of a packet through the lab: per-node passes (predicted or observed) strung into paths.
export { assemblePath, type AssembleOptions } from './hops.ts';
export { sameEndpoint, type Endpoint, type NodePass, type PassLoss, type PassRule, type RouteStep } from './passes.ts';
