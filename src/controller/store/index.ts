// The controller's replicated store (NvStore over a Raft cluster of ovsdb-servers).
export { Store, type StoreOptions, type StoreStatus, type StoreEvents, type UpdateInput } from './store.ts';
export { StoreError, NotFoundError, ConflictError, InvalidError, StoreUnavailableError, type StoreErrorCode, type StoreIssue } from './errors.ts';
export {
  ROLES,
  ENCAPS,
  REPLICATIONS,
  MAX_VNI,
  NAME_PATTERN,
  TransportNodeSchema,
  LogicalSwitchSchema,
  LogicalPortSchema,
  L2GatewaySchema,
  type L2Gateway,
  type Role,
  type Encap,
  type Replication,
  type TransportNode,
  type LogicalSwitch,
  type LogicalPort,
  type TransportNodeInput,
  type LogicalSwitchInput,
  type LogicalPortInput,
  type LogicalState,
  type MemberLease,
  type Mastership,
} from './model.ts';
export { NVSTORE_DATABASE } from './rows.ts';
