// Transactions on a simulated node's database, as ovsdb-server runs them: results and errors (the
// texts a real ovsdb-server 3.1 gave), garbage collection of what br-int lets go, weak references,
// named rows referenced before their insert, rows limits, waits, and all-or-nothing.
import { describe, expect, it } from 'vitest';
import { SimulatedOvsdb } from './simulated-ovsdb.ts';

const U = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const plain = (v: unknown) => JSON.parse(JSON.stringify(v).replace(U, 'U'));

function node() {
  return new SimulatedOvsdb({
    systemId: 'hv1',
    datapathId: 1n,
    underlayIp: '192.0.2.1',
    vmPorts: [{ ifaceId: 'lp1', name: 'vm1', mac: '02:00:00:00:00:01' }],
  });
}
const names = (sim: SimulatedOvsdb, table: string) =>
  sim
    .dump(table)
    .map((r) => r.name)
    .sort();
const brInt = (sim: SimulatedOvsdb) => sim.dump('Bridge').find((b) => b.name === 'br-int')!._uuid;
const addTunnel = (name: string) => [
  { op: 'insert', table: 'Interface', row: { name, type: 'geneve', options: ['map', [['remote_ip', '192.0.2.9']]] }, 'uuid-name': 'i' },
  { op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
  { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['named-uuid', 'p']]] },
];

describe('transact on a simulated database', () => {
  it('inserts, selects, updates, mutates and deletes, with the results ovsdb-server gives', () => {
    const sim = node();
    const results = sim.transact([
      ...addTunnel('tun1'),
      { op: 'update', table: 'Interface', where: [['name', '==', 'tun1']], row: { bfd: ['map', [['enable', 'true']]] } },
      {
        op: 'mutate',
        table: 'Interface',
        where: [['name', '==', 'tun1']],
        mutations: [
          [
            'options',
            'insert',
            [
              'map',
              [
                ['key', 'flow'],
                ['remote_ip', 'ignored'],
              ],
            ],
          ],
        ],
      },
      { op: 'select', table: 'Interface', where: [['name', '==', 'tun1']], columns: ['name', 'options', 'bfd'] },
      { op: 'comment', comment: 'hello' },
      { op: 'commit', durable: false },
    ]);
    expect(plain(results)).toEqual([
      { uuid: ['uuid', 'U'] },
      { uuid: ['uuid', 'U'] },
      { count: 1 },
      { count: 1 },
      { count: 1 },
      // A map insert keeps a key's value; a new key comes in.
      {
        rows: [
          {
            name: 'tun1',
            options: [
              'map',
              [
                ['key', 'flow'],
                ['remote_ip', '192.0.2.9'],
              ],
            ],
            bfd: ['map', [['enable', 'true']]],
          },
        ],
      },
      {},
      {},
    ]);
    const all = sim.transact([{ op: 'select', table: 'Port', where: [['name', '==', 'tun1']] }]) as { rows: Record<string, unknown>[] }[];
    expect(Object.keys(all[0]!.rows[0]!)).toEqual(expect.arrayContaining(['_uuid', '_version', 'name', 'interfaces', 'trunks', 'tag']));
    expect(all[0]!.rows[0]!.trunks).toEqual(['set', []]);
    expect(
      plain(
        sim.transact([
          {
            op: 'mutate',
            table: 'Interface',
            where: [['name', '==', 'tun1']],
            mutations: [
              ['options', 'delete', ['set', ['key']]],
              ['bfd', 'delete', ['map', [['enable', 'false']]]],
            ],
          },
        ]),
      ),
    ).toEqual([{ count: 1 }]);
    const [row] = sim.dump('Interface').filter((i) => i.name === 'tun1');
    expect(row!.options).toEqual(['map', [['remote_ip', '192.0.2.9']]]);
    expect(row!.bfd).toEqual(['map', [['enable', 'true']]]); // a pair only goes with its value
  });

  it('collects the port and interface br-int lets go, and refuses to delete what is still referenced', () => {
    const sim = node();
    sim.transact(addTunnel('tun1'));
    const port = sim.dump('Port').find((p) => p.name === 'tun1')!._uuid;
    expect(plain(sim.transact([{ op: 'delete', table: 'Port', where: [['_uuid', '==', port]] }]))).toEqual([
      { count: 1 },
      { details: 'cannot delete Port row U because of 1 remaining reference(s)', error: 'referential integrity violation' },
    ]);
    expect(names(sim, 'Interface')).toContain('tun1');
    sim.transact([{ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'delete', port]] }]);
    expect(names(sim, 'Port')).not.toContain('tun1');
    expect(names(sim, 'Interface')).not.toContain('tun1');
    // An interface nothing references goes at once; its insert still tells its uuid.
    expect(plain(sim.transact([{ op: 'insert', table: 'Interface', row: { name: 'orphan' } }]))).toEqual([{ uuid: ['uuid', 'U'] }]);
    expect(names(sim, 'Interface')).not.toContain('orphan');
  });

  it('resolves a named row referenced before its insert, and refuses one never inserted', () => {
    const sim = node();
    const [mutate, ...inserts] = [...addTunnel('tun2')].reverse();
    expect(plain(sim.transact([mutate, ...inserts.reverse()]))).toEqual([{ count: 1 }, { uuid: ['uuid', 'U'] }, { uuid: ['uuid', 'U'] }]);
    expect(names(sim, 'Port')).toContain('tun2');
    const dangling = sim.transact([
      { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['named-uuid', 'nobody']]] },
    ]);
    expect(dangling).toEqual([{ count: 1 }, { details: 'named-uuid "nobody" is not the uuid-name of any insert', error: 'syntax error' }]);
  });

  it('checks references, indexes, row limits and immutable columns at commit, changing nothing on failure', () => {
    const sim = node();
    const before = sim.dump('Interface');
    const check = (ops: unknown[]) => plain(sim.transact(ops));
    expect(
      check([
        {
          op: 'mutate',
          table: 'Bridge',
          where: [['name', '==', 'br-int']],
          mutations: [['ports', 'insert', ['uuid', '12345678-1234-1234-1234-123456789abc']]],
        },
      ]),
    ).toEqual([
      { count: 1 },
      { details: 'Table Bridge column ports row U references nonexistent row U in table Port.', error: 'referential integrity violation' },
    ]);
    const duplicate = check([
      { op: 'insert', table: 'Interface', row: { name: 'vm1' }, 'uuid-name': 'i' },
      { op: 'insert', table: 'Port', row: { name: 'vm1-bis', interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
      { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', brInt(sim)]], mutations: [['ports', 'insert', ['named-uuid', 'p']]] },
    ]) as unknown[];
    expect(duplicate[3]).toEqual({
      details:
        'Transaction causes multiple rows in "Interface" table to have identical values (vm1) for index on column "name".  First row, with UUID U, existed in the database before this transaction and was not modified by the transaction.  Second row, with UUID U, was inserted by this transaction.',
      error: 'constraint violation',
    });
    expect(
      check([
        { op: 'insert', table: 'Port', row: { name: 'px' }, 'uuid-name': 'p' },
        { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['named-uuid', 'p']]] },
      ]),
    ).toEqual([
      { uuid: ['uuid', 'U'] },
      { count: 1 },
      {
        details: 'Table Port column interfaces row U references nonexistent row U in table Interface.',
        error: 'referential integrity violation',
      },
    ]);
    expect(check([{ op: 'insert', table: 'Open_vSwitch', row: {} }])[1]).toMatchObject({ error: 'constraint violation' });
    expect(check([{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { name: 'zz' } }])).toEqual([
      {
        syntax: '{"op":"update","row":{"name":"zz"},"table":"Interface","where":[["name","==","vm1"]]}',
        details: 'Cannot update immutable column name in table Interface.',
        error: 'constraint violation',
      },
    ]);
    expect(
      check([
        { op: 'select', table: 'Nope', where: [] },
        { op: 'comment', comment: 'x' },
      ]),
    ).toEqual([
      {
        syntax: '{"op":"select","table":"Nope","where":[]}',
        details: 'Parsing ovsdb operation 1 of 2 failed: No table named Nope.',
        error: 'syntax error',
      },
      null,
    ]);
    expect(check([{ op: 'update', table: 'Interface', where: [['name', '==', 'vm1']], row: { nope: 1 } }])).toEqual([
      { syntax: '{"nope":1}', details: 'No column nope in table Interface.', error: 'unknown column' },
    ]);
    expect(check([{ op: 'comment', comment: 'x' }, { op: 'abort' }])).toEqual([{}, { details: 'aborted by request', error: 'aborted' }]);
    expect(check([{ op: 'assert', lock: 'foo' }])).toEqual([{ details: 'Asserted lock foo not held.', error: 'not owner' }]);
    expect(sim.dump('Interface')).toEqual(before);
  });

  it('waits, and fails a wait that does not hold with timeout 0', () => {
    const sim = node();
    const wait = (type: string, until: '==' | '!=') => ({
      op: 'wait',
      table: 'Interface',
      where: [['name', '==', 'vm1']],
      columns: ['type'],
      until,
      rows: [{ type }],
      timeout: 0,
    });
    expect(sim.transact([wait('', '==')])).toEqual([{}]);
    expect(sim.transact([wait('vxlan', '!=')])).toEqual([{}]);
    expect(sim.transact([wait('vxlan', '==')])).toEqual([{ details: '"where" clause test failed', error: 'timed out' }]);
  });

  it("drops weak references to deleted rows (a mirror's ports)", () => {
    const sim = node();
    sim.transact(addTunnel('tun1'));
    const port = sim.dump('Port').find((p) => p.name === 'tun1')!._uuid;
    sim.transact([
      { op: 'insert', table: 'Mirror', row: { name: 'm', select_src_port: port }, 'uuid-name': 'm' },
      { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['mirrors', 'insert', ['named-uuid', 'm']]] },
    ]);
    expect(sim.dump('Mirror')[0]!.select_src_port).toEqual(port);
    sim.transact([{ op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'delete', port]] }]);
    expect(sim.dump('Mirror')[0]!.select_src_port).toEqual(['set', []]);
  });

  it('does integer arithmetic, and catches a division by zero', () => {
    const sim = node();
    const next = (mutator: string, by: number) =>
      sim.transact([{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', mutator, by]] }]);
    expect(next('+=', 5)).toEqual([{ count: 1 }]);
    expect(next('/=', 2)).toEqual([{ count: 1 }]);
    expect(sim.dump('Open_vSwitch')[0]!.next_cfg).toBe(3);
    expect(next('%=', 0)).toEqual([{ details: 'Division by zero.', error: 'domain error' }]);
  });
});
