import { describe, expect, it } from 'vitest';
import { useReplyingMembers } from './test-member.ts';

const client = useReplyingMembers();

const binding = { switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' };

describe('learned MAC bindings', () => {
  it('lists them, and forgets one by switch and address', async () => {
    const { m, api } = await client(
      [200, { items: [binding] }],
      [204],
      [404, { error: 'not found', detail: 'MAC binding "db/192.168.20.9" not found' }],
    );
    await expect(api.macBindings.list()).resolves.toEqual({ kind: 'ok', value: [binding] });
    await expect(api.macBindings.delete('db', '192.168.20.254')).resolves.toEqual({ kind: 'ok', value: undefined });
    await expect(api.macBindings.delete('db', '192.168.20.9')).resolves.toMatchObject({
      kind: 'not-found',
      detail: 'MAC binding "db/192.168.20.9" not found',
    });
    expect(m.seen.map((s) => s.request)).toEqual([
      'GET /api/v1/mac-bindings',
      'DELETE /api/v1/mac-bindings/db/192.168.20.254',
      'DELETE /api/v1/mac-bindings/db/192.168.20.9',
    ]);
  });

  it('calls a list outside the contract a failure', async () => {
    const { api } = await client([200, { items: [{ ...binding, mac: 'ff:ff:ff:ff:ff:ff' }] }]);
    await expect(api.macBindings.list()).resolves.toMatchObject({ kind: 'failed', status: 200 });
  });
});
