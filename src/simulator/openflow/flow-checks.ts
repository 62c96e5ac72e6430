// What Open vSwitch refuses in a FLOW_MOD, checked in its order: the match (a field twice,
// value bits outside the mask, a field without its prerequisites), the table, the buffer, then
// the instructions (goto backwards, a meter or group that does not exist, ct() outside IP).
import type { Action } from '../../openflow/actions.ts';
import { NO_BUFFER, TABLE_ALL } from '../../openflow/constants.ts';
import type { Instruction } from '../../openflow/instructions.ts';
import type { Match } from '../../openflow/match.ts';
import type { FlowMod } from '../../openflow/messages.ts';
import { Refused, type Refusal } from './refusal.ts';

/** Tables a controller may use: OVS has 255, the last its own (read-only). */
export const N_TABLES = 254;
const HIDDEN_TABLE = 254;

const IP = [0x0800, 0x86dd];
const IPV4 = [0x0800];
const ARP = [0x0806, 0x8035];

/** A field's prerequisites: the ethertypes it needs, and the IP protocol. */
const PREREQS: Record<string, { ethTypes: readonly number[]; ipProto?: number }> = {
  ipv4_src: { ethTypes: IPV4 },
  ipv4_dst: { ethTypes: IPV4 },
  ip_proto: { ethTypes: IP },
  ip_dscp: { ethTypes: IP },
  ip_ecn: { ethTypes: IP },
  nw_ttl: { ethTypes: IP },
  tcp_src: { ethTypes: IP, ipProto: 6 },
  tcp_dst: { ethTypes: IP, ipProto: 6 },
  udp_src: { ethTypes: IP, ipProto: 17 },
  udp_dst: { ethTypes: IP, ipProto: 17 },
  icmpv4_type: { ethTypes: IPV4, ipProto: 1 },
  icmpv4_code: { ethTypes: IPV4, ipProto: 1 },
  arp_op: { ethTypes: ARP },
  arp_spa: { ethTypes: ARP },
  arp_tpa: { ethTypes: ARP },
  arp_sha: { ethTypes: ARP },
  arp_tha: { ethTypes: ARP },
};

/** An exactly matched numeric field among the first `upTo` fields (a prerequisite must be exact). */
function exact(match: Match, field: string, upTo = match.length): number | undefined {
  for (let i = 0; i < upTo; i++) {
    const f = match[i]!;
    if (f.field !== 'raw' && f.field === field && f.mask === undefined && typeof f.value === 'number') return f.value;
  }
  return undefined;
}

/** Whether the first `upTo` fields meet the prerequisites of `field`. */
function satisfied(match: Match, field: string, upTo = match.length): boolean {
  const pre = PREREQS[field];
  if (!pre) return true;
  const ethType = exact(match, 'eth_type', upTo);
  if (ethType === undefined || !pre.ethTypes.includes(ethType)) return false;
  return pre.ipProto === undefined || exact(match, 'ip_proto', upTo) === pre.ipProto;
}

/** Value bits outside the mask of the OXM at `at` of the frame (masked: value then mask). */
function wildcardsSet(frame: Buffer, at: number): boolean {
  if ((frame[at + 2]! & 1) === 0 || frame.readUInt16BE(at) === 0xffff) return false;
  const half = frame[at + 3]! >> 1;
  for (let i = 0; i < half; i++) if ((frame[at + 4 + i]! & ~frame[at + 4 + half + i]!) !== 0) return true;
  return false;
}

/** The match field by field, in the order sent, as OVS reads it: each field's prerequisites
 *  among the fields before it, a field twice, value bits outside a mask. */
export function checkMatch(match: Match, frame: Buffer): Refusal | undefined {
  const seen: number[] = [];
  let at = 52; // after the flow-mod's 48 bytes and ofp_match's type and length
  for (let i = 0; i < match.length; i++) {
    if (!satisfied(match, match[i]!.field, i)) return Refused.BAD_PREREQ;
    const header = frame.readUInt32BE(at) >>> 9; // class and field, without the mask bit and length
    if (seen.includes(header)) return Refused.DUP_FIELD;
    seen.push(header);
    if (wildcardsSet(frame, at)) return Refused.BAD_WILDCARDS;
    at += 4 + frame[at + 3]!;
  }
  return undefined;
}

/** What the flow's tables allow: table 254 is OVS's, ALL only selects what to delete. */
function checkTable(mod: FlowMod): Refusal | undefined {
  if (mod.tableId === HIDDEN_TABLE) return Refused.TABLE_EPERM;
  if (mod.tableId === TABLE_ALL) return isDelete(mod) ? undefined : Refused.FLOW_BAD_TABLE_ID;
  return mod.tableId > HIDDEN_TABLE ? Refused.BAD_TABLE_ID : undefined;
}

const isDelete = (mod: FlowMod) => mod.command === 'delete' || mod.command === 'delete_strict';

/** The groups and meters there are. */
export interface Known {
  groups: { has(id: number): boolean };
  meters: { has(id: number): boolean };
}

function checkActions(actions: readonly Action[], match: Match, known: Known): Refusal | undefined {
  for (const a of actions) {
    if (a.type === 'group' && !known.groups.has(a.groupId)) return Refused.BAD_OUT_GROUP;
    // Conntrack needs an IP packet (OVS: "ct() requires eth_type IPv4 or IPv6").
    if (a.type === 'nx_ct' && !IP.includes(exact(match, 'eth_type') ?? -1)) return Refused.MATCH_INCONSISTENT;
    if (a.type === 'set_field' && !satisfied(match, a.field.field)) return Refused.MATCH_INCONSISTENT;
  }
  return undefined;
}

function checkInstructions(mod: FlowMod, known: Known): Refusal | undefined {
  for (const i of mod.instructions as readonly Instruction[]) {
    if (i.type === 'goto_table' && (i.tableId <= mod.tableId || i.tableId >= N_TABLES)) return Refused.GOTO_BAD_TABLE;
    if (i.type === 'meter' && !known.meters.has(i.meterId)) return Refused.INVALID_METER;
    if (i.type === 'apply_actions' || i.type === 'write_actions') {
      const refused = checkActions(i.actions, mod.match, known);
      if (refused) return refused;
    }
  }
  return undefined;
}

/** Why OVS would refuse this FLOW_MOD (`frame` its bytes), or undefined. */
export function checkFlowMod(mod: FlowMod, frame: Buffer, known: Known): Refusal | undefined {
  const refused = checkMatch(mod.match, frame) ?? checkTable(mod);
  if (refused || isDelete(mod)) return refused;
  if (mod.bufferId !== NO_BUFFER) return Refused.BUFFER_UNKNOWN;
  return checkInstructions(mod, known);
}
