// Traces of a packet through the lab: per-node passes (predicted or observed) strung into paths,
// and injected traceflows (a marked packet observed by shadow flows on every node).
export { assemblePath, type AssembleOptions } from './hops.ts';
export {
  passFromJson,
  passToJson,
  sameEndpoint,
  type Endpoint,
  type NodePass,
  type PassLoss,
  type PassRule,
  type RouteStep,
} from './passes.ts';
export { buildFrame, markMatch, markOf, TRACE_ARP_THA, TRACE_DSCP, type FrameSpec, type MarkKind, type Payload } from './packet.ts';
export { deriveShadows, SHADOW_HARD_TIMEOUT_S, type Effect, type ShadowFlow, type ShadowGroup, type ShadowRecords } from './shadow.ts';
export { observedPass, observedPasses, type Counters, type ObserveContext } from './observe.ts';
export { endpointOf, portPlaces, type Place, type PlaceResources } from './places.ts';
export { planTrace, type PlanResources, type TracePlan } from './plan.ts';
export { notSent, observedPath, ROUTER_STOP } from './observed-path.ts';
export { armSwitch, disarmSwitch, injectFrame, readCounters, removeShadows, sweepShadows, type ArmedSwitch } from './switch-ops.ts';
