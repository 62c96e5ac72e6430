// Encode → decode identity for every message type, and robustness of decoding random bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessage, messageArbs } from '../../test/fixtures/openflow/arbitraries.ts';
import { OpenFlowDecodeError } from './errors.ts';
import { decodeFrame, OpenFlowParser } from './parser.ts';
import { serialize, serializeMany } from './serializer.ts';

describe('encode → decode identity', () => {
  for (const [type, arb] of Object.entries(messageArbs)) {
    it(`${type}`, () => {
      fc.assert(
        fc.property(arb, (msg) => {
          const bytes = serialize(msg);
          expect(bytes.readUInt16BE(2)).toBe(bytes.length);
          expect(
            bytes.length % 8 === 0 ||
              [
                'hello',
                'error',
                'echo_request',
                'echo_reply',
                'experimenter',
                'packet_in',
                'packet_out',
                'raw',
                'multipart_request',
                'multipart_reply',
                'set_config',
                'get_config_reply',
              ].includes(type),
          ).toBe(true);
          const result = decodeFrame(bytes);
          if (!result.ok) throw result.error;
          expect(result.message).toEqual(msg);
          // And the decoded value serializes to the very same bytes.
          expect(serialize(result.message).equals(bytes)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('every message type parses when split at start, middle and end', () => {
    for (const [type, arb] of Object.entries(messageArbs)) {
      fc.assert(
        fc.property(arb, (msg) => {
          const bytes = serialize(msg);
          for (const cut of [1, Math.floor(bytes.length / 2), bytes.length - 1]) {
            const parser = new OpenFlowParser();
            const out = [...parser.feedAll(bytes.subarray(0, cut)), ...parser.feedAll(bytes.subarray(cut))];
            expect(out, `${type} cut at ${cut}`).toEqual([{ ok: true, message: msg }]);
          }
        }),
        { numRuns: 50 },
      );
    }
  });

  it('a stream of messages cut into random chunks gives the same messages', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cuts) => {
        const bytes = serializeMany(msgs);
        const points = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
        const parser = new OpenFlowParser();
        const out = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          out.push(...parser.feedAll(bytes.subarray(prev, p)));
          prev = p;
        }
        expect(out.map((r) => (r.ok ? r.message : r.error))).toEqual(msgs);
      }),
      { numRuns: 300 },
    );
  });

  it('a batch serialized at once parses back to the same messages in order', () => {
    fc.assert(
      fc.property(fc.array(anyMessage, { maxLength: 12 }), (msgs) => {
        const parser = new OpenFlowParser();
        const out = parser.feedAll(serializeMany(msgs));
        expect(out.map((r) => (r.ok ? r.message : r.error))).toEqual(msgs);
        expect(parser.buffered).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('decoding hostile bytes', () => {
  it('random byte streams never throw and every failure is an OpenFlowDecodeError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
        const parser = new OpenFlowParser();
        let total = 0;
        for (const c of chunks) {
          total += c.length;
          for (const r of parser.feedAll(Buffer.from(c))) {
            if (!r.ok) expect(r.error).toBeInstanceOf(OpenFlowDecodeError);
          }
        }
        // Nothing is held back beyond what could be the start of one frame.
        expect(parser.buffered).toBeLessThanOrEqual(Math.min(total, 0xffff));
      }),
      { numRuns: 500 },
    );
  });

  it('random bodies behind a valid header decode or fail with a typed error, for every type', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 200 }), (type, body) => {
        const frame = Buffer.concat([Buffer.from([4, type, 0, 0, 0, 0, 0, 9]), Buffer.from(body)]);
        frame.writeUInt16BE(frame.length, 2);
        const r = decodeFrame(frame);
        if (!r.ok) {
          expect(r.error).toBeInstanceOf(OpenFlowDecodeError);
          expect(r.error.code).toBe('OPENFLOW_DECODE');
          expect(r.error.xid).toBe(9);
          expect(r.error.msgType).toBe(type);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every valid message truncated anywhere (length field fixed up) comes back as a typed error or a message', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), (msg, cut) => {
        const bytes = serialize(msg);
        const at = 8 + (cut % Math.max(1, bytes.length - 8));
        const truncated = Buffer.from(bytes.subarray(0, at));
        truncated.writeUInt16BE(truncated.length, 2);
        const r = decodeFrame(truncated);
        if (!r.ok) expect(r.error).toBeInstanceOf(OpenFlowDecodeError);
      }),
      { numRuns: 1000 },
    );
  });

  it('a truncated stream holds the partial frame and emits nothing, then completes when the rest arrives', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), (msg, cut) => {
        const bytes = serialize(msg);
        const at = cut % bytes.length;
        const parser = new OpenFlowParser();
        expect(parser.feedAll(bytes.subarray(0, at))).toEqual([]);
        expect(parser.buffered).toBe(at);
        const out = parser.feedAll(bytes.subarray(at));
        expect(out).toHaveLength(1);
        expect(out[0]!.ok && out[0]!.message).toEqual(msg);
      }),
      { numRuns: 500 },
    );
  });

  it('a header with length < 8 is a fatal framing error and the parser recovers for the next stream', () => {
    const parser = new OpenFlowParser();
    const out = parser.feedAll(Buffer.from('0402000400000007ffff', 'hex'));
    expect(out).toHaveLength(1);
    expect(out[0]!.ok).toBe(false);
    if (!out[0]!.ok) {
      expect(out[0]!.error.fatal).toBe(true);
      expect(out[0]!.error.xid).toBe(7);
    }
    expect(parser.buffered).toBe(0);
    const next = parser.feedAll(serialize({ type: 'barrier_reply', xid: 3 }));
    expect(next[0]!.ok && next[0]!.message).toEqual({ type: 'barrier_reply', xid: 3 });
  });

  it('a non-1.3 version is a typed, non-fatal error and the following message still decodes', () => {
    const parser = new OpenFlowParser();
    const bad = Buffer.from('0102000800000005', 'hex');
    const out = parser.feedAll(Buffer.concat([bad, serialize({ type: 'echo_reply', xid: 6, data: Buffer.alloc(0) })]));
    expect(out[0]!.ok).toBe(false);
    if (!out[0]!.ok) expect(out[0]!.error.fatal).toBe(false);
    expect(out[1]!.ok && out[1]!.message.xid).toBe(6);
  });
});
