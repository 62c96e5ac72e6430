import { describe, expect, it } from 'vitest';
import { failureText } from './api.ts';

describe('failureText', () => {
  it('names a cluster without quorum, and gives other failures as the member said them', () => {
    const failed = (status: number, error: string, detail: string) => ({ ok: false as const, status, error, detail, stale: false });
    expect(failureText(failed(503, 'no quorum', 'ctrl1: the store member has no quorum'))).toBe(
      'controller cluster has no quorum: a majority of its members is lost or cut off (ctrl1: the store member has no quorum)',
    );
    expect(failureText(failed(404, 'not found', 'no port web9'))).toBe('404 not found: no port web9');
    expect(failureText(failed(0, 'no answer', 'no answer within 5 s'))).toBe('no answer (no answer within 5 s)');
  });
});
