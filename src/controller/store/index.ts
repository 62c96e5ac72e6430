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
  LogicalRouterSchema,
  LogicalRouterUpdateSchema,
  RouterInterfaceSchema,
  RouterUplinkSchema,
  RouterGatewaySchema,
  type L2Gateway,
  type LogicalRouter,
  type LogicalRouterInput,
  type RouterInterface,
  type RouterUplink,
  type RouterGateway,
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
export { MAX_ROUTERS_PER_SWITCH } from './routers.ts';
