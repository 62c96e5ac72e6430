import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ReplicaChange, ReplicaRow } from '../../ovsdb/index.ts';
import type { Snapshot } from './description.ts';
import { portToRow } from './rows.ts';
import { StateCache } from './state.ts';

/** A snapshot holding only these Logical_Port rows (uuid → row), as the replica publishes one. */
function snapshot(ports: ReadonlyMap<string, ReplicaRow>): Snapshot {
  const tables = new Map([['Logical_Port', ports]]);
  return {
    tables,
    rows: (t: string) => [...(tables.get(t)?.values() ?? [])],
    get: (t: string, u: string) => tables.get(t)?.get(u),
  } as unknown as Snapshot;
}

const row = (uuid: string, name: string, node: string) =>
  ({ _uuid: uuid, ...portToRow({ name, switch: 'web', mac: '02:00:00:00:00:01', node }) }) as unknown as ReplicaRow;

describe('StateCache', () => {
  test('patched ports equal ports read in full, change after change, and unchanged parts stay the same objects', () => {
    const step = fc.record({ kind: fc.constantFrom('add', 'update', 'delete'), k: fc.nat(40), node: fc.constantFrom('hv1', 'hv2') });
    const batch = fc.record({ steps: fc.array(step, { maxLength: 5 }), followed: fc.boolean(), read: fc.boolean() });
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 12 }), (batches) => {
        const cache = new StateCache();
        let table = new Map<string, ReplicaRow>();
        const first = cache.of(snapshot(table));
        for (const { steps, followed, read } of batches) {
          const before = table;
          table = new Map(table);
          for (const { kind, k, node } of steps) {
            const uuid = `u${k}`;
            if (kind === 'delete') table.delete(uuid);
            else if (kind === 'add' || table.has(uuid)) table.set(uuid, row(uuid, `p${k}`, node));
          }
          // The update as the replica tells it: one change per row that differs.
          const changes: ReplicaChange[] = [];
          for (const [uuid, r] of table) {
            const old = before.get(uuid);
            if (!old) changes.push({ type: 'insert', table: 'Logical_Port', row: r });
            else if (old !== r) changes.push({ type: 'update', table: 'Logical_Port', row: r, old });
          }
          for (const [uuid, old] of before) if (!table.has(uuid)) changes.push({ type: 'delete', table: 'Logical_Port', old });
          // Followed as it comes (the store's way), or not; read after each update, or only later.
          if (followed) cache.follow(changes, snapshot(before), snapshot(table));
          if (!read) continue;
          const patched = cache.of(snapshot(table));
          expect(patched.ports).toEqual(new StateCache().of(snapshot(table)).ports);
          expect(patched.switches).toBe(first.switches);
          expect(patched.nodes).toBe(first.nodes);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('the same tables give the same state object', () => {
    const cache = new StateCache();
    const table = new Map([['u1', row('u1', 'p1', 'hv1')]]);
    expect(cache.of(snapshot(table))).toBe(cache.of(snapshot(table)));
  });
});
