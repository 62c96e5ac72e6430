// The controller's replicated store (NvStore over a Raft cluster of ovsdb-servers). The
// resources it holds are defined in src/model and described for the store in ./resources.
export { Store, type StoreOptions, type StoreStatus, type StoreEvents, type UpdateInput, type ResourceOf } from './store.ts';
export {
  StoreError,
  NotFoundError,
  ConflictError,
  InvalidError,
  StoreUnavailableError,
  type StoreErrorCode,
  type StoreIssue,
} from './errors.ts';
export { BatchWriteError, type BatchWrite, type BatchOutcome } from './batch.ts';
export type { MemberLease, Mastership } from './membership.ts';
export { NVSTORE_DATABASE } from './rows.ts';
export type { InjectError, TraceflowRecord, TraceflowReport, TraceflowResult, ReportPhase } from './traceflows.ts';
export type { Learned } from './mac-bindings.ts';
