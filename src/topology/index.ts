// The topology module: read a file (load), check it (schema, validate), lay it out (plan).
export * from './plan-types.ts';
export { TopologySchema } from './schema.ts';
export type {
  Topology,
  TransportNodeSpec,
  ControllersSpec,
  SecuritySpec,
  PhysicalNetworkSpec,
  LogicalSwitchSpec,
  PortSpec,
  LogicalRouterSpec,
  UplinkSpec,
} from './schema.ts';
export { TopologyError, formatIssue, formatPath, compareIssues } from './issues.ts';
export type { TopologyIssue, PathIssue, IssuePath } from './issues.ts';
export { parseTopology, loadTopology } from './load.ts';
export type { LoadedTopology } from './load.ts';
export { positionOfPath, offsetOfPath, positionOfOffset } from './yaml-position.ts';
export type { Position, PositionOptions, PathSegment } from './yaml-position.ts';
export { validateTopology, RESERVED_NAME } from './validate.ts';
export type { ValidateOptions } from './validate.ts';
export { topologyWarnings } from './warnings.ts';
export { planLab, PlanError, SUBNET_POOLS, poolStartIndex } from './plan.ts';
export type { PlanEnv } from './plan.ts';
export { portMac, routerInterfaceMac, routerUplinkMac } from './derive.ts';
export { pathIssuesFromZod, expectedText } from './zod-issues.ts';
