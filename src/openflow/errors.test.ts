import { describe, expect, it } from 'vitest';
import { errorCodeName, errorNumbers, errorSpecNames, errorTypeName, ErrorType, OpenFlowError, OpenFlowInstallError } from './errors.ts';
import { NvlabError } from '../util/errors.ts';

describe('OpenFlow error names', () => {
  it('maps numbers to the spec names and back', () => {
    expect(errorTypeName(11)).toBe('ROLE_REQUEST_FAILED');
    expect(errorCodeName(11, 0)).toBe('STALE');
    expect(errorSpecNames(4, 9)).toEqual({ type: 'OFPET_BAD_MATCH', code: 'OFPBMC_BAD_PREREQ' });
    expect(errorSpecNames(1, 10)).toEqual({ type: 'OFPET_BAD_REQUEST', code: 'OFPBRC_IS_SLAVE' });
    expect(errorSpecNames(6, 0)).toEqual({ type: 'OFPET_GROUP_MOD_FAILED', code: 'OFPGMFC_GROUP_EXISTS' });
    expect(errorNumbers('FLOW_MOD_FAILED', 'OVERLAP')).toEqual({ type: 5, code: 3 });
    expect(() => errorNumbers('BAD_MATCH', 'NOPE')).toThrow(RangeError);
  });

  it('every known (type, code) round-trips through names', () => {
    for (const [typeName, type] of Object.entries(ErrorType)) {
      if (type === 0xffff) continue;
      for (let code = 0; ; code++) {
        const name = errorCodeName(type, code);
        if (name.startsWith('UNKNOWN_CODE_')) break;
        expect(errorNumbers(typeName as keyof typeof ErrorType, name)).toEqual({ type, code });
      }
    }
  });

  it('unknown numbers get readable placeholders, not exceptions', () => {
    expect(errorTypeName(99)).toBe('UNKNOWN_TYPE_99');
    expect(errorCodeName(4, 99)).toBe('UNKNOWN_CODE_99');
    expect(errorSpecNames(99, 1)).toEqual({ type: 'OFPET_UNKNOWN_TYPE_99', code: '1' });
  });

  it('OpenFlowError is an NvlabError with a literal code and the names', () => {
    const e = new OpenFlowError({ xid: 5, errorType: 2, errorCode: 9, data: Buffer.alloc(0) });
    expect(e).toBeInstanceOf(NvlabError);
    expect(e).toMatchObject({ code: 'OPENFLOW_ERROR', xid: 5, typeName: 'BAD_ACTION', codeName: 'BAD_OUT_GROUP' });
    expect(e.message).toContain('BAD_ACTION/BAD_OUT_GROUP');
    const x = new OpenFlowError({ xid: 1, errorType: 0xffff, errorCode: 3, experimenter: 0x2320, data: Buffer.alloc(0) });
    expect(x.codeName).toBe('EXP_TYPE_3(experimenter=0x2320)');
    const install = new OpenFlowInstallError([{ index: 2, error: e }], 4);
    expect(install).toMatchObject({ code: 'OPENFLOW_INSTALL' });
    expect(install.message).toBe('1 of 4 messages rejected; first: #2 BAD_ACTION/BAD_OUT_GROUP');
  });
});
