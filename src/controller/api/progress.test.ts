// A member that works on a request says so (a real listener on 127.0.0.1, a real HTTP client):
// `102 Processing` every second to a client that asks, nothing to one that does not, and the
// answer itself unchanged.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';

const store = {
  status: () => ({ remote: 'tcp:127.0.0.1:1', connected: true, synced: true, available: true, server: undefined }),
  members: () => [],
  masterships: () => [],
} as unknown as Store;

/** GET /api/v1/status: the interim answers, then the answer's status and body. */
function get(port: number, headers: Record<string, string>): Promise<{ interim: number[]; status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const interim: number[] = [];
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/status', headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ interim, status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('information', (info) => interim.push(info.statusCode));
    req.on('error', reject);
    req.end();
  });
}

describe('a member working on a request', () => {
  // Its status takes 2.5 s to make (a member short of CPU).
  const app = createApi({ store, member: 'ctrl1', status: () => new Promise((r) => setTimeout(() => r({ slow: true }), 2500)) });
  let port = 0;
  beforeAll(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('says 102 Processing every second to a client that asks, and to no other', async () => {
    const [asking, other] = await Promise.all([get(port, { 'x-nvlab-progress': '1' }), get(port, {})]);
    expect(asking.interim).toEqual([102, 102]);
    expect(other.interim).toEqual([]);
    for (const answer of [asking, other]) expect(answer).toMatchObject({ status: 200, body: { member: 'ctrl1', slow: true } });
  });
});
