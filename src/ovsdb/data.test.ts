import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamedUuid, Uuid, atomKey, decodeValue, encodeValue, mapGet, namedUuid, uuid, valueEquals, type Atom, type Value } from './data.ts';
import { OvsdbDataError } from './errors.ts';
import { applyDiff } from './replica.ts';
import { expectOnlyThrows } from './test-helpers.ts';

const U1 = '550e8400-e29b-41d4-a716-446655440000';

const atom: fc.Arbitrary<Atom> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.boolean(),
  fc.string(),
  fc.uuid().map((u) => new Uuid(u)),
  fc.stringMatching(/^[_a-zA-Z][_a-zA-Z0-9]{0,10}$/).map((n) => new NamedUuid(n)),
);
const set = fc.uniqueArray(atom, { selector: atomKey, maxLength: 8 });
const map = fc.uniqueArray(fc.tuple(atom, atom), { selector: ([k]) => atomKey(k), maxLength: 8 }).map((pairs) => new Map(pairs));

describe('OVSDB data conversions', () => {
  it('decodes every wire form', () => {
    expect(decodeValue(5)).toBe(5);
    expect(decodeValue('x')).toBe('x');
    expect(decodeValue(true)).toBe(true);
    expect(decodeValue(['uuid', U1])).toEqual(uuid(U1));
    expect(decodeValue(['named-uuid', 'row1'])).toEqual(namedUuid('row1'));
    expect(decodeValue(['set', []])).toEqual([]);
    expect(decodeValue(['set', [1, ['uuid', U1]]])).toEqual([1, uuid(U1)]);
    expect(
      decodeValue([
        'map',
        [
          ['k', 'v'],
          [1, ['uuid', U1]],
        ],
      ]),
    ).toEqual(
      new Map<Atom, Atom>([
        ['k', 'v'],
        [1, uuid(U1)],
      ]),
    );
  });

  it('encodes arrays as sets, Maps as maps, uuids tagged', () => {
    expect(encodeValue([])).toEqual(['set', []]);
    expect(encodeValue(['a', uuid(U1)])).toEqual(['set', ['a', ['uuid', U1]]]);
    expect(encodeValue(new Map([['remote_ip', '10.0.0.1']]))).toEqual(['map', [['remote_ip', '10.0.0.1']]]);
    expect(encodeValue(namedUuid('p'))).toEqual(['named-uuid', 'p']);
    expect(encodeValue(7)).toBe(7);
  });

  it('rejects malformed data with OvsdbDataError', () => {
    for (const bad of [
      null,
      {},
      ['uuid', 'nope'],
      ['named-uuid', '1abc'],
      ['set', 3],
      ['map', [[1]]],
      ['set', [[1, 2, 3]]],
      ['x', 'y'],
      [1, 2],
    ]) {
      expect(() => decodeValue(bad)).toThrow(OvsdbDataError);
    }
    expect(() => encodeValue(Number.NaN)).toThrow(OvsdbDataError);
  });

  it('compares sets as sets and maps by entries, uuids by value', () => {
    expect(valueEquals([1, 2], [2, 1])).toBe(true);
    expect(valueEquals([1, 2], [1, 3])).toBe(false);
    expect(valueEquals(uuid(U1), uuid(U1.toUpperCase()))).toBe(true);
    expect(valueEquals(new Map([['a', 1]]), new Map([['a', 1]]))).toBe(true);
    expect(valueEquals(new Map([['a', 1]]), new Map([['a', 2]]))).toBe(false);
    expect(valueEquals('1', 1)).toBe(false);
    expect(mapGet(new Map<Atom, Atom>([[uuid(U1), 'x']]), uuid(U1))).toBe('x');
  });

  it('decode(encode(v)) is v for atoms, sets and maps', () => {
    fc.assert(
      fc.property(fc.oneof(atom, set, map), (v: Value) => {
        const wire = JSON.parse(JSON.stringify(encodeValue(v)));
        expect(valueEquals(decodeValue(wire), v)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('decoding arbitrary JSON either succeeds or throws OvsdbDataError', () => {
    expectOnlyThrows(fc.jsonValue(), decodeValue, OvsdbDataError, 1000);
  });

  it('applies update2 diffs: sets toggle members, maps add/replace/remove keys', () => {
    expect(applyDiff('set', [1, 2], [2, 3])).toEqual([1, 3]);
    expect(applyDiff('set', [5], [5, 7])).toEqual([7]); // optional column 5 -> 7
    expect(applyDiff('scalar', 'a', 'b')).toBe('b');
    const m = applyDiff(
      'map',
      new Map([
        ['a', '1'],
        ['b', '2'],
      ]),
      new Map([
        ['a', '1'],
        ['b', '3'],
        ['c', '4'],
      ]),
    );
    expect(m).toEqual(
      new Map([
        ['b', '3'],
        ['c', '4'],
      ]),
    );
  });
});
