// Column values as the simulated database holds them, small and typed by the schema: an atom is
// a number, string or boolean (a uuid atom is a row id, uuids.ts); a scalar column holds its
// atom; a set column a sorted array of distinct atoms; a map column a flat array
// [k0, v0, k1, v1, ...] sorted by key. Values that repeat across nodes (a tunnel's options, BFD
// settings) are shared. Converted from and to OVSDB's wire form (RFC 7047 5.1) with ovsdb-server's
// errors, and diffed as update2 sends a modification.
import type { BaseType } from '../../ovsdb/index.ts';
import { constraintViolation, syntaxError } from './op-error.ts';
import { EMPTY, type ColumnInfo } from './schema.ts';
import { formatUuid, isUuid, parseUuid } from './uuids.ts';

export type Atom = number | string | boolean;
export type Datum = Atom | readonly Atom[];

/** Resolves a transaction's named-uuid (the row inserted under that uuid-name). */
export type NamedUuids = (name: string) => number | undefined;

export function compareAtoms(a: Atom, b: Atom): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- sharing ----------------------------------------------------------------------------------

const INTERN_LIMIT = 200_000;
let strings = new Map<string, string>();
let datums = new Map<string, readonly Atom[]>();

/** One copy of a short string per process (names, IPs, MACs repeat across nodes). */
export function internString(s: string): string {
  if (s.length > 64) return s;
  const had = strings.get(s);
  if (had !== undefined) return had;
  if (strings.size >= INTERN_LIMIT) strings = new Map();
  strings.set(s, s);
  return s;
}

/** The key a datum is shared under: its atoms, each tagged with its type; undefined for one
 *  holding a string with a NUL (never in practice), which is then not shared. */
function datumKey(d: readonly Atom[]): string | undefined {
  let key = '';
  for (const a of d) {
    if (typeof a === 'string') {
      if (a.includes('\0')) return undefined;
      key += `\0${a}`;
    } else key += `${typeof a === 'number' ? '\u0001' : '\u0002'}${a}`;
  }
  return key;
}

/** One frozen copy per process of a set or map of strings and numbers; rows never change one. */
export function internDatum(d: readonly Atom[], column: ColumnInfo): readonly Atom[] {
  if (d.length === 0) return EMPTY;
  if (column.keyRef || column.valueRef) return Object.freeze(d);
  const key = datumKey(d);
  if (key === undefined) return Object.freeze(d);
  const had = datums.get(key);
  if (had) return had;
  if (datums.size >= INTERN_LIMIT) datums = new Map();
  Object.freeze(d);
  datums.set(key, d);
  return d;
}

// --- from the wire ----------------------------------------------------------------------------

function checkAtom(base: BaseType, atom: Atom): Atom {
  if (base.enum && !base.enum.includes(atom)) {
    throw constraintViolation(`${String(atom)} is not one of the allowed values ([${base.enum.map(String).sort().join(', ')}])`);
  }
  if (typeof atom === 'number' && base.type === 'integer') {
    const { minInteger: min, maxInteger: max } = base;
    if ((min !== undefined && atom < min) || (max !== undefined && atom > max)) {
      const range = min !== undefined && max !== undefined ? `in the valid range ${min} to ${max} (inclusive)` : undefined;
      throw constraintViolation(
        range
          ? `${atom} is not ${range}`
          : min !== undefined
            ? `${atom} is less than minimum allowed value ${min}`
            : `${atom} is greater than maximum allowed value ${max}`,
      );
    }
  }
  if (typeof atom === 'string' && (base.minLength !== undefined || base.maxLength !== undefined)) {
    const length = Buffer.byteLength(atom);
    if (base.minLength !== undefined && length < base.minLength)
      throw constraintViolation(`"${atom}" length ${length} is less than minimum allowed length ${base.minLength}`);
    if (base.maxLength !== undefined && length > base.maxLength)
      throw constraintViolation(`"${atom}" length ${length} is greater than maximum allowed length ${base.maxLength}`);
  }
  return atom;
}

/** One atom of type `base` from its JSON. */
export function atomFromJson(base: BaseType, json: unknown, named?: NamedUuids): Atom {
  switch (base.type) {
    case 'integer':
      if (typeof json !== 'number' || !Number.isInteger(json)) throw syntaxError('expected integer', json);
      return checkAtom(base, json);
    case 'real':
      if (typeof json !== 'number') throw syntaxError('expected real', json);
      return checkAtom(base, json);
    case 'boolean':
      if (typeof json !== 'boolean') throw syntaxError('expected boolean', json);
      return json;
    case 'string':
      if (typeof json !== 'string') throw syntaxError('expected string', json);
      return checkAtom(base, internString(json));
    case 'uuid':
      return uuidFromJson(json, named);
  }
}

function uuidFromJson(json: unknown, named?: NamedUuids): number {
  if (Array.isArray(json) && json.length === 2 && typeof json[1] === 'string') {
    if (json[0] === 'uuid') {
      if (!isUuid(json[1])) throw syntaxError(`"${json[1]}" is not a valid UUID`, json);
      return parseUuid(json[1]);
    }
    if (json[0] === 'named-uuid') {
      const id = named?.(json[1]);
      if (id === undefined) throw syntaxError(`named-uuid "${json[1]}" not found`, json);
      return id;
    }
  }
  throw syntaxError('expected uuid', json);
}

/** Sorts a flat array of `step`-atom entries by their first atom (insertion sort: values are
 *  short); throws on two equal keys. */
function sortEntries(flat: Atom[], step: number, what: string, json: unknown): Atom[] {
  for (let i = step; i < flat.length; i += step) {
    const k = flat[i]!;
    const v = flat[i + 1]!;
    let j = i - step;
    while (j >= 0 && flat[j]! > k) {
      flat[j + step] = flat[j]!;
      if (step === 2) flat[j + 3] = flat[j + 1]!;
      j -= step;
    }
    if (j >= 0 && flat[j] === k) throw syntaxError(`${what} contains duplicate ${step === 2 ? 'key' : 'value'}`, json);
    flat[j + step] = k;
    if (step === 2) flat[j + 3] = v;
  }
  return flat;
}

/** Bounds of a column's number of elements, or of a looser type (conditions, mutations). */
export interface Bounds {
  min: number;
  max: number;
}

function checkCount(n: number, bounds: Bounds, json: unknown): void {
  if (n < bounds.min || n > bounds.max) {
    const max = bounds.max === Infinity ? 'unlimited' : bounds.max;
    throw syntaxError(`set must have ${bounds.min} to ${max} members but ${n} are present`, json);
  }
}

/** A column value from its JSON (a bare atom is a one-element set). `bounds` loosens the count
 *  (a condition's or mutation's argument); `asKeys` reads a map column's key set (map delete). */
export function datumFromJson(
  column: ColumnInfo,
  json: unknown,
  named?: NamedUuids,
  bounds: Bounds = column.bounds,
  asKeys = false,
): Datum {
  const { key, value } = column.schema.type;
  if (value && !asKeys) {
    if (!Array.isArray(json) || json[0] !== 'map' || !Array.isArray(json[1])) throw syntaxError('expected map', json);
    const pairs = json[1] as unknown[];
    const flat: Atom[] = new Array<Atom>(pairs.length * 2);
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      if (!Array.isArray(pair) || pair.length !== 2) throw syntaxError('expected [key, value] pair', pair);
      flat[2 * i] = atomFromJson(key, pair[0], named);
      flat[2 * i + 1] = atomFromJson(value, pair[1], named);
    }
    checkCount(pairs.length, bounds, json);
    return internDatum(sortEntries(flat, 2, 'map', json), column);
  }
  if (Array.isArray(json) && json[0] === 'set') {
    const elements = json[1];
    if (!Array.isArray(elements)) throw syntaxError('expected set', json);
    const atoms: Atom[] = new Array<Atom>(elements.length);
    for (let i = 0; i < elements.length; i++) atoms[i] = atomFromJson(key, elements[i], named);
    checkCount(atoms.length, bounds, json);
    if (column.schema.kind === 'scalar' && bounds.max === 1 && !asKeys) return atoms[0]!;
    return internDatum(sortEntries(atoms, 1, 'set', json), column);
  }
  const atom = atomFromJson(key, json, named);
  checkCount(1, bounds, json);
  if (column.schema.kind === 'scalar' && bounds.max === 1 && !asKeys) return atom;
  return internDatum([atom], column);
}

// --- to the wire ------------------------------------------------------------------------------

export function atomToJson(base: BaseType, atom: Atom): unknown {
  return base.type === 'uuid' ? ['uuid', formatUuid(atom as number)] : atom;
}

/** A column value as ovsdb-server sends it: a one-element set as its bare atom. */
export function datumToJson(column: ColumnInfo, d: Datum): unknown {
  const { key, value } = column.schema.type;
  if (!Array.isArray(d)) return atomToJson(key, d as Atom);
  const atoms = d as readonly Atom[];
  if (value) {
    const pairs: unknown[] = [];
    for (let i = 0; i < atoms.length; i += 2) pairs.push([atomToJson(key, atoms[i]!), atomToJson(value, atoms[i + 1]!)]);
    return ['map', pairs];
  }
  if (atoms.length === 1) return atomToJson(key, atoms[0]!);
  return ['set', atoms.map((a) => atomToJson(key, a))];
}

function atomText(base: BaseType, atom: Atom): string {
  if (base.type === 'uuid') return `["uuid","${formatUuid(atom as number)}"]`;
  return typeof atom === 'string' ? JSON.stringify(atom) : String(atom);
}

/** datumToJson's value written as JSON text directly: monitors send thousands of rows, and
 *  the arrays datumToJson makes for each cost more than the text. */
export function datumText(column: ColumnInfo, d: Datum): string {
  const { key, value } = column.schema.type;
  if (!Array.isArray(d)) return atomText(key, d as Atom);
  const atoms = d as readonly Atom[];
  if (value) {
    let text = '["map",[';
    for (let i = 0; i < atoms.length; i += 2) text += `${i ? ',' : ''}[${atomText(key, atoms[i]!)},${atomText(value, atoms[i + 1]!)}]`;
    return `${text}]]`;
  }
  if (atoms.length === 1) return atomText(key, atoms[0]!);
  let text = '["set",[';
  for (let i = 0; i < atoms.length; i++) text += `${i ? ',' : ''}${atomText(key, atoms[i]!)}`;
  return `${text}]]`;
}

export function datumEquals(a: Datum, b: Datum): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What update2 sends for a modified column (as a value to write like any other): a scalar's or optional column's new value; a set's
 * elements that flip; a map's pairs that are new or changed (with the new value) or gone (with
 * the old one).
 */
export function diffDatum(column: ColumnInfo, old: Datum, now: Datum): Datum {
  if (!Array.isArray(now) || column.optional) return now;
  const a = old as readonly Atom[];
  const b = now as readonly Atom[];
  const out: Atom[] = [];
  if (column.schema.type.value) {
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const c = i >= a.length ? 1 : j >= b.length ? -1 : compareAtoms(a[i]!, b[j]!);
      if (c < 0) out.push(a[i]!, a[i + 1]!);
      else if (c > 0) out.push(b[j]!, b[j + 1]!);
      else if (a[i + 1] !== b[j + 1]) out.push(b[j]!, b[j + 1]!);
      if (c <= 0) i += 2;
      if (c >= 0) j += 2;
    }
  } else {
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const c = i >= a.length ? 1 : j >= b.length ? -1 : compareAtoms(a[i]!, b[j]!);
      if (c < 0) out.push(a[i++]!);
      else if (c > 0) out.push(b[j++]!);
      else {
        i++;
        j++;
      }
    }
  }
  return out;
}

/** The entries of a map datum as [key, value] pairs. */
export function mapEntries(d: Datum): [Atom, Atom][] {
  const atoms = Array.isArray(d) ? (d as readonly Atom[]) : [];
  const out: [Atom, Atom][] = [];
  for (let i = 0; i < atoms.length; i += 2) out.push([atoms[i]!, atoms[i + 1]!]);
  return out;
}

/** A map datum's value for `key`. */
export function mapValue(d: Datum | undefined, key: Atom): Atom | undefined {
  if (!Array.isArray(d)) return undefined;
  const atoms = d as readonly Atom[];
  for (let i = 0; i < atoms.length; i += 2) if (atoms[i] === key) return atoms[i + 1];
  return undefined;
}

/** A map datum from entries (any order), shared like every other. */
export function mapDatum(column: ColumnInfo, entries: Iterable<readonly [Atom, Atom]>): readonly Atom[] {
  const sorted = [...entries].sort((x, y) => compareAtoms(x[0], y[0]));
  return internDatum(
    sorted.flatMap(([k, v]) => [typeof k === 'string' ? internString(k) : k, typeof v === 'string' ? internString(v) : v]),
    column,
  );
}

/** A set datum from atoms (any order). */
export function setDatum(column: ColumnInfo, atoms: Iterable<Atom>): readonly Atom[] {
  return internDatum([...new Set(atoms)].sort(compareAtoms), column);
}
