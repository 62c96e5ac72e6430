import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Match } from '../../openflow/index.ts';
import { matchKey } from './normalize.ts';

const hex = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const mac = fc.tuple(fc.array(hex(2), { minLength: 6, maxLength: 6 }), fc.constantFrom(':', '-')).map(([parts, sep]) => parts.join(sep));

describe('matchKey', () => {
  // An exact value takes a fast path; with an explicit all-ones mask the same field takes the
  // general one (the mask is then dropped). Both must write the same text, or reconciliation
  // would see flows read back from the switch as different from the ones computed.
  test('an exact value gives the text of the same value with an all-ones mask', () => {
    const field = fc.oneof(
      mac.map((v) => ({ field: 'eth_dst', value: v, all: 'ff:ff:ff:ff:ff:ff' })),
      fc.nat({ max: 0xffffffff }).map((v) => ({ field: 'in_port', value: v, all: 0xffffffff })),
      fc.nat({ max: 0xffffffff }).map((v) => ({ field: 'reg6', value: v, all: 0xffffffff })),
      fc.nat({ max: 0x1fff }).map((v) => ({ field: 'vlan_vid', value: v, all: 0xffff })),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => ({ field: 'metadata', value: v, all: (1n << 64n) - 1n })),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => ({ field: 'tunnel_id', value: v, all: (1n << 64n) - 1n })),
    );
    fc.assert(
      fc.property(field, ({ field: name, value, all }) => {
        const exact = [{ field: name, value }] as Match;
        const masked = [{ field: name, value, mask: all }] as Match;
        expect(matchKey(exact)).toBe(matchKey(masked));
      }),
    );
  });

  test('a value too wide for its field is cut to the field, as the switch reports it', () => {
    expect(matchKey([{ field: 'vlan_vid', value: 0x11001 }] as Match)).toBe(matchKey([{ field: 'vlan_vid', value: 0x1001 }] as Match));
  });
});
