// The traceflow routes over a stand-in store: a request is checked against the store's
// resources before it is taken, and a stored trace reads back as the API's Traceflow.
import { afterAll, describe, expect, it } from 'vitest';
import { TraceflowSchema } from '../../model/index.ts';
import type { Store, TraceflowRecord } from '../store/index.ts';
import { createApi } from './app.ts';

const traces: TraceflowRecord[] = [];
const store = {
  status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
  listPorts: () => [
    { name: 'web1', switch: 'web', mac: '02:00:00:00:00:01', ip: '10.0.1.1', node: 'hv1' },
    { name: 'web2', switch: 'web', mac: '02:00:00:00:00:02', ip: '10.0.1.2', node: 'hv2' },
  ],
  listSwitches: () => [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }],
  listRouters: () => [],
  createTraceflow: async (t: Pick<TraceflowRecord, 'id' | 'member' | 'request' | 'created'>) => {
    traces.push({ ...t, state: 'running' });
  },
  traceflows: () => traces,
} as unknown as Store;

describe('traceflow routes', () => {
  const app = createApi({ store, member: 'ctrl2' });
  afterAll(() => app.close());

  it('takes a request it can send: 202, its id, where to look', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/traceflows', payload: { from: 'web1', to: 'web2' } });
    expect(res.statusCode).toBe(202);
    const { id } = res.json() as { id: string };
    expect(res.json()).toEqual({ id, state: 'running' });
    expect(res.headers.location).toBe(`/api/v1/traceflows/${id}`);
    expect(traces.at(-1)).toMatchObject({ id, member: 'ctrl2', request: { from: 'web1', to: 'web2', proto: 'icmp' }, state: 'running' });
    const got = await app.inject({ method: 'GET', url: `/api/v1/traceflows/${id}` });
    expect(got.statusCode).toBe(200);
    expect(TraceflowSchema.parse(got.json())).toEqual({ id, state: 'running', request: { from: 'web1', to: 'web2', proto: 'icmp' } });
  });

  it('refuses names the store does not know (404) and bodies outside the contract (400), storing nothing', async () => {
    const before = traces.length;
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/traceflows', payload: { from: 'web1', to: 'web9' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'not found' });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/traceflows', payload: { from: 'web1', to: 'web2', proto: 'sctp' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid', issues: [{ path: 'proto', message: 'icmp, arp, tcp:PORT or udp:PORT' }] });
    expect(traces.length).toBe(before);
    expect((await app.inject({ method: 'GET', url: '/api/v1/traceflows/nope' })).statusCode).toBe(404);
  });

  it('gives an ended trace its path, passes, error and duration', async () => {
    const path = { delivered: false, reason: 'unreachable' as const, hops: [] };
    traces.push({
      id: 't-ended',
      member: 'ctrl1',
      request: { from: 'web1', to: 'web2', proto: 'icmp' },
      created: 1000,
      state: 'failed',
      injected: 1100,
      result: { path, passes: [], error: 'no answer within 8000 ms from ctrl3 (hv2)' },
      finished: 9000,
    });
    const got = await app.inject({ method: 'GET', url: '/api/v1/traceflows/t-ended' });
    expect(got.json()).toEqual({
      id: 't-ended',
      state: 'failed',
      request: { from: 'web1', to: 'web2', proto: 'icmp' },
      path,
      passes: [],
      error: 'no answer within 8000 ms from ctrl3 (hv2)',
      durationMs: 8000,
    });
  });
});
