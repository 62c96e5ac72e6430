import { describe, expect, it } from 'vitest';
import { OvsdbConnectionError, OvsdbTimeoutError, OvsdbTransactionError, op } from '../../ovsdb/index.ts';
import { ConflictError, InvalidError, NotFoundError, StoreUnavailableError } from './errors.ts';
import { Txn, parseIndexClash } from './txn.ts';

// Texts as ovsdb-server 3.1 words them.
const VNI_CLASH =
  'Transaction causes multiple rows in "Logical_Switch" table to have identical values (1) for index on column "vni".  First row, with UUID 4707e83a-4434-4236-9dcf-8fad42f8672c, was inserted by this transaction.  Second row, with UUID 49cb62e4-315a-417c-89f8-7d49c125842b, existed in the database before this transaction and was not modified by the transaction.';
const MAC_CLASH =
  'Transaction causes multiple rows in "Logical_Port" table to have identical values (a and m) for index on columns "switch" and "mac".  First row, with UUID de1dc8de-5732-4655-b342-11d7a681cbeb, was inserted by this transaction.  Second row, with UUID ca61466d-4f69-4506-aea0-bb09fd55a592, existed in the database before this transaction and was not modified by the transaction.';

describe('store transactions', () => {
  it('reads table and columns out of index violations', () => {
    expect(parseIndexClash(VNI_CLASH)).toEqual({ table: 'Logical_Switch', columns: ['vni'] });
    expect(parseIndexClash(MAC_CLASH)).toEqual({ table: 'Logical_Port', columns: ['switch', 'mac'] });
    expect(parseIndexClash('0 is not in the valid range 1 to 16777215 (inclusive)')).toBeUndefined();
    expect(parseIndexClash(undefined)).toBeUndefined();
  });

  it('maps a failed guard to its own error, by operation index', () => {
    const txn = new Txn();
    txn.mustExist('Logical_Switch', 'name', 'web', () => new NotFoundError('logical switch', 'web'));
    txn.mustNotExist('Logical_Port', [['ip', '==', ['10.0.0.1']]], () => new ConflictError('IP in use'));
    txn.add(op.insert('Logical_Port', { name: 'p' }));
    expect(txn.ops[0]).toMatchObject({ op: 'wait', until: '==', rows: [{ name: 'web' }], timeout: 0 });
    expect(txn.ops[1]).toMatchObject({ op: 'wait', until: '==', rows: [], timeout: 0 });
    expect(txn.translate(new OvsdbTransactionError('timed out', undefined, 0, []))).toBeInstanceOf(NotFoundError);
    expect(txn.translate(new OvsdbTransactionError('timed out', undefined, 1, []))).toMatchObject({
      code: 'CONFLICT',
      message: 'IP in use',
    });
  });

  it('maps index clashes to CONFLICT, other constraint violations to INVALID', () => {
    const txn = new Txn();
    txn.add(op.insert('Logical_Switch', { name: 'b', vni: 1 }));
    expect(txn.translate(new OvsdbTransactionError('constraint violation', VNI_CLASH, 1, []))).toMatchObject({
      code: 'CONFLICT',
      message: 'duplicate vni in Logical_Switch',
    });
    txn.indexClash = (table, columns) => new ConflictError(`${table}:${columns.join('+')}`);
    expect(txn.translate(new OvsdbTransactionError('constraint violation', MAC_CLASH, 1, []))).toMatchObject({
      message: 'Logical_Port:switch+mac',
    });
    const invalid = txn.translate(new OvsdbTransactionError('constraint violation', 'bogus is not one of the allowed values', 0, []));
    expect(invalid).toBeInstanceOf(InvalidError);
  });

  it('maps timeouts and lost connections to NO_QUORUM with an unknown outcome', () => {
    const txn = new Txn();
    for (const err of [
      new OvsdbTimeoutError('transact timed out after 2000 ms'),
      new OvsdbConnectionError('connection lost during transact'),
    ]) {
      const mapped = txn.translate(err);
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect(mapped).toMatchObject({ code: 'NO_QUORUM', applied: 'unknown' });
    }
    const other = new Error('bug');
    expect(txn.translate(other)).toBe(other);
  });
});

describe('sections of a transaction (the writes of a batch)', () => {
  const CLASH_IN_TXN =
    'Transaction causes multiple rows in "Logical_Switch" table to have identical values (b) for index on column "name".  First row, with UUID b15f0c87-eab5-42f4-9905-7f1b0bd69d93, was inserted by this transaction.  Second row, with UUID 964cb2aa-82fa-4a28-8721-78a27cbfbc87, was inserted by this transaction.';
  const uuid = (u: string) => ({ uuid: ['uuid', u] });

  function threeWrites(): Txn {
    const txn = new Txn();
    txn.section((table) => new ConflictError(`first clashes in ${table}`));
    txn.add(op.insert('Logical_Switch', { name: 'b', vni: 2 }));
    txn.section((table) => new ConflictError(`second clashes in ${table}`));
    txn.mustExist('Transport_Node', 'name', 'hv1', () => new NotFoundError('transport node', 'hv1'));
    txn.add(op.insert('Logical_Switch', { name: 'b', vni: 3 }));
    txn.section();
    txn.add(op.delete('Logical_Port', [['name', '==', 'p']]));
    return txn;
  }

  it('names the section of a failed guard', () => {
    const txn = threeWrites();
    expect(txn.translate(new OvsdbTransactionError('timed out', undefined, 1, []))).toBeInstanceOf(NotFoundError);
    expect(txn.failure).toEqual({ section: 1 });
  });

  it("names the later of two rows the transaction inserted as the clash, worded by that section's handler", () => {
    const txn = threeWrites();
    // The insert results of the failed transaction hold each insert's UUID (in any order).
    const results = [uuid('964cb2aa-82fa-4a28-8721-78a27cbfbc87'), {}, uuid('b15f0c87-eab5-42f4-9905-7f1b0bd69d93'), {}, {}];
    expect(txn.translate(new OvsdbTransactionError('constraint violation', CLASH_IN_TXN, 4, results))).toMatchObject({
      message: 'second clashes in Logical_Switch',
    });
    expect(txn.failure).toEqual({ section: 1, clash: { table: 'Logical_Switch', columns: ['name'], existing: false } });
  });

  it('says when the other row of a clash was there before, and finds the last insert into the table without UUIDs', () => {
    const txn = threeWrites();
    expect(txn.translate(new OvsdbTransactionError('constraint violation', VNI_CLASH, 4, []))).toMatchObject({
      message: 'second clashes in Logical_Switch',
    });
    expect(txn.failure).toEqual({ section: 1, clash: { table: 'Logical_Switch', columns: ['vni'], existing: true } });
  });

  it('guards a set of rows seen through some columns', () => {
    const txn = new Txn();
    txn.mustMatch(
      'Logical_Router_Gateway',
      [['router', '==', 'edge']],
      ['router', 'node'],
      [{ router: 'edge', node: 'gw1' }],
      () => new ConflictError('x'),
    );
    expect(txn.ops[0]).toMatchObject({ op: 'wait', table: 'Logical_Router_Gateway', columns: ['router', 'node'], until: '==', timeout: 0 });
  });
});
