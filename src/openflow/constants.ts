// OpenFlow 1.3 (wire version 0x04) numbers: message types, reserved ports and groups, flags.
// Plain `as const` objects rather than const enums, so they survive isolatedModules and can be
// iterated to build reverse maps for decoding and printing.

export const OFP_VERSION = 0x04;
export const OFP_HEADER_LEN = 8;
export const OFP_MAX_MESSAGE_LEN = 0xffff;

export const MsgType = {
  HELLO: 0,
  ERROR: 1,
  ECHO_REQUEST: 2,
  ECHO_REPLY: 3,
  EXPERIMENTER: 4,
  FEATURES_REQUEST: 5,
  FEATURES_REPLY: 6,
  GET_CONFIG_REQUEST: 7,
  GET_CONFIG_REPLY: 8,
  SET_CONFIG: 9,
  PACKET_IN: 10,
  FLOW_REMOVED: 11,
  PORT_STATUS: 12,
  PACKET_OUT: 13,
  FLOW_MOD: 14,
  GROUP_MOD: 15,
  PORT_MOD: 16,
  TABLE_MOD: 17,
  MULTIPART_REQUEST: 18,
  MULTIPART_REPLY: 19,
  BARRIER_REQUEST: 20,
  BARRIER_REPLY: 21,
  QUEUE_GET_CONFIG_REQUEST: 22,
  QUEUE_GET_CONFIG_REPLY: 23,
  ROLE_REQUEST: 24,
  ROLE_REPLY: 25,
  GET_ASYNC_REQUEST: 26,
  GET_ASYNC_REPLY: 27,
  SET_ASYNC: 28,
  METER_MOD: 29,
} as const;

export const msgTypeName = reverse(MsgType);
/** By the name our messages carry: the spec's in lower case (FLOW_MOD: 'flow_mod'). */
export const msgTypeCode = lowerKeys(MsgType);

/** Reserved port numbers (ofp_port_no). */
export const Port = {
  MAX: 0xffffff00,
  IN_PORT: 0xfffffff8,
  TABLE: 0xfffffff9,
  NORMAL: 0xfffffffa,
  FLOOD: 0xfffffffb,
  ALL: 0xfffffffc,
  CONTROLLER: 0xfffffffd,
  LOCAL: 0xfffffffe,
  ANY: 0xffffffff,
} as const;

export const portName = reverse(Port);

/** Reserved group numbers (ofp_group). */
export const Group = { MAX: 0xffffff00, ALL: 0xfffffffc, ANY: 0xffffffff } as const;

export const NO_BUFFER = 0xffffffff;
/** ofp_action_output.max_len: send the whole packet to the controller. */
export const CONTROLLER_MAX_LEN_NO_BUFFER = 0xffff;
/** ofp_vlan_id: OR into vlan_vid to say "a VLAN header is present". */
export const VID_PRESENT = 0x1000;
export const TABLE_ALL = 0xff;

export const FlowModCommand = { add: 0, modify: 1, modify_strict: 2, delete: 3, delete_strict: 4 } as const;
export type FlowModCommand = keyof typeof FlowModCommand;
export const flowModCommandName = reverse(FlowModCommand);

export const FlowModFlags = {
  SEND_FLOW_REM: 1 << 0,
  CHECK_OVERLAP: 1 << 1,
  RESET_COUNTS: 1 << 2,
  NO_PKT_COUNTS: 1 << 3,
  NO_BYT_COUNTS: 1 << 4,
} as const;

export const GroupModCommand = { add: 0, modify: 1, delete: 2 } as const;
export type GroupModCommand = keyof typeof GroupModCommand;
export const groupModCommandName = reverse(GroupModCommand);

export const GroupType = { all: 0, select: 1, indirect: 2, fast_failover: 3 } as const;
export type GroupType = keyof typeof GroupType;
export const groupTypeName = reverse(GroupType);

export const ControllerRole = { nochange: 0, equal: 1, master: 2, slave: 3 } as const;
export type ControllerRole = keyof typeof ControllerRole;
export const controllerRoleName = reverse(ControllerRole);

export const PacketInReason = { NO_MATCH: 0, ACTION: 1, INVALID_TTL: 2 } as const;
export const packetInReasonName = reverse(PacketInReason);

export const PortReason = { ADD: 0, DELETE: 1, MODIFY: 2 } as const;
export const portReasonName = reverse(PortReason);

export const FlowRemovedReason = { IDLE_TIMEOUT: 0, HARD_TIMEOUT: 1, DELETE: 2, GROUP_DELETE: 3 } as const;
export const flowRemovedReasonName = reverse(FlowRemovedReason);

export const ConfigFlags = { FRAG_NORMAL: 0, FRAG_DROP: 1, FRAG_REASM: 2 } as const;

export const MultipartType = {
  DESC: 0,
  FLOW: 1,
  AGGREGATE: 2,
  TABLE: 3,
  PORT_STATS: 4,
  QUEUE: 5,
  GROUP: 6,
  GROUP_DESC: 7,
  GROUP_FEATURES: 8,
  METER: 9,
  METER_CONFIG: 10,
  METER_FEATURES: 11,
  TABLE_FEATURES: 12,
  PORT_DESC: 13,
  EXPERIMENTER: 0xffff,
} as const;
export const multipartTypeName = reverse(MultipartType);
/** By the kind our multipart bodies carry: the spec's name in lower case (PORT_DESC: 'port_desc'). */
export const multipartTypeCode = lowerKeys(MultipartType);

/** ofp_multipart_request/reply flags. */
export const MULTIPART_MORE = 1;

export const ActionType = {
  OUTPUT: 0,
  COPY_TTL_OUT: 11,
  COPY_TTL_IN: 12,
  SET_MPLS_TTL: 15,
  DEC_MPLS_TTL: 16,
  PUSH_VLAN: 17,
  POP_VLAN: 18,
  PUSH_MPLS: 19,
  POP_MPLS: 20,
  SET_QUEUE: 21,
  GROUP: 22,
  SET_NW_TTL: 23,
  DEC_NW_TTL: 24,
  SET_FIELD: 25,
  PUSH_PBB: 26,
  POP_PBB: 27,
  EXPERIMENTER: 0xffff,
} as const;

export const InstructionType = {
  GOTO_TABLE: 1,
  WRITE_METADATA: 2,
  WRITE_ACTIONS: 3,
  APPLY_ACTIONS: 4,
  CLEAR_ACTIONS: 5,
  METER: 6,
  EXPERIMENTER: 0xffff,
} as const;

/** Nicira's experimenter (vendor) id, used by NXAST_* actions and NX errors. */
export const NX_VENDOR_ID = 0x00002320;
export const NXAST_RESUBMIT = 1;
export const NXAST_REG_MOVE = 6;
export const NXAST_REG_LOAD = 7;
export const NXAST_RESUBMIT_TABLE = 14;
export const NXAST_REG_LOAD2 = 33;
export const NXAST_CT = 35;
export const NXAST_NAT = 36;
export const NXAST_CT_CLEAR = 43;

/** NXAST_CT flags: commit the connection to conntrack; force: end a connection seen the other
 *  way round and commit this one as new. */
export const CtFlags = { COMMIT: 1 << 0, FORCE: 1 << 1 } as const;
/** NXAST_CT's recirculation table meaning "do not recirculate". */
export const CT_RECIRC_NONE = 0xff;
/** The bits of ct_state (NXM_NX_CT_STATE), named as ovs-ofctl writes them (+new, +est, ...). */
export const CtState = { new: 0x01, est: 0x02, rel: 0x04, rpl: 0x08, inv: 0x10, trk: 0x20, snat: 0x40, dnat: 0x80 } as const;
export type CtStateFlag = keyof typeof CtState;
/** NXAST_NAT flags: which side to translate, and how ports are picked. */
export const NatFlags = { SRC: 1 << 0, DST: 1 << 1, PERSISTENT: 1 << 2, PROTO_HASH: 1 << 3, PROTO_RANDOM: 1 << 4 } as const;
/** NXAST_NAT range_present bits: which range fields follow the fixed part. */
export const NatRange = {
  IPV4_MIN: 1 << 0,
  IPV4_MAX: 1 << 1,
  IPV6_MIN: 1 << 2,
  IPV6_MAX: 1 << 3,
  PROTO_MIN: 1 << 4,
  PROTO_MAX: 1 << 5,
} as const;

/** Reserved meter numbers (ofp_meter). */
export const Meter = { MAX: 0xffff0000, SLOWPATH: 0xfffffffd, CONTROLLER: 0xfffffffe, ALL: 0xffffffff } as const;
export const meterName = reverse(Meter);

export const MeterModCommand = { add: 0, modify: 1, delete: 2 } as const;
export type MeterModCommand = keyof typeof MeterModCommand;
export const meterModCommandName = reverse(MeterModCommand);

/** ofp_meter_flags: the rate unit (kbit/s or packets/s), whether bands have a burst size, and
 *  whether the meter keeps counters. */
export const MeterFlags = { KBPS: 1 << 0, PKTPS: 1 << 1, BURST: 1 << 2, STATS: 1 << 3 } as const;

export const MeterBandType = { DROP: 1, DSCP_REMARK: 2, EXPERIMENTER: 0xffff } as const;

export const HelloElemType = { VERSIONBITMAP: 1 } as const;

function reverse<T extends Record<string, number>>(map: T): ReadonlyMap<number, keyof T & string> {
  return new Map(Object.entries(map).map(([name, value]) => [value, name as keyof T & string]));
}

type LowerKeys<T> = { readonly [K in keyof T & string as Lowercase<K>]: T[K] };

function lowerKeys<T extends Record<string, number>>(map: T): LowerKeys<T> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name.toLowerCase(), value])) as LowerKeys<T>;
}
