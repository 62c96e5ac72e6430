import { describe, expect, it } from 'vitest';
import type { BatchRequestItem } from '../model/index.ts';
import { batchEnd } from './batch.ts';
import { northbound } from './index.ts';
import { useMembers, type Reply, type TestMember } from './test-member.ts';

const member = useMembers();

/** Answers each batch as the API would: every create 201 with its body. */
const created = (_request: string, body: unknown): Reply => [
  200,
  { results: (body as { requests: BatchRequestItem[] }).requests.map((r) => ({ status: 201, body: r.body })) },
];
const switches = (n: number): BatchRequestItem[] =>
  Array.from({ length: n }, (_, i) => ({ method: 'POST', path: '/api/v1/logical-switches', body: { name: `s${i}`, vni: i + 1 } }));
const sizesOf = (m: TestMember) => m.seen.map((s) => (s.body as { requests: unknown[] }).requests.length);

describe('where a batch ends', () => {
  it('holds at most so many requests and bytes of their JSON, in order, never none', () => {
    const sizes = [10, 10, 10, 10, 10];
    expect(batchEnd(sizes, 0, 3, 1000)).toBe(3);
    expect(batchEnd(sizes, 3, 3, 1000)).toBe(5);
    // 10 bytes and a comma each.
    expect(batchEnd(sizes, 0, 100, 33)).toBe(3);
    expect(batchEnd(sizes, 0, 100, 32)).toBe(2);
    expect(batchEnd([5000, 10], 0, 100, 1000)).toBe(1);
  });
});

describe('client.batch', () => {
  it('sends a long list in order in batches that grow while the cluster answers them quickly, and gives every result in order', async () => {
    const m = await member(created);
    const requests = switches(2500);
    const outcome = await northbound(['127.0.0.1'], { port: m.port }).batch(requests);
    expect(outcome.kind).toBe('ok');
    const results = 'value' in outcome ? outcome.value : [];
    expect(results.map((r) => (r.body as { name: string }).name)).toEqual(requests.map((r) => (r.body as { name: string }).name));
    // 250 to start, doubled while each takes well under a second, at most 1,000.
    expect(sizesOf(m)).toEqual([250, 500, 1000, 750]);
    expect(m.seen.map((s) => s.request)).toEqual(Array(4).fill('POST /api/v1/batch'));
    expect((m.seen[0]!.body as { atomic?: boolean }).atomic).toBeUndefined();
  });

  it('keeps each batch within 4 MiB', async () => {
    const m = await member(created);
    const big = 'x'.repeat(1024 * 1024);
    const requests: BatchRequestItem[] = Array.from({ length: 6 }, (_, i) => ({
      method: 'POST',
      path: '/api/v1/logical-switches',
      body: { name: `s${i}`, pad: big },
    }));
    await northbound(['127.0.0.1'], { port: m.port }).batch(requests, { atomic: false });
    expect(sizesOf(m)).toEqual([3, 3]);
    expect((m.seen[0]!.body as { atomic?: boolean }).atomic).toBe(false);
  });

  it('stops at a batch that fails, naming its request by its place in the whole list', async () => {
    let calls = 0;
    const m = await member((request, body) =>
      ++calls === 2
        ? [409, { error: 'conflict', detail: 'request 7 (POST /api/v1/logical-switches, "s257"): VNI clash', index: 7, name: 's257' }]
        : created(request, body),
    );
    const outcome = await northbound(['127.0.0.1'], { port: m.port }).batch(switches(2000));
    expect(outcome).toMatchObject({
      kind: 'conflict',
      detail: 'request 7 (POST /api/v1/logical-switches, "s257"): VNI clash',
      message: expect.stringMatching(/^POST \/api\/v1\/batch → 409: .* \(request 257 of the list; the 250 before its batch are written\)$/),
    });
    expect(sizesOf(m)).toEqual([250, 500]);
  });
});
