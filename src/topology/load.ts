// Reads a topology file: YAML with positions, then the schema, then the semantic rules. Every
// problem found on the way is reported at once, each at its line and column.

import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { TopologyError, compareIssues, type IssuePath, type PathIssue, type TopologyIssue } from './issues.ts';
import { TopologySchema, type Topology } from './schema.ts';
import { validateTopology } from './validate.ts';
import { positionOfOffset, positionOfPath, type Position, type PositionOptions } from './yaml-position.ts';
import { pruneInvalid, resolveRawPath, showValue, valueAt } from './raw-data.ts';

export interface LoadedTopology {
  file: string;
  source: string;
  /** The validated topology. */
  topology: Topology;
  /** The parsed YAML document, for modules that locate their own keys (scenario steps). */
  document: Document;
  /** Where `path` is in the file (for a missing key: the mapping that lacks it). */
  positionOf(path: readonly (string | number)[], options?: PositionOptions): Position;
}

// The default "expected …" text for issues whose schema gives none of its own.
const TYPE_NAMES: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};
const expectedText: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return TYPE_NAMES[iss.expected] ?? iss.expected;
    case 'too_small':
      return `at least ${String(iss.minimum)}`;
    case 'too_big':
      return `at most ${String(iss.maximum)}`;
    case 'invalid_value':
      return `one of ${iss.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
};

type SchemaNode = { _zod: { def: Record<string, unknown> & { type: string } } };

// The keys an object of the schema accepts at `path`, to list them next to an unknown key.
function knownKeys(path: readonly PropertyKey[]): string[] {
  let node = TopologySchema as unknown as SchemaNode | undefined;
  let i = 0;
  while (node) {
    const def = node._zod.def;
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.out as SchemaNode;
    else if (i === path.length) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    else if (def.type === 'object') node = (def.shape as Record<string, SchemaNode>)[String(path[i++])];
    else if (def.type === 'record') (node = def.valueType as SchemaNode), i++;
    else if (def.type === 'array') (node = def.element as SchemaNode), i++;
    else return [];
  }
  return [];
}

/** Turns zod's issues into path issues worded for people (see issues.ts for the shape). */
function schemaIssues(data: unknown, zodIssues: readonly z.core.$ZodIssue[]): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of zodIssues) {
    const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys(path);
      for (const key of iss.keys) {
        out.push({
          path: [...path, key],
          message: `unknown key "${key}"`,
          ...(known.length > 0 ? { expected: `one of ${known.join(', ')}` } : {}),
          atKey: true,
        });
      }
      continue;
    }
    const { path: rawPath, missing } = resolveRawPath(data, path);
    const value = valueAt(data, rawPath);
    let message: string;
    let atKey = false;
    if (missing) message = `missing key "${String(rawPath.at(-1))}"`;
    else if (iss.code === 'invalid_key') (message = `invalid name "${String(rawPath.at(-1))}"`), (atKey = true);
    else if (iss.code === 'invalid_type') message = `wrong type: got ${showValue(value)}`;
    else message = `invalid value ${showValue(value)}`;
    const expected = iss.code === 'invalid_key' ? iss.issues[0]?.message : iss.message;
    out.push({ path: rawPath, message, ...(expected ? { expected } : {}), ...(atKey ? { atKey } : {}) });
  }
  return out;
}

// The YAML library keeps the last of two equal keys; the user meant something, so say which one.
function duplicateKeys(doc: Document, lineCounter: LineCounter, file: string): TopologyIssue[] {
  const out: TopologyIssue[] = [];
  const offset = (node: unknown): number => (node as { range?: number[] } | null)?.range?.[0] ?? 0;
  const walk = (node: unknown, path: IssuePath): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const firstOffset = seen.get(key);
        if (firstOffset !== undefined) {
          const first = positionOfOffset(lineCounter, firstOffset).line;
          out.push({
            file,
            ...positionOfOffset(lineCounter, offset(pair.key)),
            path: [...path, key],
            message: `duplicate key "${key}"; the first one is at line ${first}`,
            expected: 'each key once in a mapping',
          });
        } else seen.set(key, offset(pair.key));
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return out;
}

/** Parses and validates a topology from its text; throws TopologyError listing every problem. */
export function parseTopology(source: string, file: string): LoadedTopology {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const positionOf = (path: readonly (string | number)[], options: PositionOptions = {}): Position =>
    positionOfPath(doc, lineCounter, path, options);
  const issues: TopologyIssue[] = [];
  const fail = (): never => {
    throw new TopologyError(file, issues.sort(compareIssues));
  };
  const addPathIssues = (found: readonly PathIssue[]): void => {
    for (const { atKey, ...issue } of found) {
      issues.push({ file, ...positionOf(issue.path, { atKey: atKey ?? false }), ...issue });
    }
  };

  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const message =
        err.code === 'MULTIPLE_DOCS' ? 'the file holds several documents; a topology is one' : (err.message.split('\n')[0] ?? err.message);
      issues.push({ file, ...positionOfOffset(lineCounter, err.pos[0]), path: [], message: `YAML syntax error: ${message}` });
    }
    fail();
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    issues.push({ file, line: 1, column: 1, path: [], message: 'the file is empty', expected: 'a topology mapping' });
    fail();
  }
  if (!isMap(root)) {
    const what = isSeq(root) ? 'a list' : `${showValue(isScalar(root) ? root.value : root)}`;
    issues.push({ file, ...positionOf([]), path: [], message: `the top level is ${what}`, expected: 'a topology mapping' });
    fail();
  }
  issues.push(...duplicateKeys(doc, lineCounter, file));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.push({ file, line: 1, column: 1, path: [], message: `cannot read the YAML: ${(err as Error).message}` });
    fail();
  }
  const parsed = TopologySchema.safeParse(data, { error: expectedText });
  let topology: Topology | undefined;
  let pruned = { unknownNames: new Set<string>(), unknownSections: new Set<string>(), partialSections: new Set<string>() };
  if (parsed.success) {
    topology = parsed.data;
  } else {
    addPathIssues(schemaIssues(data, parsed.error.issues));
    // Still check the rest of the file, so one run shows every problem.
    const lenient = pruneInvalid(data, (d) => TopologySchema.safeParse(d));
    topology = lenient.topology;
    pruned = lenient;
  }
  if (topology) {
    addPathIssues(
      validateTopology(topology, {
        locate: (path) => positionOf(path, { atKey: true }),
        unknownNames: pruned.unknownNames,
        unknownSections: pruned.unknownSections,
        partialSections: pruned.partialSections,
      }),
    );
  }
  if (issues.length > 0 || !parsed.success) fail();
  return { file, source, topology: parsed.data as Topology, document: doc, positionOf };
}

/** Reads `file` and parses it as a topology. */
export async function loadTopology(file: string): Promise<LoadedTopology> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new TopologyError(file, [{ file, line: 1, column: 1, path: [], message: `cannot read the file: ${reason}` }], { cause: err });
  }
  return parseTopology(source, file);
}
