// Helpers over the plain data the YAML turned into, before the schema accepted it: find what an
// issue path points at, and drop rejected parts so the semantic rules can still run on the rest.

type Path = (string | number)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The part of `path` that exists in `data`. A path that runs past a scalar (a shorthand such as
 * `hv1: hypervisor`, checked as `{ role: hypervisor }`) stops at the scalar; a path whose last
 * existing container lacks the next key is `missing` that key.
 */
export function resolveRawPath(data: unknown, path: readonly (string | number)[]): { path: Path; missing: boolean } {
  let node = data;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string | number;
    if (Array.isArray(node)) {
      if (typeof seg !== 'number' || seg >= node.length) return { path: path.slice(0, i + 1), missing: true };
      node = node[seg];
    } else if (isRecord(node)) {
      if (!Object.hasOwn(node, String(seg))) return { path: path.slice(0, i + 1), missing: true };
      node = node[String(seg)];
    } else {
      return { path: path.slice(0, i), missing: false };
    }
  }
  return { path: [...path], missing: false };
}

export function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let node = data;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isRecord(node)) node = node[String(seg)];
    else return undefined;
  }
  return node;
}

/** A value as an issue message shows it: `"abc"`, `42`, `a list`, `a mapping`, `nothing`. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function deleteAt(data: unknown, path: readonly (string | number)[]): boolean {
  const parent = valueAt(data, path.slice(0, -1));
  const key = path.at(-1);
  if (isRecord(parent) && key !== undefined && Object.hasOwn(parent, String(key))) {
    delete parent[String(key)];
    return true;
  }
  return false;
}

interface SafeParse<T> {
  success: boolean;
  data?: T;
  error?: { issues: readonly { code: string; path: readonly PropertyKey[]; keys?: readonly string[] }[] };
}

export interface Pruned<T> {
  /** What the schema accepted once rejected parts were dropped; undefined when too little was left. */
  topology: T | undefined;
  /** Names of dropped entries (nodes, switches, …): references to them are not errors of their own. */
  unknownNames: Set<string>;
  /** Top-level sections dropped whole. */
  unknownSections: Set<string>;
  /** Top-level sections some entries of which were dropped (so "there is none of X" is unsure). */
  partialSections: Set<string>;
}

/**
 * Drops each rejected value (or the entry lacking a required key) and parses again, until the
 * schema accepts what is left. The semantic rules then run on that, so one run reports problems
 * of both kinds; the dropped names are returned so their absence does not add false reports.
 */
export function pruneInvalid<T>(data: unknown, parse: (data: unknown) => SafeParse<T>): Pruned<T> {
  const work: unknown = structuredClone(data);
  const unknownNames = new Set<string>();
  const unknownSections = new Set<string>();
  const partialSections = new Set<string>();
  const giveUp: Pruned<T> = { topology: undefined, unknownNames, unknownSections, partialSections };
  for (let round = 0; round < 100; round++) {
    const result = parse(work);
    if (result.success) return { topology: result.data, unknownNames, unknownSections, partialSections };
    let changed = false;
    for (const issue of result.error?.issues ?? []) {
      const issuePath = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys ?? []) changed = deleteAt(work, [...issuePath, key]) || changed;
        continue;
      }
      if (issuePath.length === 1 && issuePath[0] === 'name' && isRecord(work)) {
        // The lab name matters to no semantic rule: any valid one lets the rest be checked.
        work.name = 'lab';
        changed = true;
        continue;
      }
      const resolved = resolveRawPath(work, issuePath);
      let path = resolved.missing ? resolved.path.slice(0, -1) : resolved.path;
      while (typeof path.at(-1) === 'number') path = path.slice(0, -1);
      if (path.length === 0) return giveUp;
      const last = path.at(-1);
      if (path.length === 1) unknownSections.add(String(last));
      else if (typeof last === 'string') unknownNames.add(last);
      if (path.length === 2) partialSections.add(String(path[0]));
      changed = deleteAt(work, path) || changed;
    }
    if (!changed) return giveUp;
  }
  return giveUp;
}
