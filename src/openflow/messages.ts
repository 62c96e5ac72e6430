// The typed OpenFlow 1.3 messages this library speaks: types only, no behaviour.
// Every message carries its `xid`; numbers stay numbers (flags, reasons) unless a name is the
// natural way to say it (commands, group types, roles). 64-bit fields are bigint.
import type { Action } from './actions.ts';
import type { ControllerRole, FlowModCommand, GroupModCommand, GroupType, MeterModCommand } from './constants.ts';
import type { Instruction } from './instructions.ts';
import type { Match } from './match.ts';
import type { MeterBand, MeterDesc, MeterFeatures, MeterStats } from './meter.ts';
import type { GroupStats, PortStats } from './stats.ts';

export interface Hello {
  type: 'hello';
  xid: number;
  /** Header version; a peer may announce a higher one than it supports. */
  version: number;
  /** Versions from the OFPHET_VERSIONBITMAP element, or undefined when the hello has none. */
  versions: number[] | undefined;
}

export interface ErrorMsg {
  type: 'error';
  xid: number;
  errorType: number;
  /** The code, or for errorType 0xffff (experimenter) the exp_type. */
  errorCode: number;
  /** Only for errorType 0xffff. */
  experimenter?: number;
  data: Buffer;
}

export interface EchoRequest {
  type: 'echo_request';
  xid: number;
  data: Buffer;
}
export interface EchoReply {
  type: 'echo_reply';
  xid: number;
  data: Buffer;
}
export interface Experimenter {
  type: 'experimenter';
  xid: number;
  experimenter: number;
  expType: number;
  data: Buffer;
}
export interface FeaturesRequest {
  type: 'features_request';
  xid: number;
}
export interface FeaturesReply {
  type: 'features_reply';
  xid: number;
  datapathId: bigint;
  nBuffers: number;
  nTables: number;
  auxiliaryId: number;
  capabilities: number;
}
export interface GetConfigRequest {
  type: 'get_config_request';
  xid: number;
}
export interface GetConfigReply {
  type: 'get_config_reply';
  xid: number;
  flags: number;
  missSendLen: number;
}
export interface SetConfig {
  type: 'set_config';
  xid: number;
  flags: number;
  missSendLen: number;
}

export interface PacketIn {
  type: 'packet_in';
  xid: number;
  bufferId: number;
  totalLen: number;
  reason: number;
  tableId: number;
  cookie: bigint;
  match: Match;
  data: Buffer;
}

export interface FlowRemoved {
  type: 'flow_removed';
  xid: number;
  cookie: bigint;
  priority: number;
  reason: number;
  tableId: number;
  durationSec: number;
  durationNsec: number;
  idleTimeout: number;
  hardTimeout: number;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
}

/** ofp_port: a switch port's description. */
export interface PortDesc {
  portNo: number;
  hwAddr: string;
  name: string;
  config: number;
  state: number;
  curr: number;
  advertised: number;
  supported: number;
  peer: number;
  currSpeed: number;
  maxSpeed: number;
}

export interface PortStatus {
  type: 'port_status';
  xid: number;
  reason: number;
  port: PortDesc;
}

export interface PacketOut {
  type: 'packet_out';
  xid: number;
  bufferId: number;
  inPort: number;
  actions: Action[];
  data: Buffer;
}

export interface FlowMod {
  type: 'flow_mod';
  xid: number;
  cookie: bigint;
  cookieMask: bigint;
  tableId: number;
  command: FlowModCommand;
  idleTimeout: number;
  hardTimeout: number;
  priority: number;
  bufferId: number;
  outPort: number;
  outGroup: number;
  flags: number;
  match: Match;
  instructions: Instruction[];
}

export interface Bucket {
  weight: number;
  watchPort: number;
  watchGroup: number;
  actions: Action[];
}

export interface GroupMod {
  type: 'group_mod';
  xid: number;
  command: GroupModCommand;
  groupType: GroupType;
  groupId: number;
  buckets: Bucket[];
}

export interface MeterMod {
  type: 'meter_mod';
  xid: number;
  command: MeterModCommand;
  /** MeterFlags: KBPS or PKTPS, BURST, STATS. */
  flags: number;
  meterId: number;
  bands: MeterBand[];
}

/** Selects flows for flow stats and aggregate requests. */
export interface FlowStatsFilter {
  tableId: number;
  outPort: number;
  outGroup: number;
  cookie: bigint;
  cookieMask: bigint;
  match: Match;
}

export type MultipartRequestBody =
  | { kind: 'desc' }
  | ({ kind: 'flow' } & FlowStatsFilter)
  | ({ kind: 'aggregate' } & FlowStatsFilter)
  | { kind: 'port_desc' }
  | { kind: 'group_desc' }
  /** One port's counters, or every port's (Port.ANY). */
  | { kind: 'port_stats'; portNo: number }
  /** One group's counters, or every group's (Group.ALL). */
  | { kind: 'group'; groupId: number }
  /** One meter's counters, or every meter's (Meter.ALL). */
  | { kind: 'meter'; meterId: number }
  /** One meter's configuration, or every meter's (Meter.ALL). */
  | { kind: 'meter_config'; meterId: number }
  | { kind: 'meter_features' }
  | { kind: 'raw'; mpType: number; data: Buffer };

export interface FlowStats {
  tableId: number;
  durationSec: number;
  durationNsec: number;
  priority: number;
  idleTimeout: number;
  hardTimeout: number;
  flags: number;
  cookie: bigint;
  packetCount: bigint;
  byteCount: bigint;
  match: Match;
  instructions: Instruction[];
}

export interface GroupDesc {
  groupType: GroupType;
  groupId: number;
  buckets: Bucket[];
}

export interface SwitchDesc {
  mfrDesc: string;
  hwDesc: string;
  swDesc: string;
  serialNum: string;
  dpDesc: string;
}

export type MultipartReplyBody =
  | ({ kind: 'desc' } & SwitchDesc)
  | { kind: 'flow'; flows: FlowStats[] }
  | { kind: 'aggregate'; packetCount: bigint; byteCount: bigint; flowCount: number }
  | { kind: 'port_desc'; ports: PortDesc[] }
  | { kind: 'group_desc'; groups: GroupDesc[] }
  | { kind: 'port_stats'; ports: PortStats[] }
  | { kind: 'group'; groups: GroupStats[] }
  | { kind: 'meter'; meters: MeterStats[] }
  | { kind: 'meter_config'; meters: MeterDesc[] }
  | ({ kind: 'meter_features' } & MeterFeatures)
  | { kind: 'raw'; mpType: number; data: Buffer };

export interface MultipartRequest {
  type: 'multipart_request';
  xid: number;
  flags: number;
  body: MultipartRequestBody;
}
export interface MultipartReply {
  type: 'multipart_reply';
  xid: number;
  flags: number;
  body: MultipartReplyBody;
}

export interface BarrierRequest {
  type: 'barrier_request';
  xid: number;
}
export interface BarrierReply {
  type: 'barrier_reply';
  xid: number;
}

export interface RoleRequest {
  type: 'role_request';
  xid: number;
  role: ControllerRole;
  generationId: bigint;
}
export interface RoleReply {
  type: 'role_reply';
  xid: number;
  role: ControllerRole;
  generationId: bigint;
}

/** Any message type we do not model (port_mod, table_mod, ...): header type and raw body. */
export interface RawMessage {
  type: 'raw';
  xid: number;
  msgType: number;
  body: Buffer;
}

export type OfMessage =
  | Hello
  | ErrorMsg
  | EchoRequest
  | EchoReply
  | Experimenter
  | FeaturesRequest
  | FeaturesReply
  | GetConfigRequest
  | GetConfigReply
  | SetConfig
  | PacketIn
  | FlowRemoved
  | PortStatus
  | PacketOut
  | FlowMod
  | GroupMod
  | MeterMod
  | MultipartRequest
  | MultipartReply
  | BarrierRequest
  | BarrierReply
  | RoleRequest
  | RoleReply
  | RawMessage;

export type OfMessageType = OfMessage['type'];
export type MessageOf<T extends OfMessageType> = Extract<OfMessage, { type: T }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message to send: the connection assigns the xid unless one is given. */
export type OutgoingMessage = DistributiveOmit<OfMessage, 'xid'> & { xid?: number };
