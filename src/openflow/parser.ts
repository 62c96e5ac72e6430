// Incremental framing: feed arbitrary chunks of a TCP stream, get whole messages out.
// Bad bytes come out as OpenFlowDecodeError values, never as exceptions. A frame whose body does
// not decode is skipped (its length is still known); a header with length < 8 loses the framing,
// so the parser reports a fatal error and discards what it holds.
import { OFP_HEADER_LEN } from './constants.ts';
import { decodeMessage } from './decoder.ts';
import { OpenFlowDecodeError } from './errors.ts';
import type { OfMessage } from './messages.ts';

export type ParseResult = { ok: true; message: OfMessage } | { ok: false; error: OpenFlowDecodeError };

export class OpenFlowParser {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;

  /** Bytes held back waiting for the rest of a frame. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  /** `frame` is the message's bytes (a view of `chunk`, valid during the call), for a consumer
   *  that keeps or echoes what it received. A frame `claim` takes (true) is not decoded: its
   *  consumer reads the bytes itself. */
  feed(chunk: Buffer, emit: (result: ParseResult, frame: Buffer) => void, claim?: (frame: Buffer) => boolean): void {
    this.append(chunk);
    while (this.buffer.length - this.offset >= OFP_HEADER_LEN) {
      const length = this.buffer.readUInt16BE(this.offset + 2);
      if (length < OFP_HEADER_LEN) {
        const xid = this.buffer.readUInt32BE(this.offset + 4);
        const msgType = this.buffer[this.offset + 1]!;
        this.buffer = Buffer.alloc(0);
        this.offset = 0;
        const error = new OpenFlowDecodeError(`header length ${length} < 8: framing lost`, { fatal: true, xid, msgType });
        emit({ ok: false, error }, Buffer.alloc(0));
        return;
      }
      if (this.buffer.length - this.offset < length) break;
      const frame = this.buffer.subarray(this.offset, this.offset + length);
      this.offset += length;
      if (!claim?.(frame)) emit(decodeFrame(frame), frame);
    }
    if (this.offset === this.buffer.length) {
      this.buffer = Buffer.alloc(0);
      this.offset = 0;
    }
  }

  /** feed() collecting the results, for tests and simple callers. */
  feedAll(chunk: Buffer): ParseResult[] {
    const out: ParseResult[] = [];
    this.feed(chunk, (r) => out.push(r));
    return out;
  }

  private append(chunk: Buffer): void {
    if (this.offset === this.buffer.length) {
      this.buffer = chunk;
      this.offset = 0;
    } else {
      this.buffer = Buffer.concat([this.buffer.subarray(this.offset), chunk]);
      this.offset = 0;
    }
  }
}

/** Decodes exactly one frame, catching every failure as a typed decode error. */
export function decodeFrame(frame: Buffer): ParseResult {
  try {
    return { ok: true, message: decodeMessage(frame) };
  } catch (err) {
    if (err instanceof OpenFlowDecodeError) return { ok: false, error: err };
    const xid = frame.length >= 8 ? frame.readUInt32BE(4) : undefined;
    const msgType = frame.length >= 2 ? frame[1] : undefined;
    return {
      ok: false,
      error: new OpenFlowDecodeError(`undecodable message: ${String(err)}`, {
        cause: err,
        ...(xid === undefined ? {} : { xid }),
        ...(msgType === undefined ? {} : { msgType }),
      }),
    };
  }
}
