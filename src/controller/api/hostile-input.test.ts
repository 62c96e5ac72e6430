// The northbound API under random hostile requests (fast-check): any method, path, body and
// content type gets a deliberate answer, never a 500, and every 4xx a JSON error body. The store
// is an in-memory stand-in that keeps what is written, so valid bodies reach the store side of
// the routes; the same property over a real NvStore cluster is in
// test/integration/controller-store/api-hostile.test.ts.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { answerProblem, hostileRequest } from '../../../test/fixtures/api/hostile-requests.ts';
import { RESOURCES, type ResourceName } from '../../model/index.ts';
import { ConflictError, NotFoundError, type Store } from '../store/index.ts';
import { createApi } from './app.ts';

/** Keeps objects by name per resource; answers a clash or a missing name as the real store does. */
function memoryStore(): Store {
  const tables = new Map<string, Map<string, { name: string }>>();
  const table = (name: string) => tables.get(name) ?? tables.set(name, new Map()).get(name)!;
  const resource = (name: ResourceName) => {
    const t = table(name);
    const kind = RESOURCES[name].kind;
    const get = (key: string) =>
      t.get(key) ??
      (() => {
        throw new NotFoundError(kind, key);
      })();
    return {
      list: () => [...t.values()],
      get,
      create: async (obj: { name: string }) => {
        if (t.has(obj.name)) throw new ConflictError(`${kind} "${obj.name}" already exists`);
        t.set(obj.name, obj);
        return obj;
      },
      update: async (key: string, obj: { name?: string }) => {
        get(key);
        const stored = { ...obj, name: key };
        t.set(key, stored);
        return stored;
      },
      delete: async (key: string) => {
        get(key);
        t.delete(key);
      },
    };
  };
  return {
    status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
    members: () => [],
    masterships: () => [],
    resource,
    listPorts: () => resource('logicalPorts').list(),
    listSwitches: () => resource('logicalSwitches').list(),
    listRouters: () => resource('logicalRouters').list(),
    listNodes: () => resource('transportNodes').list(),
    macBindings: () => [],
    forgetMacBinding: async (sw: string, ip: string) => {
      throw new NotFoundError('MAC binding', `${sw} ${ip}`);
    },
    traceflows: () => [],
    createTraceflow: async () => {},
  } as unknown as Store;
}

describe('northbound API under hostile requests', () => {
  const app = createApi({ store: memoryStore(), member: 'ctrl1' });
  afterAll(() => app.close());

  it('answers every random request deliberately: never a 500, a JSON error body for every 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (req) => {
        const res = await app.inject(req);
        const problem = answerProblem(req, res.statusCode, res.headers['content-type'] as string | undefined, res.body);
        expect(problem, `${req.method} ${req.url.slice(0, 200)} ${req.payload?.slice(0, 200) ?? ''}`).toBeUndefined();
        // No body, however it is keyed, reaches every object's prototype.
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
  }, 30_000);
});
