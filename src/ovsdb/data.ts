// OVSDB data (RFC 7047 section 5.1) in friendly JS form. The convention, one rule per kind:
//   integer, real -> number        boolean -> boolean          string -> string
//   ["uuid", u]       -> Uuid       ["named-uuid", n] -> NamedUuid
//   ["set", [a, ...]] -> Atom[]     (a JS array; order carries no meaning)
//   ["map", [[k, v], ...]] -> Map<Atom, Atom>
// Without a schema a bare atom decodes to the atom; with a column type (see schema.ts), set-typed
// columns always decode to arrays (also a one-element set sent as a bare atom) and map columns to Maps.
import { OvsdbDataError } from './errors.ts';

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const NAMED_UUID_RE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** A row reference by UUID. Compare with `equals` or by `.uuid`, never with `===`. */
export class Uuid {
  constructor(readonly uuid: string) {
    if (!UUID_RE.test(uuid)) throw new OvsdbDataError(`not a UUID: ${JSON.stringify(uuid)}`);
  }
  equals(other: unknown): boolean {
    return other instanceof Uuid && other.uuid.toLowerCase() === this.uuid.toLowerCase();
  }
  toString(): string {
    return this.uuid;
  }
}

/** A reference, inside one transaction, to a row inserted with `uuid-name` (e.g. "newport"). */
export class NamedUuid {
  constructor(readonly name: string) {
    if (!NAMED_UUID_RE.test(name)) throw new OvsdbDataError(`not a valid uuid-name: ${JSON.stringify(name)}`);
  }
  equals(other: unknown): boolean {
    return other instanceof NamedUuid && other.name === this.name;
  }
  toString(): string {
    return this.name;
  }
}

export const uuid = (u: string): Uuid => new Uuid(u);
export const namedUuid = (name: string): NamedUuid => new NamedUuid(name);

export type Atom = number | boolean | string | Uuid | NamedUuid;
export type OvsdbSet = Atom[];
export type OvsdbMap = Map<Atom, Atom>;
export type Value = Atom | OvsdbSet | OvsdbMap;

export function isAtom(v: unknown): v is Atom {
  return (
    (typeof v === 'number' && Number.isFinite(v)) ||
    typeof v === 'boolean' ||
    typeof v === 'string' ||
    v instanceof Uuid ||
    v instanceof NamedUuid
  );
}

export function encodeAtom(a: Atom): unknown {
  if (a instanceof Uuid) return ['uuid', a.uuid];
  if (a instanceof NamedUuid) return ['named-uuid', a.name];
  if (typeof a === 'number' && !Number.isFinite(a)) throw new OvsdbDataError(`cannot encode number ${a}`);
  if (typeof a === 'number' || typeof a === 'boolean' || typeof a === 'string') return a;
  throw new OvsdbDataError(`not an OVSDB atom: ${describe(a)}`);
}

/** Encodes a JS value to its wire form: arrays become sets, Maps become maps. */
export function encodeValue(v: Value): unknown {
  if (Array.isArray(v)) return ['set', v.map(encodeAtom)];
  if (v instanceof Map) return ['map', [...v].map(([k, val]) => [encodeAtom(k), encodeAtom(val)])];
  return encodeAtom(v);
}

export function decodeAtom(json: unknown): Atom {
  if (typeof json === 'number' || typeof json === 'boolean' || typeof json === 'string') return json;
  if (Array.isArray(json) && json.length === 2 && typeof json[1] === 'string') {
    if (json[0] === 'uuid') return new Uuid(json[1]);
    if (json[0] === 'named-uuid') return new NamedUuid(json[1]);
  }
  throw new OvsdbDataError(`not an OVSDB atom: ${describe(json)}`);
}

/** Decodes wire data without a schema: a bare atom stays an atom. */
export function decodeValue(json: unknown): Value {
  if (Array.isArray(json) && json.length === 2) {
    if (json[0] === 'set') {
      if (!Array.isArray(json[1])) throw new OvsdbDataError(`set without an array: ${describe(json)}`);
      return json[1].map(decodeAtom);
    }
    if (json[0] === 'map') {
      if (!Array.isArray(json[1])) throw new OvsdbDataError(`map without an array: ${describe(json)}`);
      const m: OvsdbMap = new Map();
      for (const pair of json[1] as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new OvsdbDataError(`map pair is not [key, value]: ${describe(pair)}`);
        m.set(decodeAtom(pair[0]), decodeAtom(pair[1]));
      }
      return m;
    }
  }
  return decodeAtom(json);
}

/** Structural equality of values; sets compare as sets, maps by key/value. */
export function valueEquals(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const keys = new Set(b.map(atomKey));
    return a.every((x) => keys.has(atomKey(x)));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    const bm = new Map([...b].map(([k, v]) => [atomKey(k), atomKey(v)]));
    for (const [k, v] of a) if (bm.get(atomKey(k)) !== atomKey(v)) return false;
    return true;
  }
  return atomKey(a) === atomKey(b);
}

/** A string that identifies an atom by value (type-tagged), for use as a Set or Map key. */
export function atomKey(a: Atom): string {
  if (a instanceof Uuid) return `u:${a.uuid.toLowerCase()}`;
  if (a instanceof NamedUuid) return `n:${a.name}`;
  if (typeof a === 'string') return `s:${a}`;
  if (typeof a === 'number') return `i:${a}`;
  return `b:${a}`;
}

/** Looks up a map entry by value, so Uuid keys work. */
export function mapGet(m: OvsdbMap, key: Atom): Atom | undefined {
  if (!(key instanceof Uuid || key instanceof NamedUuid)) return m.get(key);
  const k = atomKey(key);
  for (const [mk, v] of m) if (atomKey(mk) === k) return v;
  return undefined;
}

function describe(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}
