// Constructors with the defaults a controller usually wants, so call sites only say what matters.
import {
  Group,
  MeterFlags,
  NO_BUFFER,
  Port,
  type FlowModCommand,
  type GroupModCommand,
  type GroupType,
  type MeterModCommand,
} from './constants.ts';
import type { Action } from './actions.ts';
import type { Instruction } from './instructions.ts';
import type { Match } from './match.ts';
import type { Bucket, FlowMod, GroupMod, MeterMod, PacketOut } from './messages.ts';
import type { MeterBand } from './meter.ts';

type Without<T> = Omit<T, 'type' | 'xid'> & { xid?: number };

/** FLOW_MOD add in table 0, priority 0x8000, no timeouts, no cookie, unless told otherwise. */
export function flowMod(
  fields: Partial<Without<FlowMod>> & { match?: Match; instructions?: Instruction[]; command?: FlowModCommand },
): Without<FlowMod> & { type: 'flow_mod' } {
  return {
    type: 'flow_mod',
    cookie: 0n,
    cookieMask: 0n,
    tableId: 0,
    command: 'add',
    idleTimeout: 0,
    hardTimeout: 0,
    priority: 0x8000,
    bufferId: NO_BUFFER,
    outPort: Port.ANY,
    outGroup: Group.ANY,
    flags: 0,
    match: [],
    instructions: [],
    ...fields,
  };
}

export function groupMod(fields: {
  command?: GroupModCommand;
  groupType: GroupType;
  groupId: number;
  buckets?: Bucket[];
  xid?: number;
}): Without<GroupMod> & { type: 'group_mod' } {
  return { type: 'group_mod', command: 'add', buckets: [], ...fields };
}

/** METER_MOD add with kbit/s rates, bursts and counters (MeterFlags KBPS | BURST | STATS), unless told otherwise. */
export function meterMod(fields: {
  command?: MeterModCommand;
  meterId: number;
  flags?: number;
  bands?: MeterBand[];
  xid?: number;
}): Without<MeterMod> & { type: 'meter_mod' } {
  return { type: 'meter_mod', command: 'add', flags: MeterFlags.KBPS | MeterFlags.BURST | MeterFlags.STATS, bands: [], ...fields };
}

/** A drop band: traffic above `rate` is dropped; `burstSize` in the meter's unit (default 0: the switch picks). */
export function dropBand(rate: number, burstSize = 0): MeterBand {
  return { type: 'drop', rate, burstSize };
}

/** PACKET_OUT of raw frame bytes (no switch buffer), as if received on inPort (default CONTROLLER). */
export function packetOut(data: Buffer, actions: Action[], inPort: number = Port.CONTROLLER): Without<PacketOut> & { type: 'packet_out' } {
  return { type: 'packet_out', bufferId: NO_BUFFER, inPort, actions, data };
}
