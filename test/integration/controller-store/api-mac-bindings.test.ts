// Learned MAC bindings through the northbound API over a real 3-member NvStore cluster: learned
// through the store on member 2 (as its packet-in handler does), listed through member 0's and
// member 1's APIs, forgotten through one of them; the API creates none.
import { describe, expect, it } from 'vitest';
import { useApiCluster, waitUntil } from './support.ts';

describe('northbound API over a 3-member NvStore cluster: learned MAC bindings', () => {
  const { post, http1, stores, api0 } = useApiCluster();

  it('lists the bindings the members learned, sorted, and forgets one through another member', async () => {
    expect((await post('/api/v1/logical-switches', { name: 'db', vni: 5020, subnet: '192.168.20.0/24' })).statusCode).toBe(201);
    expect((await post('/api/v1/logical-switches', { name: 'app', vni: 5101, subnet: '10.1.0.0/24' })).statusCode).toBe(201);
    expect((await api0.inject({ method: 'GET', url: '/api/v1/mac-bindings' })).json()).toEqual({ items: [] });
    const learned = [
      { switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' },
      { switch: 'db', ip: '192.168.20.60', mac: '0a:00:00:00:14:3c' },
      { switch: 'app', ip: '10.1.0.254', mac: '0a:00:00:00:0a:fe' },
    ];
    await waitUntil(() => stores[2]!.state().switches.length === 2, 10_000, 'the switches on member 2');
    for (const b of learned) expect(await stores[2]!.learnMacBinding(b)).toBe('added');
    const sorted = [learned[2], learned[1], learned[0]];
    await waitUntil(async () => (await http1('/api/v1/mac-bindings')).body.items.length === 3, 10_000, 'the bindings on member 1');
    expect((await http1('/api/v1/mac-bindings')).body).toEqual({ items: sorted });
    await waitUntil(() => stores[0]!.macBindings().length === 3, 10_000, 'the bindings on member 0');
    expect((await api0.inject({ method: 'GET', url: '/api/v1/mac-bindings' })).json()).toEqual({ items: sorted });

    const gone = await http1('/api/v1/mac-bindings/db/192.168.20.60', { method: 'DELETE' });
    expect(gone.status).toBe(204);
    // Read-your-writes on the member that answered.
    expect((await http1('/api/v1/mac-bindings')).body).toEqual({ items: [learned[2], learned[0]] });
    await waitUntil(() => stores[0]!.macBindings().length === 2, 10_000, 'the binding gone on member 0');
    const again = await api0.inject({ method: 'DELETE', url: '/api/v1/mac-bindings/db/192.168.20.60' });
    expect({ status: again.statusCode, body: again.json() }).toEqual({
      status: 404,
      body: { error: 'not found', detail: 'MAC binding "db/192.168.20.60" not found' },
    });
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/mac-bindings/nope/10.1.0.254' })).statusCode).toBe(404);
    await waitUntil(() => stores[2]!.macBindings().length === 2, 10_000, 'the binding gone on member 2');
    expect(await stores[2]!.learnMacBinding(learned[1]!)).toBe('added');
  });

  it('creates no binding: there is no POST, and the list stays as learned', async () => {
    const res = await post('/api/v1/mac-bindings', { switch: 'db', ip: '192.168.20.7', mac: '0a:00:00:00:14:07' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found', detail: 'no route POST /api/v1/mac-bindings' });
    // The binding learned again on member 2 at the end of the test before reaches member 0's replica.
    await waitUntil(() => stores[0]!.macBindings().length === 3, 10_000, 'the binding learned again on member 0');
    expect((await api0.inject({ method: 'GET', url: '/api/v1/mac-bindings' })).json().items.map((b: { ip: string }) => b.ip)).toEqual([
      '10.1.0.254',
      '192.168.20.60',
      '192.168.20.254',
    ]);
  });

  it('deletes a switch with its bindings', async () => {
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-switches/db' })).statusCode).toBe(204);
    expect((await api0.inject({ method: 'GET', url: '/api/v1/mac-bindings' })).json()).toEqual({
      items: [{ switch: 'app', ip: '10.1.0.254', mac: '0a:00:00:00:0a:fe' }],
    });
  });
});
