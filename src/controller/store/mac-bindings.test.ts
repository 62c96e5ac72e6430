// Learning a MAC binding without a cluster: the transactions it sends, and what it answers when
// the leader says the address is new, known with another MAC, known as it is, or was just
// inserted by another member (the race that test/integration/controller-store cannot force).
import { describe, expect, it } from 'vitest';
import { OvsdbTransactionError, type Operation, type OperationResult, type Row } from '../../ovsdb/index.ts';
import type { Snapshot } from './description.ts';
import { forgetMacBinding, learnMacBinding } from './mac-bindings.ts';
import type { Txn } from './txn.ts';

const binding = { switch: 'db', ip: '192.168.20.254', mac: '0A:00:00:00:14:FE' };
const stored = { logical_switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' };

/** The leader's answer to one transaction: its results, or an OVSDB error. */
type Answer = (ops: Operation[]) => OperationResult[] | OvsdbTransactionError;

/** A store whose commits are answered in turn by `answers`, and whose replica holds `rows`. */
function harness(rows: object[], ...answers: Answer[]) {
  const sent: Operation[][] = [];
  const settled: boolean[] = [];
  const snapshot = { rows: (t: string) => (t === 'MAC_Binding' ? rows : []) } as unknown as Snapshot;
  const writes = {
    async commit(txn: Txn) {
      sent.push(txn.ops);
      const answer = answers.shift();
      if (!answer) throw new Error('one transaction too many');
      const a = answer(txn.ops);
      if (a instanceof OvsdbTransactionError) throw txn.translate(a);
      return a;
    },
    async settle(probe: (s: Snapshot) => boolean) {
      settled.push(probe(snapshot));
    },
  };
  const kinds = () => sent.map((ops) => ops.map((o) => `${o.op} ${'table' in o ? o.table : ''}`));
  return { writes, sent, settled, kinds };
}

/** The change transaction's answer: `count` rows changed, `found` rows at the address. */
const change =
  (count: number, found: Row[]): Answer =>
  (ops) =>
    ops.map((o) => (o.op === 'update' ? { count } : o.op === 'select' ? { rows: found } : {}));
const inserted: Answer = (ops) => ops.map(() => ({}));
const clash: Answer = (ops) =>
  new OvsdbTransactionError(
    'constraint violation',
    'Transaction causes multiple rows in "MAC_Binding" table to have identical values ("db" and "192.168.20.254") for index on columns "logical_switch" and "ip".  First row',
    ops.length,
    [],
  );

describe('learning a MAC binding', () => {
  it('changes the MAC of a known address, only where it differs, in a transaction guarded by the switch', async () => {
    const h = harness([stored], change(1, [stored]));
    await expect(learnMacBinding(h.writes, binding)).resolves.toBe('changed');
    expect(h.kinds()).toEqual([['wait Logical_Switch', 'update MAC_Binding', 'select MAC_Binding']]);
    const where = [
      ['logical_switch', '==', 'db'],
      ['ip', '==', '192.168.20.254'],
    ];
    expect(h.sent[0]![1]).toEqual({
      op: 'update',
      table: 'MAC_Binding',
      where: [...where, ['mac', '!=', stored.mac]],
      row: { mac: stored.mac },
    });
    expect(h.sent[0]![2]).toEqual({ op: 'select', table: 'MAC_Binding', where, columns: ['mac'] });
    expect(h.settled).toEqual([true]);
  });

  it('writes nothing more for a binding it knows as it is', async () => {
    const h = harness([stored], change(0, [{ mac: stored.mac }]));
    await expect(learnMacBinding(h.writes, binding)).resolves.toBe('same');
    expect(h.sent).toHaveLength(1);
    expect(h.settled).toEqual([]);
  });

  it('inserts a new address, lower-cased, guarded by its switch', async () => {
    const h = harness([stored], change(0, []), inserted);
    await expect(learnMacBinding(h.writes, binding)).resolves.toBe('added');
    expect(h.kinds()[1]).toEqual(['wait Logical_Switch', 'insert MAC_Binding']);
    expect(h.sent[1]![1]).toEqual({ op: 'insert', table: 'MAC_Binding', row: stored });
  });

  it('looks again when another member inserted the address first: same, or changed for another MAC', async () => {
    const same = harness([stored], change(0, []), clash, change(0, [{ mac: stored.mac }]));
    await expect(learnMacBinding(same.writes, binding)).resolves.toBe('same');
    expect(same.sent).toHaveLength(3);
    const other = harness([stored], change(0, []), clash, change(1, [stored]));
    await expect(learnMacBinding(other.writes, binding)).resolves.toBe('changed');
  });

  it('names a switch that does not exist, and refuses what is not a binding before any transaction', async () => {
    const h = harness([], () => new OvsdbTransactionError('timed out', undefined, 0, []));
    await expect(learnMacBinding(h.writes, binding)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'logical switch "db" not found' });
    const bad = harness([]);
    await expect(learnMacBinding(bad.writes, { ...binding, ip: '192.168.20.0/24' })).rejects.toMatchObject({ code: 'INVALID' });
    expect(bad.sent).toEqual([]);
  });
});

describe('forgetting a MAC binding', () => {
  it('deletes the row of the address, and says when there was none', async () => {
    const h = harness([], (ops) => ops.map(() => ({ count: 1 })));
    await forgetMacBinding(h.writes, 'db', '192.168.20.254');
    expect(h.kinds()).toEqual([['delete MAC_Binding']]);
    expect(h.settled).toEqual([true]);
    const none = harness([], (ops) => ops.map(() => ({ count: 0 })));
    await expect(forgetMacBinding(none.writes, 'db', '192.168.20.9')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'MAC binding "db/192.168.20.9" not found',
    });
  });
});
