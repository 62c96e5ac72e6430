// The Open_vSwitch schema, read and parsed once per process and shared by every simulated
// database: what get_schema answers (its text, encoded once), and per table the facts the
// transaction engine and the monitors need (columns in order, defaults, references, indexes).
import { readFileSync } from 'node:fs';
import { parseSchema, type ColumnSchema, type DatabaseSchema, type TableSchema } from '../../ovsdb/index.ts';
import { ZERO_ID } from './uuids.ts';
import type { Datum } from './datum.ts';

/** Where Debian installs the schema ovs-vswitchd's database is made from. */
export const VSWITCH_SCHEMA_PATH = '/usr/share/openvswitch/vswitch.ovsschema';

export interface ColumnInfo {
  name: string;
  /** The name as a JSON object key, quoted. */
  key: string;
  /** Its place among its table's columns (the order rows hold them in). */
  index: number;
  schema: ColumnSchema;
  /** How many elements its value may have. */
  bounds: { min: number; max: number };
  /** At most one element: OVSDB sends such a column's new value in a diff, not the elements that flip. */
  optional: boolean;
  /** The value a row has when the column is not set; rows store only other values. */
  empty: Datum;
  /** Tables its keys (key) and values (value) reference, if any. */
  keyRef?: { table: string; weak: boolean };
  valueRef?: { table: string; weak: boolean };
}

export interface TableInfo {
  name: string;
  schema: TableSchema;
  /** Columns other than _uuid and _version, sorted by name (the order ovsdb-server sends). */
  columns: ColumnInfo[];
  byName: Map<string, ColumnInfo>;
  isRoot: boolean;
  indexes: string[][];
  maxRows?: number;
  /** Columns of this table that hold references. */
  refColumns: ColumnInfo[];
  /** Columns of other tables (or this one) that reference this table. */
  referrers: { table: string; column: ColumnInfo }[];
}

export interface DbInfo {
  name: string;
  version: string;
  schema: DatabaseSchema;
  /** The schema as get_schema's result, encoded once. */
  text: string;
  tables: Map<string, TableInfo>;
}

export const EMPTY: readonly never[] = Object.freeze([]);

function emptyAtom(column: ColumnSchema): number | string | boolean {
  switch (column.type.key.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_ID;
  }
}

function columnInfo(name: string, schema: ColumnSchema, index: number): ColumnInfo {
  const { key, value, min, max } = schema.type;
  const empty: Datum =
    schema.kind === 'scalar' ? emptyAtom(schema) : min === 0 || schema.kind === 'map' ? EMPTY : Object.freeze([emptyAtom(schema)]);
  const ref = (base: typeof key | undefined) => (base?.refTable ? { table: base.refTable, weak: base.refType === 'weak' } : undefined);
  const keyRef = ref(key);
  const valueRef = ref(value);
  return {
    name,
    key: JSON.stringify(name),
    index,
    schema,
    bounds: { min, max: max === 'unlimited' ? Infinity : max },
    optional: schema.kind === 'set' && max === 1,
    empty,
    ...(keyRef ? { keyRef } : {}),
    ...(valueRef ? { valueRef } : {}),
  };
}

/** Facts about every table of a parsed schema. */
export function describeSchema(raw: unknown): DbInfo {
  const schema = parseSchema(raw);
  const tables = new Map<string, TableInfo>();
  for (const [name, table] of Object.entries(schema.tables)) {
    const columns = Object.entries(table.columns)
      .filter(([c]) => c !== '_uuid' && c !== '_version')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([c, s], i) => columnInfo(c, s, i));
    tables.set(name, {
      name,
      schema: table,
      columns,
      byName: new Map(columns.map((c) => [c.name, c])),
      isRoot: table.isRoot,
      indexes: table.indexes,
      ...(table.maxRows !== undefined ? { maxRows: table.maxRows } : {}),
      refColumns: columns.filter((c) => c.keyRef || c.valueRef),
      referrers: [],
    });
  }
  for (const table of tables.values()) {
    for (const column of table.refColumns) {
      const targets = new Set([column.keyRef?.table, column.valueRef?.table].filter((t) => t !== undefined));
      for (const target of targets) tables.get(target)?.referrers.push({ table: table.name, column });
    }
  }
  return { name: schema.name, version: schema.version, schema, text: JSON.stringify(raw), tables };
}

const loaded = new Map<string, DbInfo>();

/** The schema at `path`, read once per process. */
export function vswitchSchema(path = VSWITCH_SCHEMA_PATH): DbInfo {
  let info = loaded.get(path);
  if (!info) {
    info = describeSchema(JSON.parse(readFileSync(path, 'utf8')));
    loaded.set(path, info);
  }
  return info;
}
