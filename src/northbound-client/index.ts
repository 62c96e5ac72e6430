// A typed client of the controller cluster's northbound API (src/model holds its contract).
export { northbound, memberClient, memberStatus, type NorthboundClient, type ResourceClient } from './client.ts';
export type { OperationsClient } from './operations.ts';
export type { BatchClient, BatchOptions } from './batch.ts';
export { PACING, MemberPace, type PacingOptions } from './pacing.ts';
export { unwrap, type Outcome, type Failure, type SuccessKind } from './outcomes.ts';
export { NorthboundError } from './errors.ts';
export type { MemberOptions, TransportOptions } from './transport.ts';
export { UntrustedCertificateError, type ApiAccess } from './http-exchange.ts';
export { runTraceflow, type RunTraceflowOptions, type TraceflowClient } from './traceflows.ts';
export { clusterMembers, memberFor, memberStatuses, referenceStatus, type MemberAnswer } from './members.ts';
export type { MacBindingClient } from './mac-bindings.ts';
