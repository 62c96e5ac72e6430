// Incremental framing for JSON-RPC over a byte stream: OVSDB peers send JSON objects back to back
// with no length prefix or delimiter, so we find where each top-level value ends by tracking
// nesting depth and string/escape state, byte by byte, across arbitrary chunk boundaries.
// Structural bytes are ASCII and UTF-8 continuation bytes are >= 0x80, so scanning bytes is safe
// even when a chunk ends in the middle of a multi-byte character.
import { OvsdbFramingError } from './errors.ts';

export type SplitResult = { ok: true; value: unknown } | { ok: false; error: OvsdbFramingError };

export interface JsonSplitterOptions {
  /** Largest single JSON value accepted, in bytes (default 64 MiB). Larger values are an error. */
  maxValueBytes?: number;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * Splits a byte stream into top-level JSON values (objects or arrays). `push` never throws:
 * malformed input comes back as `{ ok: false, error }` and the splitter resynchronises at the
 * next `{` or `[`; a value over `maxValueBytes` is dropped with an error, so memory is bounded.
 */
export class JsonSplitter {
  private readonly maxValueBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Dropping the rest of an oversized value: keep scanning but do not buffer. */
  private discarding = false;
  private closingStack: number[] = [];

  constructor(options: JsonSplitterOptions = {}) {
    this.maxValueBytes = options.maxValueBytes ?? 64 * 1024 * 1024;
  }

  /** True when a value has started but not yet ended. */
  get pending(): boolean {
    return this.depth > 0;
  }

  push(chunk: Buffer | Uint8Array | string): SplitResult[] {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: SplitResult[] = [];
    let start = 0; // start of the part of `data` that belongs to the current value
    // Inside a string the scan jumps to its next quote or backslash (Buffer.indexOf, native):
    // strings are most of an OVSDB message's bytes, and a member reads thousands of sessions.
    let nextBackslash = -1;
    for (let i = 0; i < data.length; i++) {
      const b = data[i]!;
      if (this.depth === 0) {
        if (isSpace(b)) continue;
        if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          this.depth = 1;
          this.closingStack = [b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET];
          this.inString = false;
          this.escaped = false;
          this.discarding = false;
          start = i;
          continue;
        }
        // Skip the whole run of garbage up to the next possible value start, reporting it once.
        let j = i + 1;
        while (j < data.length && data[j] !== OPEN_BRACE && data[j] !== OPEN_BRACKET) j++;
        out.push({
          ok: false,
          error: new OvsdbFramingError(
            `unexpected byte 0x${b.toString(16).padStart(2, '0')} outside a JSON object or array`,
            'unexpected-byte',
          ),
        });
        i = j - 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          continue;
        }
        if (nextBackslash < i && nextBackslash !== data.length) {
          nextBackslash = data.indexOf(BACKSLASH, i);
          if (nextBackslash < 0) nextBackslash = data.length;
        }
        const quote = data.indexOf(QUOTE, i);
        const end = quote < 0 ? data.length : quote;
        if (nextBackslash < end) {
          i = nextBackslash; // the next byte is escaped
          this.escaped = true;
        } else if (quote < 0) {
          i = data.length - 1; // the string goes on in the next chunk
        } else {
          i = quote;
          this.inString = false;
        }
        continue;
      }
      if (b === QUOTE) {
        this.inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        this.depth++;
        this.closingStack.push(b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        const expected = this.closingStack.pop();
        this.depth--;
        if (expected !== b) {
          // Mismatched bracket: the value is malformed; report it and resynchronise.
          this.reset();
          out.push({ ok: false, error: new OvsdbFramingError('mismatched bracket in JSON value', 'syntax') });
          continue;
        }
        if (this.depth === 0) {
          const result = this.finish(data.subarray(start, i + 1));
          if (result) out.push(result);
        }
      }
    }
    if (this.depth > 0 && !this.discarding) {
      const piece = data.subarray(start);
      this.append(piece, out);
    }
    return out;
  }

  /**
   * Call at end of stream: reports a value that was cut off. The splitter is reset afterwards.
   */
  end(): SplitResult[] {
    if (this.depth === 0) return [];
    this.reset();
    return [{ ok: false, error: new OvsdbFramingError('stream ended inside a JSON value', 'truncated') }];
  }

  private append(piece: Buffer, out: SplitResult[]): void {
    if (piece.length === 0) return;
    if (this.buffered + piece.length > this.maxValueBytes) {
      this.chunks = [];
      this.buffered = 0;
      this.discarding = true;
      out.push({
        ok: false,
        error: new OvsdbFramingError(`JSON value larger than ${this.maxValueBytes} bytes`, 'too-large'),
      });
      return;
    }
    // Copy: the caller may reuse its buffer.
    this.chunks.push(Buffer.from(piece));
    this.buffered += piece.length;
  }

  /** Returns undefined for the end of a value already reported as too large. */
  private finish(lastPiece: Buffer): SplitResult | undefined {
    const wasDiscarding = this.discarding;
    const tooLarge = !wasDiscarding && this.buffered + lastPiece.length > this.maxValueBytes;
    const whole = wasDiscarding || tooLarge ? undefined : this.chunks.length === 0 ? lastPiece : Buffer.concat([...this.chunks, lastPiece]);
    this.reset();
    if (wasDiscarding) return undefined;
    if (tooLarge || !whole) {
      return { ok: false, error: new OvsdbFramingError(`JSON value larger than ${this.maxValueBytes} bytes`, 'too-large') };
    }
    try {
      return { ok: true, value: JSON.parse(whole.toString('utf8')) };
    } catch (cause) {
      return { ok: false, error: new OvsdbFramingError(`invalid JSON: ${(cause as Error).message}`, 'syntax', { cause }) };
    }
  }

  private reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.discarding = false;
    this.closingStack = [];
  }
}

/** Encodes one value for the wire. OVSDB peers accept values back to back; we add nothing. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}
