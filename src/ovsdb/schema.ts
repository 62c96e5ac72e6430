// Database schema (RFC 7047 section 3.2) parsed into a normalised form, and the schema-aware
// decoding of column values: a column is a scalar, a set or a map depending on its type.
import { decodeAtom, decodeValue, type Atom, type OvsdbMap, type Value } from './data.ts';
import { OvsdbDataError, OvsdbSchemaError } from './errors.ts';

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

export interface BaseType {
  type: AtomicType;
  enum?: Atom[];
  minInteger?: number;
  maxInteger?: number;
  minReal?: number;
  maxReal?: number;
  minLength?: number;
  maxLength?: number;
  refTable?: string;
  refType?: 'strong' | 'weak';
}

export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  max: number | 'unlimited';
}

export interface ColumnSchema {
  type: ColumnType;
  ephemeral: boolean;
  mutable: boolean;
  /** scalar: exactly one atom; set: Atom[] (also for optional, min 0 max 1); map: Map. */
  kind: 'scalar' | 'set' | 'map';
}

export interface TableSchema {
  name: string;
  columns: Record<string, ColumnSchema>;
  maxRows?: number;
  isRoot: boolean;
  indexes: string[][];
}

export interface DatabaseSchema {
  name: string;
  version: string;
  cksum?: string;
  tables: Record<string, TableSchema>;
}

const ATOMIC: readonly string[] = ['integer', 'real', 'boolean', 'string', 'uuid'];
const UUID_COLUMN: ColumnSchema = {
  type: { key: { type: 'uuid' }, min: 1, max: 1 },
  ephemeral: false,
  mutable: false,
  kind: 'scalar',
};
const VERSION_COLUMN = UUID_COLUMN;

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new OvsdbSchemaError('expected an object', path);
  return v as Record<string, unknown>;
}

function parseBaseType(json: unknown, path: string): BaseType {
  if (typeof json === 'string') {
    if (!ATOMIC.includes(json)) throw new OvsdbSchemaError(`unknown atomic type "${json}"`, path);
    return { type: json as AtomicType };
  }
  const o = obj(json, path);
  if (typeof o.type !== 'string' || !ATOMIC.includes(o.type)) throw new OvsdbSchemaError('missing or unknown "type"', `${path}.type`);
  const base: BaseType = { type: o.type as AtomicType };
  if (o.enum !== undefined) {
    const e = decodeValue(o.enum);
    base.enum = Array.isArray(e) ? e : e instanceof Map ? [] : [e];
  }
  for (const k of ['minInteger', 'maxInteger', 'minReal', 'maxReal', 'minLength', 'maxLength'] as const) {
    if (typeof o[k] === 'number') base[k] = o[k];
  }
  if (typeof o.refTable === 'string') {
    base.refTable = o.refTable;
    base.refType = o.refType === 'weak' ? 'weak' : 'strong';
  }
  return base;
}

export function parseColumnType(json: unknown, path = 'type'): ColumnType {
  if (typeof json === 'string') return { key: parseBaseType(json, path), min: 1, max: 1 };
  const o = obj(json, path);
  const t: ColumnType = {
    key: parseBaseType(o.key, `${path}.key`),
    min: o.min === undefined ? 1 : Number(o.min),
    max: o.max === undefined ? 1 : o.max === 'unlimited' ? 'unlimited' : Number(o.max),
  };
  if (o.value !== undefined) t.value = parseBaseType(o.value, `${path}.value`);
  if (!(t.min === 0 || t.min === 1)) throw new OvsdbSchemaError('"min" must be 0 or 1', `${path}.min`);
  if (t.max !== 'unlimited' && !(Number.isInteger(t.max) && t.max >= 1)) throw new OvsdbSchemaError('bad "max"', `${path}.max`);
  return t;
}

export function columnKind(t: ColumnType): ColumnSchema['kind'] {
  if (t.value) return 'map';
  return t.min === 1 && t.max === 1 ? 'scalar' : 'set';
}

/** Schemas parsed by sharedSchema, by their JSON text; the oldest goes past SHARED_SCHEMAS. */
const shared = new Map<string, DatabaseSchema>();
const SHARED_SCHEMAS = 16;

/**
 * parseSchema, with one parsed copy per distinct schema text in this process. A controller holds
 * a session to every transport node, all with the same schema: parsed once per session, the
 * copies took ~30 MB of a member's heap at 1,000 nodes (bench:scale). Treat the result as
 * immutable, as every reader here does.
 */
export function sharedSchema(json: unknown): DatabaseSchema {
  const text = JSON.stringify(json);
  let schema = shared.get(text);
  if (!schema) {
    schema = parseSchema(json);
    if (shared.size >= SHARED_SCHEMAS) shared.delete(shared.keys().next().value!);
    shared.set(text, schema);
  }
  return schema;
}

/** Parses and validates the result of get_schema (or a .ovsschema file). */
export function parseSchema(json: unknown): DatabaseSchema {
  const o = obj(json, 'schema');
  if (typeof o.name !== 'string') throw new OvsdbSchemaError('missing "name"', 'schema.name');
  const tablesJson = obj(o.tables, 'schema.tables');
  const tables: Record<string, TableSchema> = {};
  for (const [tname, tjson] of Object.entries(tablesJson)) {
    const tpath = `schema.tables.${tname}`;
    const t = obj(tjson, tpath);
    const columns: Record<string, ColumnSchema> = { _uuid: UUID_COLUMN, _version: VERSION_COLUMN };
    for (const [cname, cjson] of Object.entries(obj(t.columns, `${tpath}.columns`))) {
      const c = obj(cjson, `${tpath}.columns.${cname}`);
      const type = parseColumnType(c.type, `${tpath}.columns.${cname}.type`);
      columns[cname] = { type, ephemeral: c.ephemeral === true, mutable: c.mutable !== false, kind: columnKind(type) };
    }
    tables[tname] = {
      name: tname,
      columns,
      isRoot: t.isRoot === true,
      indexes: Array.isArray(t.indexes) ? (t.indexes as string[][]) : [],
      ...(typeof t.maxRows === 'number' ? { maxRows: t.maxRows } : {}),
    };
  }
  return {
    name: o.name,
    version: typeof o.version === 'string' ? o.version : '',
    ...(typeof o.cksum === 'string' ? { cksum: o.cksum } : {}),
    tables,
  };
}

/** Decodes a column value from the wire, normalised to the column's kind. */
export function decodeColumn(column: ColumnSchema | undefined, json: unknown): Value {
  const v = decodeValue(json);
  if (!column) return v;
  switch (column.kind) {
    case 'scalar':
      if (Array.isArray(v) && v.length === 1) return v[0]!;
      if (Array.isArray(v) || v instanceof Map) throw new OvsdbDataError('expected a single atom');
      return v;
    case 'set':
      if (v instanceof Map) throw new OvsdbDataError('expected a set, got a map');
      return Array.isArray(v) ? v : [v];
    case 'map':
      if (v instanceof Map) return v;
      if (Array.isArray(v) && v.length === 0) return new Map() as OvsdbMap;
      throw new OvsdbDataError('expected a map');
  }
}

/** The empty value of a column, for columns a monitor update left out. */
export function emptyColumnValue(column: ColumnSchema): Value {
  if (column.kind === 'map') return new Map();
  if (column.kind === 'set') return [];
  switch (column.type.key.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return decodeAtom(['uuid', '00000000-0000-0000-0000-000000000000']);
  }
}
