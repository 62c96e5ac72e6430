// Actions and instructions are framed alike: a u16 type, then a u16 length that counts these four
// bytes and is a multiple of 8, then the body. One loop reads a list of either.
import type { BufferReader } from './buffer-reader.ts';
import { OpenFlowDecodeError } from './errors.ts';

/** Decodes `what`s to the end of `r`; `decodeBody` reads one from its type, its length and a
 *  reader over its body. */
export function decodeTlvs<T>(
  r: BufferReader,
  what: 'action' | 'instruction',
  decodeBody: (type: number, len: number, body: BufferReader) => T,
): T[] {
  const typeLabel = `${what} type`;
  const lengthLabel = `${what} length`;
  const list: T[] = [];
  while (r.remaining > 0) {
    const type = r.u16(typeLabel);
    const len = r.u16(lengthLabel);
    if (len < 8 || len % 8 !== 0) throw new OpenFlowDecodeError(`${what} type ${type}: bad length ${len}`);
    list.push(decodeBody(type, len, r.sub(len - 4, `${what} type ${type}`)));
  }
  return list;
}
