import { describe, expect, it } from 'vitest';
import { ctState, formatCtState } from './ct-state.ts';
import { OpenFlowEncodeError } from './errors.ts';

describe('ct_state words', () => {
  it('+flag and -flag set and clear the bits named, masked', () => {
    expect(ctState('+trk+est')).toEqual({ field: 'ct_state', value: 0x22, mask: 0x22 });
    expect(ctState('+trk-new-inv')).toEqual({ field: 'ct_state', value: 0x20, mask: 0x31 });
    expect(ctState('-trk')).toEqual({ field: 'ct_state', value: 0, mask: 0x20 });
  });

  it('refuses unknown flags, a flag twice, and anything not a +/- list', () => {
    for (const bad of ['', 'trk', '+trk+bogus', '+trk-trk', '+trk,+est', '+trk ']) {
      expect(() => ctState(bad), bad).toThrow(OpenFlowEncodeError);
    }
  });

  it('prints in OVS order, masked as +/-, exact as a | list, unknown bits in hex', () => {
    expect(formatCtState(0x22, 0x23)).toBe('-new+est+trk');
    expect(formatCtState(0x21)).toBe('new|trk');
    expect(formatCtState(0x21, 0xff)).toBe('new|trk');
    expect(formatCtState(0)).toBe('0');
    expect(formatCtState(0x100, 0x100)).toBe('0x100/0x100');
    for (const spec of ['+new+trk', '-new+est+trk', '+rpl+inv-snat+dnat']) {
      const m = ctState(spec);
      if (m.field !== 'ct_state') throw new Error('not ct_state');
      expect(ctState(formatCtState(m.value, m.mask))).toEqual(m);
    }
  });
});
