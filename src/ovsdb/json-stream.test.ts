import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OvsdbFramingError } from './errors.ts';
import { JsonSplitter, type SplitResult } from './json-stream.ts';

const values = (rs: SplitResult[]) => rs.map((r) => (r.ok ? r.value : r.error));

// Real-looking OVSDB traffic, with the awkward bits: braces and quotes inside strings,
// escapes, multi-byte UTF-8, nested sets and maps, whitespace between values.
const SAMPLES: unknown[] = [
  { method: 'echo', params: [], id: 'echo' },
  { id: 7, result: [{ uuid: ['uuid', '6f2c3b4a-1111-4222-8333-944445555666'] }], error: null },
  { method: 'update2', params: ['m1', { Bridge: { u: { modify: { external_ids: ['map', [['k}', 'v{"']]] } } } }], id: null },
  { s: 'quote \\" backslash \\\\ brace } bracket ] unicode é 漢字 🚀', t: '\\' },
  [1, [2, [3, { a: [] }]], 'x]'],
];

describe('JsonSplitter', () => {
  it('splits every sample at every byte boundary', () => {
    for (const sample of SAMPLES) {
      const bytes = Buffer.from(JSON.stringify(sample));
      for (let cut = 0; cut <= bytes.length; cut++) {
        const s = new JsonSplitter();
        const out = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))];
        expect(values(out)).toEqual([sample]);
        expect(s.pending).toBe(false);
      }
    }
  });

  it('splits a stream of back-to-back values at every pair of boundaries', () => {
    const stream = Buffer.from(SAMPLES.map((x) => JSON.stringify(x)).join(' \n'));
    for (let a = 0; a <= stream.length; a += 3) {
      for (let b = a; b <= stream.length; b += 5) {
        const s = new JsonSplitter();
        const out = [...s.push(stream.subarray(0, a)), ...s.push(stream.subarray(a, b)), ...s.push(stream.subarray(b))];
        expect(values(out)).toEqual(SAMPLES);
      }
    }
  });

  it('feeds one byte at a time', () => {
    const stream = Buffer.from(SAMPLES.map((x) => JSON.stringify(x)).join(''));
    const s = new JsonSplitter();
    const out: SplitResult[] = [];
    for (const b of stream) out.push(...s.push(Buffer.from([b])));
    expect(values(out)).toEqual(SAMPLES);
  });

  it('reports stray bytes once per run and resynchronises', () => {
    const s = new JsonSplitter();
    const out = s.push('garbage{"a":1}  42 [2]');
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ ok: false, error: { code: 'OVSDB_FRAMING', reason: 'unexpected-byte' } });
    expect(out[1]).toEqual({ ok: true, value: { a: 1 } });
    expect(out[2]).toMatchObject({ ok: false, error: { reason: 'unexpected-byte' } });
    expect(out[3]).toEqual({ ok: true, value: [2] });
  });

  it('reports invalid JSON inside balanced brackets as a syntax error', () => {
    const s = new JsonSplitter();
    const out = s.push('{a:1}{"b":2}');
    expect(out[0]).toMatchObject({ ok: false, error: { reason: 'syntax' } });
    expect(out[1]).toEqual({ ok: true, value: { b: 2 } });
  });

  it('reports mismatched brackets', () => {
    const out = new JsonSplitter().push('{"a":[1}');
    expect(out[0]).toMatchObject({ ok: false, error: { reason: 'syntax' } });
  });

  it('bounds the buffer: an oversized value is dropped with one error, the next value parses', () => {
    const s = new JsonSplitter({ maxValueBytes: 64 });
    const big = JSON.stringify({ x: 'y'.repeat(500) });
    const out: SplitResult[] = [];
    for (let i = 0; i < big.length; i += 10) out.push(...s.push(big.slice(i, i + 10)));
    out.push(...s.push('{"ok":true}'));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ ok: false, error: { reason: 'too-large' } });
    expect(out[1]).toEqual({ ok: true, value: { ok: true } });
  });

  it('reports a value cut off by end of stream', () => {
    const s = new JsonSplitter();
    expect(s.push('{"a": "b')).toEqual([]);
    expect(s.pending).toBe(true);
    expect(s.end()[0]).toMatchObject({ ok: false, error: { reason: 'truncated' } });
    expect(s.end()).toEqual([]);
  });

  describe('properties', () => {
    const jsonValue = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()));

    it('any JSON objects/arrays, chunked anywhere, come back identical', () => {
      fc.assert(
        fc.property(fc.array(jsonValue, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (vals, cuts) => {
          const bytes = Buffer.from(vals.map((v) => JSON.stringify(v)).join('\n'));
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const s = new JsonSplitter();
          const out: SplitResult[] = [];
          let prev = 0;
          for (const p of [...points, bytes.length]) {
            out.push(...s.push(bytes.subarray(prev, p)));
            prev = p;
          }
          // JSON round trip normalises -0 and the like, as the wire does.
          expect(values(out)).toEqual(vals.map((v) => JSON.parse(JSON.stringify(v))));
        }),
      );
    });

    it('random bytes never throw, never hang, and only yield values or typed framing errors', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
          const s = new JsonSplitter({ maxValueBytes: 128 });
          const out: SplitResult[] = [];
          for (const c of chunks) out.push(...s.push(c));
          out.push(...s.end());
          for (const r of out) if (!r.ok) expect(r.error).toBeInstanceOf(OvsdbFramingError);
          expect(s.pending).toBe(false);
        }),
        { numRuns: 2000 },
      );
    });

    it('random JSON-ish text never throws and always ends idle after end()', () => {
      const token = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', ' ', 'a', '1', 'null', '"x"', '\\"', 'é');
      fc.assert(
        fc.property(fc.array(fc.array(token, { maxLength: 30 }), { maxLength: 6 }), (chunks) => {
          const s = new JsonSplitter();
          const out: SplitResult[] = [];
          for (const c of chunks) out.push(...s.push(c.join('')));
          out.push(...s.end());
          for (const r of out) if (!r.ok) expect(r.error.code).toBe('OVSDB_FRAMING');
          expect(s.pending).toBe(false);
        }),
        { numRuns: 2000 },
      );
    });

    it('a truncated valid message yields nothing until end(), then a truncated error', () => {
      fc.assert(
        fc.property(jsonValue, fc.nat(), (v, n) => {
          const text = Buffer.from(JSON.stringify(v));
          const cut = 1 + (n % Math.max(1, text.length - 1));
          fc.pre(cut < text.length);
          const s = new JsonSplitter();
          expect(s.push(text.subarray(0, cut))).toEqual([]);
          const end = s.end();
          expect(end).toHaveLength(1);
          expect(end[0]).toMatchObject({ ok: false, error: { code: 'OVSDB_FRAMING', reason: 'truncated' } });
        }),
      );
    });
  });
});
