// Where-clauses and mutations (RFC 7047 5.1) on rows of the simulated database, parsed from the
// wire with the column's type and evaluated on the compact values of datum.ts.
import type { ColumnSchema } from '../../ovsdb/index.ts';
import { atomFromJson, compareAtoms, datumEquals, datumFromJson, internDatum, type Atom, type Datum, type NamedUuids } from './datum.ts';
import { OpError, constraintViolation, syntaxError } from './op-error.ts';
import { valueOf, type Row } from './rows.ts';
import type { ColumnInfo, TableInfo } from './schema.ts';

const UUID_SCHEMA: ColumnSchema = { type: { key: { type: 'uuid' }, min: 1, max: 1 }, ephemeral: false, mutable: false, kind: 'scalar' };
/** `_uuid` and `_version`, which rows hold as `_id` and `_v`. */
const UUID_COLUMN: ColumnInfo = {
  name: '_uuid',
  key: '"_uuid"',
  index: -1,
  schema: UUID_SCHEMA,
  bounds: { min: 1, max: 1 },
  optional: false,
  empty: 0,
};
const VERSION_COLUMN: ColumnInfo = { ...UUID_COLUMN, name: '_version', key: '"_version"' };

const FUNCTIONS = ['==', '!=', '<', '<=', '>', '>=', 'includes', 'excludes'] as const;
type Fn = (typeof FUNCTIONS)[number];

export type Clause = boolean | { column: ColumnInfo; fn: Fn; arg: Datum };

const ANY_COUNT = { min: 0, max: Infinity };

/** A column of `table` by name, `_uuid` and `_version` included. */
export function columnOf(table: TableInfo, name: string, json: unknown): ColumnInfo {
  if (name === '_uuid') return UUID_COLUMN;
  if (name === '_version') return VERSION_COLUMN;
  const column = table.byName.get(name);
  if (!column) throw new OpError('unknown column', `No column ${name} in table ${table.name}.`, json);
  return column;
}

/** A row's value of any column, `_uuid` and `_version` included. */
export function fieldOf(table: TableInfo, row: Row, column: ColumnInfo): Datum {
  if (column === UUID_COLUMN) return row._id;
  if (column === VERSION_COLUMN) return row._v;
  return valueOf(table, row, column.name);
}

/** Parses a where-clause list; `booleans`: monitor_cond also takes `true` and `false`. */
export function parseConditions(table: TableInfo, json: unknown, named?: NamedUuids, booleans = false): Clause[] {
  if (!Array.isArray(json)) throw syntaxError('Parsing where clause failed: expected an array', json);
  return json.map((c): Clause => {
    if (booleans && typeof c === 'boolean') return c;
    if (!Array.isArray(c) || c.length !== 3 || typeof c[0] !== 'string' || typeof c[1] !== 'string') {
      throw syntaxError('Parse error in condition.', c);
    }
    const column = columnOf(table, c[0], c);
    const fn = c[1] as Fn;
    if (!FUNCTIONS.includes(fn)) throw syntaxError(`Unknown function ${c[1]}`, c);
    const ordered = fn === '<' || fn === '<=' || fn === '>' || fn === '>=';
    const numeric = column.schema.type.key.type === 'integer' || column.schema.type.key.type === 'real';
    if (ordered && (column.schema.kind !== 'scalar' || !numeric)) {
      throw syntaxError(`Type mismatch: "${fn}" operator may not be applied to column ${column.name}.`, c);
    }
    const loose = fn === 'includes' || fn === 'excludes';
    return { column, fn, arg: datumFromJson(column, c[2], named, loose ? ANY_COUNT : undefined) };
  });
}

const atomsOf = (d: Datum): readonly Atom[] => (Array.isArray(d) ? (d as readonly Atom[]) : [d as Atom]);

/** Every element (or, for maps, pair) of `part` is in `whole`. */
function includesAll(isMap: boolean, whole: readonly Atom[], part: readonly Atom[]): boolean {
  const step = isMap ? 2 : 1;
  for (let i = 0; i < part.length; i += step) if (!has(isMap, whole, part, i)) return false;
  return true;
}

/** No element (or pair) of `part` is in `whole`. */
function excludesAll(isMap: boolean, whole: readonly Atom[], part: readonly Atom[]): boolean {
  const step = isMap ? 2 : 1;
  for (let i = 0; i < part.length; i += step) if (has(isMap, whole, part, i)) return false;
  return true;
}

function has(isMap: boolean, whole: readonly Atom[], part: readonly Atom[], i: number): boolean {
  const step = isMap ? 2 : 1;
  for (let j = 0; j < whole.length; j += step) if (whole[j] === part[i] && (!isMap || whole[j + 1] === part[i + 1])) return true;
  return false;
}

export function matches(table: TableInfo, row: Row, clauses: readonly Clause[]): boolean {
  for (const c of clauses) {
    if (typeof c === 'boolean') {
      if (!c) return false;
      continue;
    }
    const field = fieldOf(table, row, c.column);
    const isMap = c.column.schema.kind === 'map';
    let ok: boolean;
    switch (c.fn) {
      case '==':
        ok = datumEquals(field, c.arg);
        break;
      case '!=':
        ok = !datumEquals(field, c.arg);
        break;
      case 'includes':
        ok = includesAll(isMap, atomsOf(field), atomsOf(c.arg));
        break;
      case 'excludes':
        ok = excludesAll(isMap, atomsOf(field), atomsOf(c.arg));
        break;
      default: {
        const cmp = compareAtoms(field as Atom, c.arg as Atom);
        ok = c.fn === '<' ? cmp < 0 : c.fn === '<=' ? cmp <= 0 : c.fn === '>' ? cmp > 0 : cmp >= 0;
      }
    }
    if (!ok) return false;
  }
  return true;
}

/** The `_uuid == U` clause of a where-clause list, if it has one: the row to look at. */
export function uuidClause(clauses: readonly Clause[]): number | undefined {
  for (const c of clauses) if (typeof c !== 'boolean' && c.column === UUID_COLUMN && c.fn === '==') return c.arg as number;
  return undefined;
}

// --- mutations --------------------------------------------------------------------------------

const ARITHMETIC = ['+=', '-=', '*=', '/=', '%='] as const;
const MUTATORS = [...ARITHMETIC, 'insert', 'delete'] as const;
type Mutator = (typeof MUTATORS)[number];

export interface Mutation {
  column: ColumnInfo;
  mutator: Mutator;
  arg: Datum;
  /** A map column's `delete` given a set of keys rather than a map. */
  keys: boolean;
}

export function parseMutations(table: TableInfo, json: unknown, named?: NamedUuids): Mutation[] {
  if (!Array.isArray(json)) throw syntaxError('"mutations" is not an array', json);
  return json.map((m): Mutation => {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string' || typeof m[1] !== 'string')
      throw syntaxError('Parse error in mutation.', m);
    const column = columnOf(table, m[0], m);
    const mutator = m[1] as Mutator;
    if (!MUTATORS.includes(mutator)) throw syntaxError(`Unknown mutator: ${m[1]}`, m);
    if (!column.schema.mutable || column.name.startsWith('_')) {
      throw constraintViolation(`Cannot mutate immutable column ${column.name} in table ${table.name}.`);
    }
    const type = column.schema.type;
    if ((ARITHMETIC as readonly string[]).includes(mutator)) {
      const ok = (type.key.type === 'integer' || (type.key.type === 'real' && mutator !== '%=')) && column.schema.kind !== 'map';
      if (!ok) throw syntaxError(`Type mismatch: "${mutator}" operator may not be applied to column ${column.name}.`, m);
      const { enum: _e, minInteger: _a, maxInteger: _b, minReal: _c, maxReal: _d, ...base } = type.key;
      return { column, mutator, arg: atomFromJson(base, m[2], named), keys: false };
    }
    if (column.schema.kind === 'scalar')
      throw syntaxError(`Type mismatch: "${mutator}" operator may not be applied to column ${column.name}.`, m);
    const keys = column.schema.kind === 'map' && mutator === 'delete' && !(Array.isArray(m[2]) && m[2][0] === 'map');
    return { column, mutator, arg: datumFromJson(column, m[2], named, ANY_COUNT, keys), keys };
  });
}

function arithmetic(mutator: Mutator, a: number, b: number, integer: boolean): number {
  if ((mutator === '/=' || mutator === '%=') && b === 0) throw new OpError('domain error', 'Division by zero.');
  switch (mutator) {
    case '+=':
      return a + b;
    case '-=':
      return a - b;
    case '*=':
      return a * b;
    case '/=':
      return integer ? Math.trunc(a / b) : a / b;
    default:
      return a % b;
  }
}

/** The column's value after the mutation, checked against the column's type. */
export function mutate(table: TableInfo, row: Row, m: Mutation): Datum {
  const { column } = m;
  const type = column.schema.type;
  const field = valueOf(table, row, column.name);
  const isMap = column.schema.kind === 'map';
  let out: Atom[];
  if ((ARITHMETIC as readonly string[]).includes(m.mutator)) {
    const integer = type.key.type === 'integer';
    out = atomsOf(field).map((a) => arithmetic(m.mutator, a as number, m.arg as number, integer));
    for (const a of out) atomFromJson(type.key, a);
    if (column.schema.kind === 'scalar') return out[0]!;
    out.sort(compareAtoms);
    for (let i = 1; i < out.length; i++)
      if (out[i] === out[i - 1]) throw constraintViolation(`Result of "${m.mutator}" operation contains duplicate values.`);
  } else if (m.mutator === 'insert') {
    const add = atomsOf(m.arg);
    const step = isMap ? 2 : 1;
    out = [...atomsOf(field)];
    const present = new Set(out.filter((_, j) => j % step === 0));
    for (let i = 0; i < add.length; i += step) {
      if (present.has(add[i]!)) continue;
      present.add(add[i]!);
      out.push(...add.slice(i, i + step));
    }
    out = sortFlat(out, step);
  } else {
    const drop = atomsOf(m.arg);
    const dropKeys = m.keys || !isMap ? new Set(drop) : undefined;
    const all = atomsOf(field);
    out = [];
    const step = isMap ? 2 : 1;
    for (let i = 0; i < all.length; i += step) {
      const gone = dropKeys ? dropKeys.has(all[i]!) : has(true, drop, all, i);
      if (!gone) out.push(...all.slice(i, i + step));
    }
  }
  const n = isMap ? out.length / 2 : out.length;
  const max = type.max === 'unlimited' ? Infinity : type.max;
  if (n < type.min || n > max) {
    throw constraintViolation(
      `Attempted to store ${n} elements in ${isMap ? 'map' : 'set'} of ${type.key.type} type (${type.min} to ${type.max} elements allowed).`,
    );
  }
  return internDatum(out, column);
}

function sortFlat(atoms: Atom[], step: number): Atom[] {
  if (step === 1) return atoms.sort(compareAtoms);
  const pairs: [Atom, Atom][] = [];
  for (let i = 0; i < atoms.length; i += 2) pairs.push([atoms[i]!, atoms[i + 1]!]);
  return pairs.sort((a, b) => compareAtoms(a[0], b[0])).flat();
}
