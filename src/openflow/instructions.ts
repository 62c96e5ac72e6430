// Instructions (OpenFlow 1.3 section 7.2.4): what a matching flow does to the pipeline.
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { InstructionType } from './constants.ts';
import { OpenFlowDecodeError, OpenFlowEncodeError } from './errors.ts';
import { decodeActions, encodeActions, type Action } from './actions.ts';
import { decodeTlvs } from './tlv.ts';

export type Instruction =
  | { type: 'goto_table'; tableId: number }
  | { type: 'write_metadata'; metadata: bigint; mask: bigint }
  | { type: 'write_actions'; actions: Action[] }
  | { type: 'apply_actions'; actions: Action[] }
  | { type: 'clear_actions' }
  | { type: 'meter'; meterId: number }
  | { type: 'experimenter'; experimenter: number; data: Buffer };

export const inst = {
  apply: (...actions: Action[]): Instruction => ({ type: 'apply_actions', actions }),
  write: (...actions: Action[]): Instruction => ({ type: 'write_actions', actions }),
  clear: (): Instruction => ({ type: 'clear_actions' }),
  gotoTable: (tableId: number): Instruction => ({ type: 'goto_table', tableId }),
  /** Pass the packet through a meter (OFPIT_METER) before the other instructions. */
  meter: (meterId: number): Instruction => ({ type: 'meter', meterId }),
  writeMetadata: (metadata: bigint, mask = 0xffffffffffffffffn): Instruction => ({
    type: 'write_metadata',
    metadata,
    mask,
  }),
};

export function encodeInstruction(w: BufferWriter, i: Instruction): void {
  const start = w.offset;
  switch (i.type) {
    case 'goto_table':
      w.u16(InstructionType.GOTO_TABLE).u16(8).u8(i.tableId).zeros(3);
      return;
    case 'write_metadata':
      w.u16(InstructionType.WRITE_METADATA).u16(24).zeros(4).u64(i.metadata).u64(i.mask);
      return;
    case 'write_actions':
    case 'apply_actions':
      w.u16(i.type === 'write_actions' ? InstructionType.WRITE_ACTIONS : InstructionType.APPLY_ACTIONS)
        .u16(0)
        .zeros(4);
      encodeActions(w, i.actions);
      w.patchU16(start + 2, w.offset - start);
      return;
    case 'clear_actions':
      w.u16(InstructionType.CLEAR_ACTIONS).u16(8).zeros(4);
      return;
    case 'meter':
      w.u16(InstructionType.METER).u16(8).u32(i.meterId);
      return;
    case 'experimenter':
      if (i.data.length % 8 !== 0) throw new OpenFlowEncodeError('experimenter instruction data must pad to 8');
      w.u16(InstructionType.EXPERIMENTER)
        .u16(8 + i.data.length)
        .u32(i.experimenter)
        .bytes(i.data);
      return;
    default:
      throw new OpenFlowEncodeError(`unknown instruction ${(i as { type: string }).type}`);
  }
}

export function encodeInstructions(w: BufferWriter, list: readonly Instruction[]): void {
  for (const i of list) encodeInstruction(w, i);
}

export function decodeInstructions(r: BufferReader): Instruction[] {
  return decodeTlvs(r, 'instruction', decodeInstruction);
}

/** One instruction from its type, its length and its body. */
function decodeInstruction(type: number, len: number, b: BufferReader): Instruction {
  const fixed = (expected: number) => {
    if (len !== expected) throw new OpenFlowDecodeError(`instruction ${type}: length ${len}, expected ${expected}`);
  };
  switch (type) {
    case InstructionType.GOTO_TABLE:
      fixed(8);
      return { type: 'goto_table', tableId: b.u8() };
    case InstructionType.WRITE_METADATA: {
      fixed(24);
      b.skip(4);
      const metadata = b.u64();
      return { type: 'write_metadata', metadata, mask: b.u64() };
    }
    case InstructionType.WRITE_ACTIONS:
    case InstructionType.APPLY_ACTIONS:
      b.skip(4);
      return {
        type: type === InstructionType.WRITE_ACTIONS ? 'write_actions' : 'apply_actions',
        actions: decodeActions(b),
      };
    case InstructionType.CLEAR_ACTIONS:
      fixed(8);
      return { type: 'clear_actions' };
    case InstructionType.METER:
      fixed(8);
      return { type: 'meter', meterId: b.u32() };
    case InstructionType.EXPERIMENTER:
      return { type: 'experimenter', experimenter: b.u32(), data: b.rest() };
    default:
      throw new OpenFlowDecodeError(`unknown instruction type ${type}`);
  }
}
