import { describe, expect, test } from 'vitest';
import type { Runtime } from '../runtime/runtime.ts';
import { resolveExecTarget } from './exec-target.ts';

/** A lab of `n` hypervisors, the VM `vm` on hvAt; counts the probes and how many ran at once. */
function lab(n: number, at: number) {
  const stats = { probes: 0, inFlight: 0, most: 0 };
  const hypervisors = Array.from({ length: n }, (_, i) => ({
    name: `nvlab-big-hv${i + 1}`,
    labels: { 'nvlab.lab': 'big', 'nvlab.role': 'hypervisor' },
    state: 'running',
    addresses: {},
  }));
  const runtime = {
    listContainers: async (labels: Record<string, string>) => (labels['nvlab.role'] === 'hypervisor' ? hypervisors : []),
    exec: async (name: string) => {
      stats.probes++;
      stats.inFlight++;
      stats.most = Math.max(stats.most, stats.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      stats.inFlight--;
      return { exitCode: name === `nvlab-big-hv${at}` ? 0 : 1, stdout: '', stderr: '' };
    },
  } as unknown as Runtime;
  return { runtime, stats };
}

describe('exec into a VM', () => {
  test('finds the hypervisor holding its namespace, asking a few at a time and stopping once found', async () => {
    const { runtime, stats } = lab(200, 20);
    const target = await resolveExecTarget(runtime, 'vm', 'big');
    expect(target.container).toBe('nvlab-big-hv20');
    expect(target.wrap(['ping', 'x'])).toEqual(['ip', 'netns', 'exec', 'vm', 'ping', 'x']);
    expect(stats.most).toBeLessThanOrEqual(16);
    expect(stats.probes).toBeLessThan(40);
  });

  test('a name no node or VM has is named in the error', async () => {
    const { runtime } = lab(5, 99);
    await expect(resolveExecTarget(runtime, 'nope', 'big')).rejects.toThrow(/lab big has no node or port named nope/);
  });
});
