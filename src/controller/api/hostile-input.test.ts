// The northbound API under random hostile requests (fast-check): any method, path, body and
// content type gets a deliberate answer, never a 500, and every 4xx a JSON error body, with the
// lab's token; without it, every request but those for the open paths is 401, never more. The store
// is an in-memory stand-in that keeps what is written, so valid bodies reach the store side of
// the routes; the same property over a real NvStore cluster is in
// test/integration/controller-store/api-hostile.test.ts.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { answerProblem, hostileRequest, refusalProblem, withToken } from '../../../test/fixtures/api/hostile-requests.ts';
import { memoryStore } from '../../../test/fixtures/api/memory-store.ts';
import { createApi } from './app.ts';

const TOKEN = 'hostile-input-test-token';

describe('northbound API under hostile requests', () => {
  const app = createApi({ store: memoryStore(), member: 'ctrl1', token: TOKEN });
  afterAll(() => app.close());

  it('answers every random request deliberately: never a 500, a JSON error body for every 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const req = withToken(request, TOKEN);
        const res = await app.inject(req);
        const problem = answerProblem(req, res.statusCode, res.headers['content-type'] as string | undefined, res.body);
        expect(problem, `${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 200) ?? ''}`).toBeUndefined();
        // No body, however it is keyed, reaches every object's prototype.
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  }, 30_000);

  it('answers every random request without the token 401 (never a 500), but for the open paths', async () => {
    const wrong = fc.constantFrom(undefined, 'Bearer', 'Bearer x', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `bearer  ${TOKEN.slice(1)}`);
    await fc.assert(
      fc.asyncProperty(hostileRequest, wrong, async (request, authorization) => {
        const req = authorization === undefined ? request : { ...request, headers: { ...request.headers, authorization } };
        const res = await app.inject(req);
        const problem = refusalProblem(req, res.statusCode, res.headers, res.body);
        expect(problem, `${req.method} ${req.url.slice(0, 200)} ${authorization ?? ''}`).toBeUndefined();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  }, 30_000);
});
