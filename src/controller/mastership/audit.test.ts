import { describe, expect, test, vi } from 'vitest';
import type { ControllerRole } from '../../openflow/index.ts';
import { auditRoles, type Audited } from './audit.ts';

const sw = (role: ControllerRole | Error, onAsk?: () => void) => ({
  role: vi.fn(async () => {
    onAsk?.();
    if (role instanceof Error) throw role;
    return { role };
  }),
});

describe('auditRoles', () => {
  test('asks every mastered switch its role (nochange), and reports those that demoted this member', async () => {
    const masters = new Map<string, Audited>([
      ['hv1', { sw: sw('master'), verifyAt: Infinity }],
      ['hv2', { sw: sw('slave'), verifyAt: Infinity }],
      ['hv3', { sw: sw('equal'), verifyAt: Infinity }],
    ]);
    const demoted: string[] = [];
    await auditRoles(masters, { verify: () => {}, demoted: (node) => demoted.push(node) });
    expect(demoted).toEqual(['hv2', 'hv3']);
    for (const m of masters.values()) expect(m.sw.role).toHaveBeenCalledWith('nochange', 0n);
  });

  test('a node taken again meanwhile (another entry) is not reported; a switch that fails to answer is left to its disconnect', async () => {
    const masters = new Map<string, Audited>();
    masters.set('hv1', { sw: sw('slave', () => masters.set('hv1', { sw: sw('master'), verifyAt: Infinity })), verifyAt: Infinity });
    masters.set('hv2', { sw: sw(new Error('timeout')), verifyAt: Infinity });
    const demoted = vi.fn();
    await auditRoles(masters, { verify: () => {}, demoted });
    expect(demoted).not.toHaveBeenCalled();
  });

  test('a node due for a read of its switch is verified before its switch is asked', async () => {
    const order: string[] = [];
    const masters = new Map<string, Audited>([
      ['hv1', { sw: sw('master', () => order.push('ask hv1')), verifyAt: Date.now() - 1 }],
      ['hv2', { sw: sw('master', () => order.push('ask hv2')), verifyAt: Date.now() + 60_000 }],
    ]);
    await auditRoles(masters, { verify: (node) => order.push(`verify ${node}`), demoted: () => {} });
    expect(order).toEqual(['verify hv1', 'ask hv1', 'ask hv2']);
  });
});
