// What the simulated switch answers with an OFPT_ERROR, as Open vSwitch 3.1 answers the same
// request (measured against a real ovs-vswitchd by test/integration/simulator/).
import { errorNumbers, type ErrorTypeName } from '../../openflow/errors.ts';

/** An error type and code (ofperr): the reason a request was refused. */
export interface Refusal {
  type: number;
  code: number;
}

const refusal = (type: ErrorTypeName, code: string): Refusal => errorNumbers(type, code);

export const Refused = {
  IS_SLAVE: refusal('BAD_REQUEST', 'IS_SLAVE'),
  BAD_TYPE: refusal('BAD_REQUEST', 'BAD_TYPE'),
  BAD_LEN: refusal('BAD_REQUEST', 'BAD_LEN'),
  BAD_MULTIPART: refusal('BAD_REQUEST', 'BAD_MULTIPART'),
  BAD_EXPERIMENTER: refusal('BAD_REQUEST', 'BAD_EXPERIMENTER'),
  BUFFER_UNKNOWN: refusal('BAD_REQUEST', 'BUFFER_UNKNOWN'),
  /** Table 254 is Open vSwitch's own, read-only. */
  TABLE_EPERM: refusal('BAD_REQUEST', 'EPERM'),
  BAD_TABLE_ID: refusal('BAD_REQUEST', 'BAD_TABLE_ID'),
  HELLO_INCOMPATIBLE: refusal('HELLO_FAILED', 'INCOMPATIBLE'),
  STALE: refusal('ROLE_REQUEST_FAILED', 'STALE'),
  DUP_FIELD: refusal('BAD_MATCH', 'DUP_FIELD'),
  BAD_WILDCARDS: refusal('BAD_MATCH', 'BAD_WILDCARDS'),
  BAD_PREREQ: refusal('BAD_MATCH', 'BAD_PREREQ'),
  BAD_OUT_GROUP: refusal('BAD_ACTION', 'BAD_OUT_GROUP'),
  MATCH_INCONSISTENT: refusal('BAD_ACTION', 'MATCH_INCONSISTENT'),
  GOTO_BAD_TABLE: refusal('BAD_INSTRUCTION', 'BAD_TABLE_ID'),
  FLOW_BAD_TABLE_ID: refusal('FLOW_MOD_FAILED', 'BAD_TABLE_ID'),
  OVERLAP: refusal('FLOW_MOD_FAILED', 'OVERLAP'),
  GROUP_EXISTS: refusal('GROUP_MOD_FAILED', 'GROUP_EXISTS'),
  INVALID_GROUP: refusal('GROUP_MOD_FAILED', 'INVALID_GROUP'),
  UNKNOWN_GROUP: refusal('GROUP_MOD_FAILED', 'UNKNOWN_GROUP'),
  METER_EXISTS: refusal('METER_MOD_FAILED', 'METER_EXISTS'),
  /** Also what a flow naming a meter that does not exist gets. */
  INVALID_METER: refusal('METER_MOD_FAILED', 'INVALID_METER'),
  UNKNOWN_METER: refusal('METER_MOD_FAILED', 'UNKNOWN_METER'),
  BAD_RATE: refusal('METER_MOD_FAILED', 'BAD_RATE'),
  BAD_BAND: refusal('METER_MOD_FAILED', 'BAD_BAND'),
  OUT_OF_BANDS: refusal('METER_MOD_FAILED', 'OUT_OF_BANDS'),
} as const;
