// The switch's groups, as GROUP_MOD leaves them and GROUP_DESC reports them: each the bytes of
// the GROUP_MOD that made it (a node's flood groups have a bucket per tunnel; decoded objects
// would cost several times more). Open vSwitch accepts a bucket naming a group that does not
// exist (yet), and deleting a group leaves the groups chained to it alone; the flows that use it
// go (the datapath removes those).
import type { BufferWriter } from '../../openflow/buffer-writer.ts';
import { Group } from '../../openflow/constants.ts';
import { decodeMessage } from '../../openflow/decoder.ts';
import type { GroupDesc, GroupMod } from '../../openflow/messages.ts';
import { Refused, type Refusal } from './refusal.ts';

export type GroupOutcome = { refusal: Refusal } | { deleted: number[] };

/** ofp_group_mod: header, command (2), type (1), pad (1), group id (4), then the buckets. */
const TYPE = 10;
const BUCKETS = 16;

/** A group's GROUP_DESC entry, from its GROUP_MOD bytes. */
export function writeGroupDesc(w: BufferWriter, frame: Buffer): void {
  w.u16(frame.length - BUCKETS + 8)
    .u8(frame[TYPE]!)
    .zeros(1)
    .u32(frame.readUInt32BE(12));
  w.bytes(frame.subarray(BUCKETS));
}

/** How many buckets the group has (each starts with its length). */
export function bucketCount(frame: Buffer): number {
  let n = 0;
  for (let at = BUCKETS; at + 2 <= frame.length; at += Math.max(16, frame.readUInt16BE(at))) n += 1;
  return n;
}

export class GroupTable {
  private readonly groups = new Map<number, Buffer>();

  has(id: number): boolean {
    return this.groups.has(id);
  }

  get size(): number {
    return this.groups.size;
  }

  /** The GROUP_MOD bytes of each group, by id as OVS lists them. */
  frames(): Buffer[] {
    return [...this.groups].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  }

  /** Decoded, by id. */
  list(): GroupDesc[] {
    return this.frames().map((f) => {
      const { groupType, groupId, buckets } = decodeMessage(f) as GroupMod;
      return { groupType, groupId, buckets };
    });
  }

  clear(): void {
    this.groups.clear();
  }

  /** Applies a GROUP_MOD (`frame` its bytes). */
  apply(mod: GroupMod, frame: Buffer): GroupOutcome {
    const { groupId } = mod;
    switch (mod.command) {
      case 'add':
      case 'modify': {
        if (groupId > Group.MAX) return { refusal: Refused.INVALID_GROUP };
        const exists = this.groups.has(groupId);
        if (mod.command === 'add' && exists) return { refusal: Refused.GROUP_EXISTS };
        if (mod.command === 'modify' && !exists) return { refusal: Refused.UNKNOWN_GROUP };
        this.groups.set(groupId, Buffer.from(frame));
        return { deleted: [] };
      }
      case 'delete': {
        const deleted = groupId === Group.ALL ? [...this.groups.keys()] : this.groups.has(groupId) ? [groupId] : [];
        for (const id of deleted) this.groups.delete(id);
        return { deleted };
      }
    }
  }
}
