// Pure computation of what a transport node's br-int must hold and of the minimal changes to
// get there (docs/controller.md, "Pipeline" and "Tunnels"). No I/O: the southbound applies it.
export type { DesiredFlows, DesiredState, DesiredTunnel, FlowModMsg, GroupModMsg, MeterModMsg, NodeFacts } from './types.ts';
export { reconcileMeters } from './meters.ts';
export { desiredTunnels, serviceNodeOrder, tunnelLinks, tunnelName, switchHosts, type TunnelLink, type CarryReason } from './tunnels.ts';
export { desiredFlows, desiredState } from './flows.ts';
export { PipelineMemo } from './memo.ts';
export { affectedNodes, portChanges, sameTunnels, type PortChange } from './affected.ts';
export { patchRemotePorts, type Patch } from './incremental.ts';
export { expectedPorts, gateEncap, routerGateways, routerInterfaces, type RouterInterfacePlace } from './routers.ts';
export {
  installed,
  reconcile,
  reconciledFlow,
  reconciledGroup,
  type ActualFlow,
  type ActualFlows,
  type ReconcileOptions,
} from './reconcile.ts';
export { matchKey, instructionsKey, bucketsKey, flowKey } from './normalize.ts';
export {
  Table,
  PIPELINE_TABLES,
  From,
  Priority,
  CookieKind,
  GroupKind,
  TRACE,
  walkRank,
  ROUTER_ADDRESS_REG,
  NEXT_HOP_REG,
} from './layout.ts';
export {
  cookie,
  cookieKind,
  cookieVni,
  floodLocalGroupId,
  floodAllGroupId,
  serviceFailoverGroupId,
  replicateGroupId,
  routerFailoverGroupId,
  routerPortGateGroupId,
  uplinkGateInGroupId,
  uplinkGateOutGroupId,
  isPipelineGroup,
  isTraceCookie,
  isTraceGroup,
  traceCookie,
  traceGroupId,
  TRACE_COOKIE,
  TRACE_COOKIE_MASK,
} from './ids.ts';
export { isLearnAction } from './learn.ts';
export { explainCookie, type RuleMeaning } from './explain.ts';
