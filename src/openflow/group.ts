// Group buckets and group descriptions (shared by GROUP_MOD and the GROUP_DESC multipart reply).
import { decodeActions, encodeActions } from './actions.ts';
import type { BufferReader } from './buffer-reader.ts';
import type { BufferWriter } from './buffer-writer.ts';
import { Group, GroupType, groupTypeName, Port } from './constants.ts';
import { OpenFlowDecodeError } from './errors.ts';
import type { Action } from './actions.ts';
import type { Bucket, GroupDesc } from './messages.ts';

const BUCKET_HEADER_LEN = 16;

/** A bucket with defaults: weight 0, no watch (ANY port and group). */
export function bucket(actions: Action[], options: Partial<Omit<Bucket, 'actions'>> = {}): Bucket {
  return { weight: options.weight ?? 0, watchPort: options.watchPort ?? Port.ANY, watchGroup: options.watchGroup ?? Group.ANY, actions };
}

export function encodeBuckets(w: BufferWriter, buckets: readonly Bucket[]): void {
  for (const b of buckets) {
    const start = w.offset;
    w.u16(0).u16(b.weight).u32(b.watchPort).u32(b.watchGroup).zeros(4);
    encodeActions(w, b.actions);
    w.patchU16(start, w.offset - start);
  }
}

export function decodeBuckets(r: BufferReader): Bucket[] {
  const buckets: Bucket[] = [];
  while (r.remaining > 0) {
    const len = r.peekU16(0, 'bucket length');
    if (len < BUCKET_HEADER_LEN || len % 8 !== 0) throw new OpenFlowDecodeError(`bucket: bad length ${len}`);
    const b = r.sub(len, 'bucket');
    b.skip(2);
    const weight = b.u16();
    const watchPort = b.u32();
    const watchGroup = b.u32();
    b.skip(4);
    buckets.push({ weight, watchPort, watchGroup, actions: decodeActions(b) });
  }
  return buckets;
}

export function decodeGroupType(n: number): GroupDesc['groupType'] {
  const name = groupTypeName.get(n);
  if (name === undefined) throw new OpenFlowDecodeError(`unknown group type ${n}`);
  return name;
}

export function encodeGroupDesc(w: BufferWriter, g: GroupDesc): void {
  const start = w.offset;
  w.u16(0).u8(GroupType[g.groupType]).zeros(1).u32(g.groupId);
  encodeBuckets(w, g.buckets);
  w.patchU16(start, w.offset - start);
}

export function decodeGroupDesc(r: BufferReader): GroupDesc {
  const len = r.peekU16(0, 'group desc length');
  if (len < 8) throw new OpenFlowDecodeError(`group desc: bad length ${len}`);
  const b = r.sub(len, 'group desc');
  b.skip(2);
  const groupType = decodeGroupType(b.u8());
  b.skip(1);
  const groupId = b.u32();
  return { groupType, groupId, buckets: decodeBuckets(b) };
}
