import { describe, expect, it } from 'vitest';
import { NorthboundError, runTraceflow } from './index.ts';
import { useReplyingMembers, type Reply } from './test-member.ts';

const client = useReplyingMembers();

const request = { from: 'web1', to: 'web2', proto: 'icmp' };
const path = { delivered: true, hops: [{ node: 'hv2', component: 'port', observation: 'delivered', logical: 'web2' }] };

describe('runTraceflow', () => {
  it('posts the request, polls while it runs, and gives the observed path', async () => {
    const { m, api } = await client(
      [202, { id: 't1', state: 'running' }],
      [200, { id: 't1', state: 'running', request }],
      [200, { id: 't1', state: 'completed', request, path, passes: [], durationMs: 640 }],
    );
    await expect(runTraceflow(api, { from: 'web1', to: 'web2' }, { pollMs: 10 })).resolves.toEqual(path);
    expect(m.seen.map((s) => s.request)).toEqual(['POST /api/v1/traceflows', 'GET /api/v1/traceflows/t1', 'GET /api/v1/traceflows/t1']);
    expect(m.seen[0]!.body).toEqual({ from: 'web1', to: 'web2' });
  });

  it('throws for a refused request, a failed trace without a path, and one that does not end in time', async () => {
    const refused = await client([404, { error: 'not found', detail: 'logical port, host or IPv4 address web9 not found' }]);
    await expect(runTraceflow(refused.api, { from: 'web1', to: 'web9' })).rejects.toThrow(/404/);
    const failed = await client(
      [202, { id: 't2', state: 'running' }],
      [200, { id: 't2', state: 'failed', request, error: 'nothing answered' }],
    );
    await expect(runTraceflow(failed.api, request)).rejects.toThrow('traceflow t2 failed: nothing answered');
    const slow = await client(
      [202, { id: 't3', state: 'running' }],
      ...Array.from({ length: 20 }, (): Reply => [200, { id: 't3', state: 'running', request }]),
    );
    const error = await runTraceflow(slow.api, request, { timeoutMs: 50, pollMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NorthboundError);
    expect((error as Error).message).toBe('traceflow t3 did not end within 50 ms');
  });
});
