// OpenFlow 1.3 errors as protocol values (OFPET_* types, per-type OFP*C_* codes), and the error
// classes this library raises. Each class has a literal `code` callers can branch on.
import { NvlabError } from '../util/errors.ts';

export const ErrorType = {
  HELLO_FAILED: 0,
  BAD_REQUEST: 1,
  BAD_ACTION: 2,
  BAD_INSTRUCTION: 3,
  BAD_MATCH: 4,
  FLOW_MOD_FAILED: 5,
  GROUP_MOD_FAILED: 6,
  PORT_MOD_FAILED: 7,
  TABLE_MOD_FAILED: 8,
  QUEUE_OP_FAILED: 9,
  SWITCH_CONFIG_FAILED: 10,
  ROLE_REQUEST_FAILED: 11,
  METER_MOD_FAILED: 12,
  TABLE_FEATURES_FAILED: 13,
  EXPERIMENTER: 0xffff,
} as const;
export type ErrorTypeName = keyof typeof ErrorType;

// Code names in spec order (index = code) with the spec's per-type prefix.
const CODES: Record<number, { prefix: string; codes: readonly string[] }> = {
  0: { prefix: 'OFPHFC', codes: ['INCOMPATIBLE', 'EPERM'] },
  1: {
    prefix: 'OFPBRC',
    codes: [
      'BAD_VERSION',
      'BAD_TYPE',
      'BAD_MULTIPART',
      'BAD_EXPERIMENTER',
      'BAD_EXP_TYPE',
      'EPERM',
      'BAD_LEN',
      'BUFFER_EMPTY',
      'BUFFER_UNKNOWN',
      'BAD_TABLE_ID',
      'IS_SLAVE',
      'BAD_PORT',
      'BAD_PACKET',
      'MULTIPART_BUFFER_OVERFLOW',
    ],
  },
  2: {
    prefix: 'OFPBAC',
    codes: [
      'BAD_TYPE',
      'BAD_LEN',
      'BAD_EXPERIMENTER',
      'BAD_EXP_TYPE',
      'BAD_OUT_PORT',
      'BAD_ARGUMENT',
      'EPERM',
      'TOO_MANY',
      'BAD_QUEUE',
      'BAD_OUT_GROUP',
      'MATCH_INCONSISTENT',
      'UNSUPPORTED_ORDER',
      'BAD_TAG',
      'BAD_SET_TYPE',
      'BAD_SET_LEN',
      'BAD_SET_ARGUMENT',
    ],
  },
  3: {
    prefix: 'OFPBIC',
    codes: [
      'UNKNOWN_INST',
      'UNSUP_INST',
      'BAD_TABLE_ID',
      'UNSUP_METADATA',
      'UNSUP_METADATA_MASK',
      'BAD_EXPERIMENTER',
      'BAD_EXP_TYPE',
      'BAD_LEN',
      'EPERM',
    ],
  },
  4: {
    prefix: 'OFPBMC',
    codes: [
      'BAD_TYPE',
      'BAD_LEN',
      'BAD_TAG',
      'BAD_DL_ADDR_MASK',
      'BAD_NW_ADDR_MASK',
      'BAD_WILDCARDS',
      'BAD_FIELD',
      'BAD_VALUE',
      'BAD_MASK',
      'BAD_PREREQ',
      'DUP_FIELD',
      'EPERM',
    ],
  },
  5: {
    prefix: 'OFPFMFC',
    codes: ['UNKNOWN', 'TABLE_FULL', 'BAD_TABLE_ID', 'OVERLAP', 'EPERM', 'BAD_TIMEOUT', 'BAD_COMMAND', 'BAD_FLAGS'],
  },
  6: {
    prefix: 'OFPGMFC',
    codes: [
      'GROUP_EXISTS',
      'INVALID_GROUP',
      'WEIGHT_UNSUPPORTED',
      'OUT_OF_GROUPS',
      'OUT_OF_BUCKETS',
      'CHAINING_UNSUPPORTED',
      'WATCH_UNSUPPORTED',
      'LOOP',
      'UNKNOWN_GROUP',
      'CHAINED_GROUP',
      'BAD_TYPE',
      'BAD_COMMAND',
      'BAD_BUCKET',
      'BAD_WATCH',
      'EPERM',
    ],
  },
  7: { prefix: 'OFPPMFC', codes: ['BAD_PORT', 'BAD_HW_ADDR', 'BAD_CONFIG', 'BAD_ADVERTISE', 'EPERM'] },
  8: { prefix: 'OFPTMFC', codes: ['BAD_TABLE', 'BAD_CONFIG', 'EPERM'] },
  9: { prefix: 'OFPQOFC', codes: ['BAD_PORT', 'BAD_QUEUE', 'EPERM'] },
  10: { prefix: 'OFPSCFC', codes: ['BAD_FLAGS', 'BAD_LEN', 'EPERM'] },
  11: { prefix: 'OFPRRFC', codes: ['STALE', 'UNSUP', 'BAD_ROLE'] },
  12: {
    prefix: 'OFPMMFC',
    codes: [
      'UNKNOWN',
      'METER_EXISTS',
      'INVALID_METER',
      'UNKNOWN_METER',
      'BAD_COMMAND',
      'BAD_FLAGS',
      'BAD_RATE',
      'BAD_BURST',
      'BAD_BAND',
      'BAD_BAND_VALUE',
      'OUT_OF_METERS',
      'OUT_OF_BANDS',
    ],
  },
  13: { prefix: 'OFPTFFC', codes: ['BAD_TABLE', 'BAD_METADATA', 'BAD_TYPE', 'BAD_LEN', 'BAD_ARGUMENT', 'EPERM'] },
};

const TYPE_NAMES = new Map(Object.entries(ErrorType).map(([name, value]) => [value as number, name]));

/** "ROLE_REQUEST_FAILED" for 11; "UNKNOWN_TYPE_99" for numbers the spec does not define. */
export function errorTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `UNKNOWN_TYPE_${type}`;
}

/** "STALE" for (11, 0); "UNKNOWN_CODE_n" when the pair is not in the spec. */
export function errorCodeName(type: number, code: number): string {
  return CODES[type]?.codes[code] ?? `UNKNOWN_CODE_${code}`;
}

/** The spec's full names, e.g. { type: 'OFPET_ROLE_REQUEST_FAILED', code: 'OFPRRFC_STALE' }. */
export function errorSpecNames(type: number, code: number): { type: string; code: string } {
  const entry = CODES[type];
  return {
    type: `OFPET_${errorTypeName(type)}`,
    code: entry?.codes[code] === undefined ? `${code}` : `${entry.prefix}_${entry.codes[code]}`,
  };
}

/** Numbers for a pair of names: errorNumbers('BAD_MATCH', 'BAD_PREREQ') → { type: 4, code: 9 }. */
export function errorNumbers(typeName: ErrorTypeName, codeName: string): { type: number; code: number } {
  const type = ErrorType[typeName];
  const code = CODES[type]?.codes.indexOf(codeName) ?? -1;
  if (code < 0) throw new RangeError(`unknown OpenFlow error code ${typeName}/${codeName}`);
  return { type, code };
}

/** An OFPT_ERROR the switch sent about one of our requests. */
export class OpenFlowError extends NvlabError {
  declare readonly code: 'OPENFLOW_ERROR';
  readonly xid: number;
  readonly errorType: number;
  readonly errorCode: number;
  readonly typeName: string;
  readonly codeName: string;
  /** Set for OFPET_EXPERIMENTER errors (e.g. Nicira extensions). */
  readonly experimenter: number | undefined;
  /** At least the first 64 bytes of the request that failed, as the switch echoed it. */
  readonly data: Buffer;

  constructor(error: { xid: number; errorType: number; errorCode: number; experimenter?: number; data: Buffer }) {
    const typeName = errorTypeName(error.errorType);
    const codeName =
      error.errorType === ErrorType.EXPERIMENTER
        ? `EXP_TYPE_${error.errorCode}(experimenter=0x${(error.experimenter ?? 0).toString(16)})`
        : errorCodeName(error.errorType, error.errorCode);
    super('OPENFLOW_ERROR', `switch rejected xid ${error.xid}: ${typeName}/${codeName}`);
    this.xid = error.xid;
    this.errorType = error.errorType;
    this.errorCode = error.errorCode;
    this.typeName = typeName;
    this.codeName = codeName;
    this.experimenter = error.experimenter;
    this.data = error.data;
  }
}

/** Bytes that are not a valid OpenFlow 1.3 message. `fatal` means the framing is lost. */
export class OpenFlowDecodeError extends NvlabError {
  declare readonly code: 'OPENFLOW_DECODE';
  readonly fatal: boolean;
  readonly xid: number | undefined;
  readonly msgType: number | undefined;

  constructor(message: string, options: { fatal?: boolean; xid?: number; msgType?: number; cause?: unknown } = {}) {
    super('OPENFLOW_DECODE', message, { cause: options.cause });
    this.fatal = options.fatal ?? false;
    this.xid = options.xid;
    this.msgType = options.msgType;
  }
}

/** A message we were asked to encode cannot be put on the wire (value out of range, too long). */
export class OpenFlowEncodeError extends NvlabError {
  declare readonly code: 'OPENFLOW_ENCODE';
  constructor(message: string) {
    super('OPENFLOW_ENCODE', message);
  }
}

/** A request outlived its timeout. */
export class OpenFlowTimeoutError extends NvlabError {
  declare readonly code: 'OPENFLOW_TIMEOUT';
  constructor(message: string) {
    super('OPENFLOW_TIMEOUT', message);
  }
}

/** The session ended (closed, dead peer, socket error) while a request was outstanding. */
export class OpenFlowDisconnectedError extends NvlabError {
  declare readonly code: 'OPENFLOW_DISCONNECTED';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('OPENFLOW_DISCONNECTED', message, options);
  }
}

/** HELLO exchange or FEATURES failed: no common version, peer closed, or too slow. */
export class OpenFlowHandshakeError extends NvlabError {
  declare readonly code: 'OPENFLOW_HANDSHAKE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('OPENFLOW_HANDSHAKE', message, options);
  }
}

/** install(): the barrier came back but some of the messages before it were rejected. */
export class OpenFlowInstallError extends NvlabError {
  declare readonly code: 'OPENFLOW_INSTALL';
  /** One entry per rejected message: its index in the batch and the switch's error. */
  readonly failures: ReadonlyArray<{ index: number; error: OpenFlowError }>;
  constructor(failures: ReadonlyArray<{ index: number; error: OpenFlowError }>, total: number) {
    const first = failures[0];
    super(
      'OPENFLOW_INSTALL',
      `${failures.length} of ${total} messages rejected` +
        (first ? `; first: #${first.index} ${first.error.typeName}/${first.error.codeName}` : ''),
      { cause: first?.error },
    );
    this.failures = failures;
  }
}
