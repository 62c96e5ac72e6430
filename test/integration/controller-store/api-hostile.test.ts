// The northbound API under random hostile requests over a real 3-member NvStore cluster: what
// reaches the store (junk names in deletes and updates, writes that clash) is answered as
// deliberately as what the API refuses itself, with the lab's token; without it, every request is
// 401 and reaches nothing. The same properties over an in-memory store, with more runs, are in
// src/controller/api/hostile-input.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerProblem, hostileRequest, refusalProblem } from '../../fixtures/api/hostile-requests.ts';
import { useApiCluster, waitUntil } from './support.ts';

describe('northbound API under hostile requests, over a 3-member NvStore cluster', () => {
  const { api0, http1, audit } = useApiCluster();

  it('answers a delete naming what the store cannot hold (a NUL) with 404, and the member keeps its store connection', async () => {
    for (const url of ['/api/v1/logical-switches/%00', '/api/v1/logical-ports/a%00b', '/api/v1/mac-bindings/%00/10.0.1.1']) {
      const res = await api0.inject({ method: 'DELETE', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error).toBe('not found');
    }
    const started = Date.now();
    const created = await api0.inject({ method: 'POST', url: '/api/v1/logical-switches', payload: { name: 'nul', vni: 7001 } });
    expect(created.statusCode).toBe(201);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('never answers a 500, and every 4xx with a JSON error body', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (req) => {
        const res = await api0.inject(req);
        const problem = answerProblem(req, res.statusCode, res.headers['content-type'] as string | undefined, res.body);
        expect(problem, `${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 200) ?? ''}`).toBeUndefined();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
    // The cluster still serves, through another member.
    expect((await http1('/api/v1/status')).status).toBe(200);
  });

  it('answers every request without the token 401 (never a 500), and writes nothing to the store', async () => {
    const before = (await http1('/api/v1/logical-switches')).body;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (req) => {
        const res = await api0.anonymous(req);
        if (res.statusCode === 401) refusals++;
        const problem = refusalProblem(req, res.statusCode, res.headers, res.body);
        expect(problem, `${req.method} ${req.url.slice(0, 200)}`).toBeUndefined();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
    expect((await http1('/api/v1/logical-switches')).body).toEqual(before);
    // Each refusal is in the member's audit log, by no one.
    const refused = async () => (await audit('ctrl1')).filter((e) => e.status === 401);
    await waitUntil(async () => (await refused()).length === refusals, 5000, 'every refusal in the audit log');
    expect((await refused()).every((e) => e.who.holder === 'anonymous' && e.refused === 'no token')).toBe(true);
  });
});
