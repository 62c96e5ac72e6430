// Public API of the OVSDB library (RFC 7047). Knows nothing of labs.
export {
  OvsdbError,
  OvsdbFramingError,
  OvsdbProtocolError,
  OvsdbRpcError,
  OvsdbTransactionError,
  OvsdbConnectionError,
  OvsdbTimeoutError,
  OvsdbRemoteError,
  OvsdbSchemaError,
  OvsdbDataError,
  type OvsdbErrorCode,
} from './errors.ts';
export { JsonSplitter, type SplitResult, type JsonSplitterOptions } from './json-stream.ts';
export {
  JsonRpcConnection,
  encodeMessage,
  decodeMessage,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcNotification,
  type JsonRpcReply,
  type JsonRpcErrorReply,
  type JsonRpcConnectionOptions,
} from './jsonrpc.ts';
export {
  Uuid,
  NamedUuid,
  uuid,
  namedUuid,
  encodeValue,
  decodeValue,
  valueEquals,
  mapGet,
  type Atom,
  type OvsdbSet,
  type OvsdbMap,
  type Value,
} from './data.ts';
export { parseSchema, type DatabaseSchema, type TableSchema, type ColumnSchema, type ColumnType, type BaseType } from './schema.ts';
export {
  op,
  whereUuid,
  encodeOperation,
  decodeOperation,
  type Operation,
  type OperationResult,
  type Row,
  type Condition,
  type Mutation,
} from './operations.ts';
export { parseRemote, formatRemote, type Remote } from './remote.ts';
export type { TlsCredentials } from '../util/tls.ts';
export { connectRemote, ReconnectingSession, type SessionOptions, type ConnectOptions } from './session.ts';
export { OvsdbListener, type ListenerOptions, type PeerAddress } from './listener.ts';
export { OvsdbClient, type ClientOptions, type ClientEvents } from './client.ts';
export type { MonitorTableRequest, MonitorHandler, MonitorMethod, MonitorSelect } from './monitor.ts';
export { Replica, type TableTypes, type ReplicaRow, type ReplicaSnapshot, type ReplicaChange, type ReplicaOptions } from './replica.ts';
export { clusterStatus, findLeader, readServerInfo, type ServerDatabaseInfo, type MemberStatus } from './cluster.ts';
