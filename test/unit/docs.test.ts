// The reference pages cover every key the code accepts: the zod schemas of a topology file and
// of each scenario step are walked, and every key must be documented in docs/topology.md or
// docs/scenarios.md, in the section of the object that holds it. A key added to a schema without
// its line in the docs fails here.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STEP_DEFS } from '../../src/scenario/steps.ts';
import { parseScenarios } from '../../src/scenario/suite.ts';
import { parseTopology } from '../../src/topology/load.ts';
import { planLab } from '../../src/topology/plan.ts';
import { TopologySchema } from '../../src/topology/schema.ts';

const TOPOLOGY_DOC = readFileSync(new URL('../../docs/topology.md', import.meta.url), 'utf8');
const SCENARIOS_DOC = readFileSync(new URL('../../docs/scenarios.md', import.meta.url), 'utf8');

// ---- the schemas ----

type Def = Record<string, unknown> & { type: string };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** An object of a schema: the keys leading to it (record entries and list items add none) and its own keys. */
interface SchemaObject {
  path: string[];
  keys: string[];
}

// Types that hold no keys. Any other type must be walked below, so a new wrapper cannot hide keys.
const LEAVES = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'unknown', 'any', 'transform', 'null', 'undefined', 'custom']);

function objectsOf(schema: unknown, path: string[] = [], out: SchemaObject[] = []): SchemaObject[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const known = out.find((o) => o.path.join('.') === path.join('.'));
      if (known) known.keys.push(...Object.keys(shape).filter((k) => !known.keys.includes(k)));
      else out.push({ path, keys: Object.keys(shape) });
      for (const [key, value] of Object.entries(shape)) objectsOf(value, [...path, key], out);
      break;
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      objectsOf(def.innerType, path, out);
      break;
    case 'pipe': // preprocess and transform
      objectsOf(def.in, path, out);
      objectsOf(def.out, path, out);
      break;
    case 'record':
      objectsOf(def.valueType, path, out);
      break;
    case 'array':
      objectsOf(def.element, path, out);
      break;
    case 'union':
      for (const option of def.options as unknown[]) objectsOf(option, path, out);
      break;
    case 'intersection':
      objectsOf(def.left, path, out);
      objectsOf(def.right, path, out);
      break;
    case 'lazy':
      objectsOf((def.getter as () => unknown)(), path, out);
      break;
    default:
      if (!LEAVES.has(def.type))
        throw new Error(`the docs test does not know zod type "${def.type}" at ${path.join('.') || 'the top'}: teach objectsOf`);
  }
  return out;
}

/** Every key of a step's schema, nested ones written with dots: `expect.exit`. */
const stepKeys = (schema: unknown): string[] => objectsOf(schema).flatMap((o) => o.keys.map((k) => [...o.path, k].join('.')));

// ---- the pages ----

interface Heading {
  line: number;
  level: number;
  spans: string[];
}

const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

/** A page's lines and headings; `#` lines inside fenced code (YAML comments) are not headings. */
function outline(markdown: string): { lines: string[]; headings: Heading[] } {
  const lines = markdown.split('\n');
  const headings: Heading[] = [];
  let fenced = false;
  lines.forEach((text, line) => {
    if (text.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^(#{1,6}) (.*)$/.exec(text);
    if (m) headings.push({ line, level: (m[1] as string).length, spans: codeSpans(m[2] as string) });
  });
  return { lines, headings };
}

interface Section {
  /** First and last-but-one line of the section, subsections included. */
  from: number;
  to: number;
  level: number;
}

type Page = ReturnType<typeof outline>;

/** The section under `parent` whose heading has a code span `matches`. */
function subsection(page: Page, parent: Section, matches: (span: string) => boolean): Section | undefined {
  const h = page.headings.find((x) => x.line >= parent.from && x.line < parent.to && x.level > parent.level && x.spans.some(matches));
  if (!h) return undefined;
  const next = page.headings.find((x) => x.line > h.line && x.level <= h.level);
  return { from: h.line + 1, to: Math.min(next?.line ?? page.lines.length, parent.to), level: h.level };
}

/** The keys a section documents in the first column of its own tables (its subsections' not counted). */
function rowKeys(page: Page, section: Section): Set<string> {
  const end = page.headings.find((h) => h.line >= section.from && h.line < section.to)?.line ?? section.to;
  const keys = new Set<string>();
  for (const text of page.lines.slice(section.from, end)) {
    if (text.startsWith('|')) for (const span of codeSpans(text.split('|')[1] ?? '')) keys.add(span);
  }
  return keys;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A heading's code span names `key` when it is the key, or starts with it: `ping: { from, to }`. */
const names =
  (key: string, prefix = '') =>
  (span: string): boolean =>
    new RegExp(`^${prefix}${escape(key)}(?=$|[:\\s])`).test(span);

/** Keys of `objects` that `page` does not document: each needs a row in its object's section, or a heading of its own there. */
function undocumentedTopologyKeys(page: Page, objects: readonly SchemaObject[]): string[] {
  const whole: Section = { from: 0, to: page.lines.length, level: 0 };
  const sectionOf = (path: readonly string[]): Section | undefined =>
    path.reduce<Section | undefined>((section, key) => section && subsection(page, section, names(key)), whole);
  const missing: string[] = [];
  for (const { path, keys } of objects) {
    const section = sectionOf(path);
    if (!section) {
      missing.push(`${path.join(' › ')} (no section)`);
      continue;
    }
    const rows = rowKeys(page, section);
    for (const key of keys) if (!rows.has(key) && !subsection(page, section, names(key))) missing.push([...path, key].join(' › '));
  }
  return missing;
}

// ---- the tests ----

describe('docs/topology.md', () => {
  const objects = objectsOf(TopologySchema);

  it('documents every key of a topology file, in the section of the object that holds it', () => {
    // The walk itself reaches the nested objects (through records, preprocess and optional).
    expect(objects.find((o) => o.path.join('.') === 'logical-switches.l2-gateway')?.keys).toEqual(['on', 'network']);
    expect(objects.find((o) => o.path.join('.') === 'transport-nodes')?.keys).toEqual(['role', 'encap']);
    expect(objects.find((o) => o.path.join('.') === 'controllers')?.keys).toEqual(['members', 'external']);
    expect(objects.flatMap((o) => o.keys).length).toBeGreaterThanOrEqual(34);
    expect(undocumentedTopologyKeys(outline(TOPOLOGY_DOC), objects)).toEqual([]);
  });

  it("opens with an example that is valid, warning-free and whose scenario's steps are valid", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(TOPOLOGY_DOC)?.[1] ?? '';
    const loaded = parseTopology(example, 'docs/topology.md');
    expect(loaded.warnings).toEqual([]);
    // parseScenarios throws on an invalid step.
    expect(parseScenarios(loaded, planLab(loaded.topology)).scenarios.map((s) => s.name)).toEqual(['smoke']);
    // It shows every top-level section.
    expect(Object.keys(loaded.topology).sort()).toEqual(Object.keys(TopologySchema.shape).sort());
  });
});

/** The YAML blocks of a page. */
const yamlBlocks = (markdown: string): string[] => [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

describe('docs/scenarios.md', () => {
  const page = outline(SCENARIOS_DOC);
  const whole: Section = { from: 0, to: page.lines.length, level: 0 };

  it("has examples that are valid steps in the lab of docs/topology.md's example", () => {
    const [example = ''] = yamlBlocks(TOPOLOGY_DOC);
    const lab = example.slice(0, example.indexOf('\nscenarios:') + 1);
    const problems: string[] = [];
    for (const block of yamlBlocks(SCENARIOS_DOC)) {
      const scenarios = block.startsWith('scenarios:') ? block : `scenarios:\n  example:\n${block.replace(/^(?=.)/gm, '    ')}`;
      try {
        const loaded = parseTopology(lab + scenarios, 'lab.yaml');
        parseScenarios(loaded, planLab(loaded.topology));
      } catch (error) {
        problems.push(`${block}→ ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has a section for every step, with a row for each of its keys', () => {
    expect(stepKeys(STEP_DEFS.find((d) => d.kind === 'exec')?.schema)).toEqual([
      'on',
      'cmd',
      'expect',
      'within',
      'expect.exit',
      'expect.stdout-contains',
    ]);
    const missing: string[] = [];
    for (const def of STEP_DEFS) {
      const step = def.underExpect ? `expect: ${def.key}` : def.key;
      const section = subsection(page, whole, names(def.key, def.underExpect ? 'expect: (\\{ )?' : ''));
      if (!section) {
        missing.push(`${step} (no section)`);
        continue;
      }
      const rows = rowKeys(page, section);
      for (const key of stepKeys(def.schema)) if (!rows.has(key)) missing.push(`${step} › ${key}`);
    }
    expect(missing).toEqual([]);
  });
});
