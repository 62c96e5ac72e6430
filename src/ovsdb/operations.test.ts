import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamedUuid, Uuid, atomKey, namedUuid, uuid, type Atom, type Value } from './data.ts';
import { OvsdbDataError, OvsdbSchemaError, OvsdbTransactionError } from './errors.ts';
import {
  decodeOperation,
  decodeTransactResult,
  encodeOperation,
  encodeTransact,
  op,
  whereUuid,
  type Condition,
  type Mutation,
  type Operation,
} from './operations.ts';
import { decodeColumn, parseSchema } from './schema.ts';
import { expectOnlyThrows } from './test-helpers.ts';

const U1 = '550e8400-e29b-41d4-a716-446655440000';
const vswitch = parseSchema(JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')));

describe('schema', () => {
  it('parses the Open_vSwitch schema and classifies columns', () => {
    expect(vswitch.name).toBe('Open_vSwitch');
    const iface = vswitch.tables.Interface!.columns;
    expect(iface.name!.kind).toBe('scalar');
    expect(iface.ofport!.kind).toBe('set'); // optional integer: [] or [n]
    expect(iface.options!.kind).toBe('map');
    expect(vswitch.tables.Bridge!.columns.ports!.type.key.refTable).toBe('Port');
    expect(vswitch.tables.Open_vSwitch!.isRoot).toBe(true);
    expect(vswitch.tables.Bridge!.isRoot).toBe(false);
  });

  it('normalises column values by kind', () => {
    const iface = vswitch.tables.Interface!.columns;
    expect(decodeColumn(iface.ofport, 3)).toEqual([3]);
    expect(decodeColumn(iface.ofport, ['set', []])).toEqual([]);
    expect(decodeColumn(iface.options, ['set', []])).toEqual(new Map());
    expect(decodeColumn(iface.name, ['set', ['eth0']])).toBe('eth0');
  });

  it('reports where a schema is wrong', () => {
    expect(() => parseSchema({ name: 'x', tables: { T: { columns: { c: { type: 'float' } } } } })).toThrow(OvsdbSchemaError);
    try {
      parseSchema({ name: 'x', tables: { T: { columns: { c: { type: { key: 'integer', min: 2 } } } } } });
    } catch (err) {
      expect((err as OvsdbSchemaError).path).toBe('schema.tables.T.columns.c.type.min');
    }
  });
});

describe('operations', () => {
  it('encodes every operation as RFC 7047 shows it', () => {
    expect(encodeOperation(op.insert('Port', { name: 'p', interfaces: [namedUuid('i')] }, 'p1'))).toEqual({
      op: 'insert',
      table: 'Port',
      row: { name: 'p', interfaces: ['set', [['named-uuid', 'i']]] },
      'uuid-name': 'p1',
    });
    expect(encodeOperation(op.select('Bridge', [['name', '==', 'br0']], ['_uuid']))).toEqual({
      op: 'select',
      table: 'Bridge',
      where: [['name', '==', 'br0']],
      columns: ['_uuid'],
    });
    expect(encodeOperation(op.update('Bridge', whereUuid(U1), { external_ids: new Map([['a', 'b']]) }))).toEqual({
      op: 'update',
      table: 'Bridge',
      where: [['_uuid', '==', ['uuid', U1]]],
      row: { external_ids: ['map', [['a', 'b']]] },
    });
    expect(
      encodeOperation(
        op.mutate(
          'Open_vSwitch',
          [],
          [
            ['bridges', 'insert', [uuid(U1)]],
            ['next_cfg', '+=', 1],
          ],
        ),
      ),
    ).toEqual({
      op: 'mutate',
      table: 'Open_vSwitch',
      where: [],
      mutations: [
        ['bridges', 'insert', ['set', [['uuid', U1]]]],
        ['next_cfg', '+=', 1],
      ],
    });
    expect(encodeOperation(op.delete('Bridge', [['name', '!=', 'x']]))).toEqual({
      op: 'delete',
      table: 'Bridge',
      where: [['name', '!=', 'x']],
    });
    expect(encodeOperation(op.wait('Bridge', [], ['name'], '==', [{ name: 'a' }], 0))).toEqual({
      op: 'wait',
      table: 'Bridge',
      where: [],
      columns: ['name'],
      until: '==',
      rows: [{ name: 'a' }],
      timeout: 0,
    });
    expect(encodeOperation(op.commit(true))).toEqual({ op: 'commit', durable: true });
    expect(encodeOperation(op.abort())).toEqual({ op: 'abort' });
    expect(encodeOperation(op.comment('hi'))).toEqual({ op: 'comment', comment: 'hi' });
    expect(encodeOperation(op.assert('lk'))).toEqual({ op: 'assert', lock: 'lk' });
    expect(encodeTransact('db', [op.abort()])).toEqual(['db', { op: 'abort' }]);
  });

  it('decodes results per operation, with schema-aware rows', () => {
    const ops = [op.insert('Bridge', { name: 'b' }), op.select('Interface', []), op.update('Bridge', [], {}), op.comment('x')];
    const results = decodeTransactResult(
      ops,
      [{ uuid: ['uuid', U1] }, { rows: [{ name: 'eth0', ofport: 1, options: ['map', []] }] }, { count: 2 }, {}],
      vswitch,
    );
    expect(results[0]!.uuid).toBeInstanceOf(Uuid);
    expect(results[1]!.rows).toEqual([{ name: 'eth0', ofport: [1], options: new Map() }]);
    expect(results[2]!.count).toBe(2);
    expect(results[3]).toEqual({});
  });

  it('throws OvsdbTransactionError with the failing index, also for a commit failure', () => {
    const ops = [op.insert('Bridge', { name: 'b' }), op.abort()];
    const e1 = (() => {
      try {
        decodeTransactResult(ops, [{ uuid: ['uuid', U1] }, { error: 'aborted', details: 'aborted by request' }]);
      } catch (err) {
        return err as OvsdbTransactionError;
      }
    })();
    expect(e1).toBeInstanceOf(OvsdbTransactionError);
    expect(e1).toMatchObject({ code: 'OVSDB_TRANSACTION', error: 'aborted', index: 1 });
    const e2 = (() => {
      try {
        decodeTransactResult([ops[0]!], [{ uuid: ['uuid', U1] }, { error: 'referential integrity violation' }]);
      } catch (err) {
        return err as OvsdbTransactionError;
      }
    })();
    expect(e2).toMatchObject({ error: 'referential integrity violation', index: 1 });
  });
});

describe('operation round trip (property)', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
  const atom: fc.Arbitrary<Atom> = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.string(),
    fc.uuid().map((u) => new Uuid(u)),
    name.map((n) => new NamedUuid(n)),
  );
  const value: fc.Arbitrary<Value> = fc.oneof(
    atom,
    fc.uniqueArray(atom, { selector: atomKey, maxLength: 4 }),
    fc.uniqueArray(fc.tuple(atom, atom), { selector: ([k]) => atomKey(k), maxLength: 4 }).map((p) => new Map(p)),
  );
  const row = fc.dictionary(name, value, { maxKeys: 4 });
  const cond = fc.tuple(name, fc.constantFrom('<', '<=', '==', '!=', '>=', '>', 'includes', 'excludes'), value) as fc.Arbitrary<Condition>;
  const mutation = fc.tuple(name, fc.constantFrom('+=', '-=', '*=', '/=', '%=', 'insert', 'delete'), value) as fc.Arbitrary<Mutation>;
  const where = fc.array(cond, { maxLength: 3 });
  const operation: fc.Arbitrary<Operation> = fc.oneof(
    fc.tuple(name, row, fc.option(name, { nil: undefined })).map(([t, r, n]) => op.insert(t, r, n)),
    fc.tuple(name, where, fc.option(fc.array(name), { nil: undefined })).map(([t, w, c]) => op.select(t, w, c)),
    fc.tuple(name, where, row).map(([t, w, r]) => op.update(t, w, r)),
    fc.tuple(name, where, fc.array(mutation, { maxLength: 3 })).map(([t, w, m]) => op.mutate(t, w, m)),
    fc.tuple(name, where).map(([t, w]) => op.delete(t, w)),
    fc
      .tuple(
        name,
        where,
        fc.array(name),
        fc.constantFrom('==' as const, '!=' as const),
        fc.array(row, { maxLength: 2 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([t, w, c, u, r, to]) => op.wait(t, w, c, u, r, to)),
    fc.boolean().map((d) => op.commit(d)),
    fc.constant(op.abort()),
    fc.string().map((c) => op.comment(c)),
    name.map((l) => op.assert(l)),
  );

  it('decodeOperation(encodeOperation(o)) is o for every operation type', () => {
    fc.assert(
      fc.property(operation, (o) => {
        const wire = JSON.parse(JSON.stringify(encodeOperation(o)));
        expect(decodeOperation(wire)).toEqual(o);
      }),
      { numRuns: 1000 },
    );
  });

  it('arbitrary JSON is an operation or an OvsdbDataError, never another throw', () => {
    const jsonOp = fc.record(
      {
        op: fc.constantFrom('insert', 'select', 'update', 'mutate', 'delete', 'wait', 'commit', 'abort', 'comment', 'assert', 'x'),
        table: fc.jsonValue(),
        where: fc.jsonValue(),
        row: fc.jsonValue(),
        columns: fc.jsonValue(),
        mutations: fc.jsonValue(),
        until: fc.jsonValue(),
        rows: fc.jsonValue(),
        durable: fc.jsonValue(),
        comment: fc.jsonValue(),
        lock: fc.jsonValue(),
      },
      { requiredKeys: ['op'] },
    );
    expectOnlyThrows(fc.oneof(fc.jsonValue(), jsonOp), decodeOperation, OvsdbDataError, 2000);
  });
});
