// ct_state in the words ovs-ofctl uses: "+trk+est-new" matches the bits named (+ set, - clear)
// and ignores the others. Used to build matches and to print them.
import { CtState, type CtStateFlag } from './constants.ts';
import { OpenFlowEncodeError } from './errors.ts';
import type { KnownOxm } from './match.ts';

const FLAGS = Object.entries(CtState) as [CtStateFlag, number][];

/** A ct_state match from "+trk+est", "+trk-new-inv", ...: the named bits, masked. */
export function ctState(spec: string): KnownOxm {
  let value = 0;
  let mask = 0;
  const re = /([+-])([a-z]+)/gy;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(spec)) !== null) {
    end = re.lastIndex;
    const bit = CtState[m[2] as CtStateFlag];
    if (bit === undefined) throw new OpenFlowEncodeError(`ct_state: unknown flag ${m[2]} in ${spec}`);
    if (mask & bit) throw new OpenFlowEncodeError(`ct_state: ${m[2]} given twice in ${spec}`);
    mask |= bit;
    if (m[1] === '+') value |= bit;
  }
  if (end !== spec.length || mask === 0) throw new OpenFlowEncodeError(`ct_state: not a +flag-flag list: ${spec}`);
  return { field: 'ct_state', value, mask };
}

/** "+est+trk" for a masked value (OVS's order of bits), "est|trk" for an exact one (no mask, or
 *  a mask of every bit, as packet-ins carry it). */
export function formatCtState(value: number, mask?: number): string {
  const known = FLAGS.reduce((all, [, bit]) => all | bit, 0);
  const hex = (v: number) => `0x${v.toString(16)}`;
  if (mask === undefined || mask === known) {
    if (value & ~known) return hex(value);
    const set = FLAGS.filter(([, bit]) => value & bit).map(([name]) => name);
    return set.length === 0 ? '0' : set.join('|');
  }
  if (mask & ~known) return `${hex(value)}/${hex(mask)}`;
  return FLAGS.filter(([, bit]) => mask & bit)
    .map(([name, bit]) => `${value & bit ? '+' : '-'}${name}`)
    .join('');
}
