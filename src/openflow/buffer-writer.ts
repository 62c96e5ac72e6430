// A growable big-endian writer. Messages are written in place and their length fields patched
// afterwards, so a whole batch of messages can be serialized into one Buffer for one write.
// Bytes are stored one by one rather than through Buffer's writeUInt*BE and fill: those validate
// their arguments in JavaScript on every call, which dominated encoding a flow-mod in a
// controller member (it runs without the optimising compiler).
import { OpenFlowEncodeError } from './errors.ts';

export class BufferWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get offset(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    checkUint(v, 0xff, 'u8');
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    checkUint(v, 0xffff, 'u16');
    this.ensure(2);
    const b = this.buf;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    checkUint(v, 0xffffffff, 'u32');
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new OpenFlowEncodeError(`u64 out of range: ${String(v)}`);
    }
    // Two u32 halves: two bigint operations instead of writeBigUInt64BE's eight.
    this.u32(Number(v >> 32n));
    return this.u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    const b = this.buf;
    for (let i = 0; i < n; i++) b[this.pos++] = 0;
    return this;
  }

  /** Writes `s` as a NUL-padded fixed-size field (port names, descriptions). */
  fixedString(s: string, size: number): this {
    const b = Buffer.from(s, 'latin1');
    if (b.length >= size) throw new OpenFlowEncodeError(`string longer than ${size - 1} bytes: ${s}`);
    this.bytes(b);
    return this.zeros(size - b.length);
  }

  /** Pads with zeros so that (offset - start) is a multiple of 8. */
  pad8(start: number): this {
    const rem = (this.pos - start) % 8;
    return rem === 0 ? this : this.zeros(8 - rem);
  }

  /** Overwrites a u16 written earlier (a length field). */
  patchU16(at: number, v: number): void {
    if (v > 0xffff) throw new OpenFlowEncodeError(`length ${v} does not fit in 16 bits`);
    this.buf.writeUInt16BE(v, at);
  }

  /** A copy of what was written; the writer can be reused after reset(). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** A view of what was written, without copying (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  /** Drops everything written after `offset` (undoes a half-written message). */
  truncate(offset: number): void {
    if (offset < this.pos) this.pos = offset;
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new OpenFlowEncodeError(`${what} out of range: ${v}`);
}
