// Reads a topology file: YAML with positions, then the schema, then the semantic rules. Every
// problem found on the way is reported at once, each at its line and column.

import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { TopologyError, compareIssues, type IssuePath, type PathIssue, type TopologyIssue } from './issues.ts';
import { TopologySchema, type Topology } from './schema.ts';
import { validateTopology } from './validate.ts';
import { topologyWarnings } from './warnings.ts';
import { positionOfOffset, positionOfPath, type Position, type PositionOptions } from './yaml-position.ts';
import { pruneInvalid, showValue } from './raw-data.ts';
import { expectedText, pathIssuesFromZod } from './zod-issues.ts';

export interface LoadedTopology {
  file: string;
  source: string;
  /** The validated topology. */
  topology: Topology;
  /** What the file may hold but should not (topologyWarnings), placed in the file; commands print them. */
  warnings: TopologyIssue[];
  /** The parsed YAML document, for modules that locate their own keys (scenario steps). */
  document: Document;
  /** Where `path` is in the file (for a missing key: the mapping that lacks it). */
  positionOf(path: readonly (string | number)[], options?: PositionOptions): Position;
  /**
   * Places path issues found elsewhere (e.g. in scenario steps) in this file; `prefix` is the path
   * of the data they were found in, e.g. ['scenarios', 'smoke', 2].
   */
  toIssues(found: readonly PathIssue[], prefix?: readonly (string | number)[]): TopologyIssue[];
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
  const toIssues = (found: readonly PathIssue[], prefix: readonly (string | number)[] = []): TopologyIssue[] =>
    found.map(({ atKey, ...issue }) => {
      const path = [...prefix, ...issue.path];
      return { file, ...positionOf(path, { atKey: atKey ?? false }), ...issue, path };
    });
  const addPathIssues = (found: readonly PathIssue[]): void => {
    issues.push(...toIssues(found));
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
    addPathIssues(pathIssuesFromZod(TopologySchema, data, parsed.error.issues));
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
  const valid = parsed.data as Topology;
  const warnings = toIssues(topologyWarnings(valid, { locate: (path) => positionOf(path, { atKey: true }) })).sort(compareIssues);
  return { file, source, topology: valid, warnings, document: doc, positionOf, toIssues };
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
