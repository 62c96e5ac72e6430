// Column values from and to the wire as ovsdb-server reads and writes them (the errors and the
// update2 diffs are the ones a real ovsdb-server 3.1 gave for the same input), and their sharing.
import { describe, expect, it } from 'vitest';
import { datumFromJson, datumText, datumToJson, diffDatum, type Datum } from './datum.ts';
import { type OpError } from './op-error.ts';
import { vswitchSchema, type ColumnInfo } from './schema.ts';
import { nextId } from './uuids.ts';

const iface = vswitchSchema().tables.get('Interface')!;
const bridge = vswitchSchema().tables.get('Bridge')!;
const col = (name: string) => iface.byName.get(name)!;

/** The error a value gets, as a transact result shows it. */
function errorOf(column: string, json: unknown): Record<string, string> | undefined {
  try {
    datumFromJson(col(column), json);
    return undefined;
  } catch (err) {
    return (err as OpError).toJson();
  }
}

describe('datums', () => {
  it('reads maps and sets in any order into one sorted, shared, frozen value', () => {
    const a = datumFromJson(col('options'), [
      'map',
      [
        ['remote_ip', '192.0.2.1'],
        ['key', 'flow'],
      ],
    ]);
    const b = datumFromJson(col('options'), [
      'map',
      [
        ['key', 'flow'],
        ['remote_ip', '192.0.2.1'],
      ],
    ]);
    expect(a).toEqual(['key', 'flow', 'remote_ip', '192.0.2.1']);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    const protocols = bridge.byName.get('protocols')!;
    expect(datumFromJson(protocols, ['set', ['OpenFlow13', 'OpenFlow10']])).toEqual(['OpenFlow10', 'OpenFlow13']);
    expect(datumFromJson(protocols, 'OpenFlow13')).toEqual(['OpenFlow13']);
    expect(datumFromJson(col('name'), 'vm1')).toBe('vm1');
    expect(datumFromJson(col('ofport'), 5)).toEqual([5]);
    expect(datumFromJson(col('ofport'), ['set', []])).toEqual([]);
  });

  it('refuses what ovsdb-server refuses, with its errors', () => {
    expect(errorOf('ofport', ['set', [1, 2]])).toEqual({
      syntax: '["set",[1,2]]',
      details: 'set must have 0 to 1 members but 2 are present',
      error: 'syntax error',
    });
    expect(errorOf('ofport', 'x')).toEqual({ syntax: '"x"', details: 'expected integer', error: 'syntax error' });
    expect(errorOf('link_state', 'sideways')).toEqual({
      details: 'sideways is not one of the allowed values ([down, up])',
      error: 'constraint violation',
    });
    expect(
      errorOf('options', [
        'map',
        [
          ['k', '1'],
          ['k', '2'],
        ],
      ])?.details,
    ).toBe('map contains duplicate key');
    expect(errorOf('ofport_request', 0)?.error).toBe('constraint violation');
    expect(errorOf('name', ['uuid', 'not-a-uuid'])).toMatchObject({ error: 'syntax error' });
  });

  it('writes values as ovsdb-server does: a one-element set as its atom, references as uuids', () => {
    expect(datumToJson(col('ofport'), [7])).toBe(7);
    expect(datumToJson(col('ofport'), [])).toEqual(['set', []]);
    expect(datumToJson(col('options'), ['key', 'flow'])).toEqual(['map', [['key', 'flow']]]);
    const ports = bridge.byName.get('ports')!;
    const [p, q] = [nextId(), nextId()];
    const one = datumToJson(ports, [p]) as [string, string];
    expect(one[0]).toBe('uuid');
    expect(one[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(datumFromJson(ports, one)).toEqual([p]);
    const two = datumToJson(ports, [p, q]) as [string, [string, string][]];
    expect(two[0]).toBe('set');
    expect(two[1].map((u) => u[1]).sort()).toEqual(two[1].map((u) => u[1])); // ids print in their order
  });

  it('diffs as update2 sends a modification', () => {
    const diffToJson = (column: ColumnInfo, a: Datum, b: Datum) => {
      const json = datumToJson(column, diffDatum(column, a, b));
      expect(JSON.parse(datumText(column, diffDatum(column, a, b)))).toEqual(json); // the text monitors send says the same
      return json;
    };
    const diff = (name: string, a: Datum, b: Datum) => diffToJson(col(name), a, b);
    // Optional column: the new value ([5] -> [7] sends 7, [7] -> [] sends the empty set).
    expect(diff('ofport', [5], [7])).toBe(7);
    expect(diff('ofport', [7], [])).toEqual(['set', []]);
    // Map: added and changed pairs with their new value, removed ones with their old value.
    expect(diff('bfd', ['enable', 'true'], ['enable', 'true', 'min_tx', '100'])).toEqual(['map', [['min_tx', '100']]]);
    expect(diff('bfd', ['enable', 'true', 'min_tx', '100'], ['enable', 'false', 'min_tx', '100'])).toEqual(['map', [['enable', 'false']]]);
    expect(diff('bfd_status', ['forwarding', 'true', 'state', 'up'], ['forwarding', 'true'])).toEqual(['map', [['state', 'up']]]);
    // Set: the elements that flip.
    const ports = bridge.byName.get('ports')!;
    const [a, b, c] = [nextId(), nextId(), nextId()];
    expect(diffToJson(ports, [a, b], [a, b, c])).toEqual(datumToJson(ports, [c]));
    expect(diffToJson(ports, [a, b], [b, c])).toEqual(datumToJson(ports, [a, c]));
    expect(diff('name', 'a', 'b')).toBe('b');
  });
});
