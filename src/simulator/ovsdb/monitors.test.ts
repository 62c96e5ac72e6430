// Monitor requests and the table-updates they get: whole rows and old values for `monitor`,
// non-empty columns and diffs for `monitor_cond`, rows entering and leaving a where-clause, the
// select flags, condition changes, and ovsdb-server's errors for a bad request.
import { describe, expect, it } from 'vitest';
import { changeConditions, changeUpdates, initialUpdates, parseMonitor } from './monitors.ts';
import { type OpError } from './op-error.ts';
import { SimulatedOvsdb } from './simulated-ovsdb.ts';
import { transact } from './transact.ts';
import { formatUuid } from './uuids.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Table-updates with each table's rows as a list (their uuids differ from run to run). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read as the test expects
function rows(updates: unknown): any {
  if (typeof updates === 'string' && updates.startsWith('{')) return rows(JSON.parse(updates));
  if (Array.isArray(updates)) return updates.map(rows);
  if (!updates || typeof updates !== 'object') return updates;
  const entries = Object.entries(updates);
  if (entries.length > 0 && entries.every(([k]) => UUID.test(k))) return entries.map(([, v]) => rows(v));
  return Object.fromEntries(entries.map(([k, v]) => [k, rows(v)]));
}

function setup() {
  const sim = new SimulatedOvsdb({ systemId: 'hv1', datapathId: 1n, underlayIp: '192.0.2.1' });
  const db = sim.db;
  const run = (ops: unknown[]) => {
    const out = transact(db, ops, { holdsLock: () => false });
    db.apply(out.changes);
    return out.changes;
  };
  return { db, run };
}

const insertVm = (name: string, id: string) => [
  { op: 'insert', table: 'Interface', row: { name, external_ids: ['map', [['iface-id', id]]] }, 'uuid-name': 'i' },
  { op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
  { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['named-uuid', 'p']]] },
];

describe('monitors', () => {
  it('answer monitor_cond with non-empty columns and send update2 diffs; monitor with whole rows and old values', () => {
    const { db, run } = setup();
    const where = [['name', '!=', 'br-phy']];
    const cond = parseMonitor(db.info, 'monitor_cond', { Interface: [{ columns: ['name', 'type', 'ofport', 'external_ids'], where }] });
    const plain = parseMonitor(db.info, 'monitor', { Interface: { columns: ['name', 'ofport'] } });
    expect(rows(initialUpdates(cond, db)).Interface).toEqual(
      expect.arrayContaining([{ initial: { name: 'br-int', type: 'internal', ofport: 65534 } }, { initial: { name: 'eth0', ofport: 1 } }]),
    );
    expect(rows(initialUpdates(cond, db)).Interface).toHaveLength(2);
    expect(rows(initialUpdates(plain, db)).Interface).toContainEqual({ new: { name: 'br-phy', ofport: 65534 } });
    const inserted = run(insertVm('vm1', 'lp1'));
    expect(rows(changeUpdates(cond, inserted))).toEqual({
      Interface: [{ insert: { name: 'vm1', external_ids: ['map', [['iface-id', 'lp1']]] } }],
    });
    expect(rows(changeUpdates(plain, inserted))).toEqual({ Interface: [{ new: { name: 'vm1', ofport: ['set', []] } }] });
    const numbered = run([{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { ofport: 3, link_state: 'up' } }]);
    expect(rows(changeUpdates(cond, numbered))).toEqual({ Interface: [{ modify: { ofport: 3 } }] });
    expect(rows(changeUpdates(plain, numbered))).toEqual({
      Interface: [{ new: { name: 'vm1', ofport: 3 }, old: { ofport: ['set', []] } }],
    });
    // A change to a column nobody monitors is no update at all.
    expect(
      changeUpdates(cond, run([{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { link_state: 'down' } }])),
    ).toBeUndefined();
    const port = [...db.rows('Port').values()].find((p) => p.name === 'vm1')!;
    const gone = run([
      {
        op: 'mutate',
        table: 'Bridge',
        where: [['name', '==', 'br-int']],
        mutations: [['ports', 'delete', ['uuid', formatUuid(port._id)]]],
      },
    ]);
    expect(rows(changeUpdates(cond, gone))).toEqual({ Interface: [{ delete: null }] });
    expect(rows(changeUpdates(plain, gone))).toEqual({ Interface: [{ old: { name: 'vm1', ofport: 3 } }] });
  });

  it('send a row that comes into a where-clause as an insert and one that leaves it as a delete', () => {
    const { db, run } = setup();
    const spec = parseMonitor(db.info, 'monitor_cond', { Interface: [{ columns: ['name', 'type'], where: [['type', '==', 'geneve']] }] });
    run(insertVm('t1', 'x'));
    expect(
      rows(changeUpdates(spec, run([{ op: 'update', table: 'Interface', where: [['name', '==', 't1']], row: { type: 'geneve' } }]))),
    ).toEqual({
      Interface: [{ insert: { name: 't1', type: 'geneve' } }],
    });
    expect(
      rows(changeUpdates(spec, run([{ op: 'update', table: 'Interface', where: [['name', '==', 't1']], row: { type: 'vxlan' } }]))),
    ).toEqual({
      Interface: [{ delete: null }],
    });
    const changed = changeConditions(spec, { Interface: [{ where: [['type', '==', 'vxlan']] }] }, db);
    expect(rows(changed.updates)).toEqual({ Interface: [{ insert: { name: 't1', type: 'vxlan' } }] });
    expect(rows(changeConditions(changed.spec, { Interface: [{ where: [false] }] }, db).updates)).toEqual({
      Interface: [{ delete: null }],
    });
  });

  it('honour select flags, share one parsed request, and refuse bad requests as ovsdb-server does', () => {
    const { db, run } = setup();
    const request = { Interface: [{ columns: ['name'], select: { initial: false, modify: false } }] };
    const spec = parseMonitor(db.info, 'monitor_cond', request);
    expect(parseMonitor(db.info, 'monitor_cond', JSON.parse(JSON.stringify(request)))).toBe(spec);
    expect(initialUpdates(spec, db)).toBe('{}');
    run(insertVm('vm1', 'lp1'));
    expect(
      changeUpdates(spec, run([{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { type: 'internal' } }])),
    ).toBeUndefined();
    const refusal = (json: unknown) => {
      try {
        parseMonitor(db.info, 'monitor_cond', json);
      } catch (err) {
        return (err as OpError).toJson();
      }
    };
    expect(refusal({ Nope: [{}] })).toEqual({ details: 'no table named Nope', error: 'syntax error' });
    expect(refusal({ Interface: [{ columns: ['nope'] }] })).toEqual({
      syntax: '["nope"]',
      details: 'nope is not a valid column name',
      error: 'syntax error',
    });
  });
});
