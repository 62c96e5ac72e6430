// A bounds-checked big-endian reader over a slice of a Buffer. Reading past the end throws an
// OpenFlowDecodeError (never a RangeError), which the parser turns into a typed decode error.
import { OpenFlowDecodeError } from './errors.ts';

export class BufferReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new OpenFlowDecodeError(`truncated: ${what} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy of the next n bytes. */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  skip(n: number, what = 'padding'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A NUL-terminated string in a fixed-size field. */
  fixedString(size: number, what = 'string'): string {
    const b = this.bytes(size, what);
    const nul = b.indexOf(0);
    return b.subarray(0, nul < 0 ? size : nul).toString('latin1');
  }

  /** A reader over the next n bytes; this reader moves past them. */
  sub(n: number, what = 'sub-structure'): BufferReader {
    this.need(n, what);
    const r = new BufferReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }

  /** Looks at a u16 `at` bytes ahead without consuming anything. */
  peekU16(at = 0, what = 'u16'): number {
    if (this.pos + at + 2 > this.end) throw new OpenFlowDecodeError(`truncated: ${what}`);
    return this.buf.readUInt16BE(this.pos + at);
  }
}
