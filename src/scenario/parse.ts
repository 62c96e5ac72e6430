// From step lists as written (YAML turned into data, or objects from TypeScript) to validated
// steps. Every problem is collected with its key path: an unknown step or key, a wrong type, a bad
// duration, a name that is not in the lab at that step. The lab model moves forward through each
// list as its actions would change it, so `remove-port: web4` then `ping: { to: web4 }` is caught.

import type { z } from 'zod';
import { formatPath, type IssuePath, type PathIssue } from '../topology/issues.ts';
import { showValue } from '../topology/raw-data.ts';
import { expectedText, pathIssuesFromZod } from '../topology/zod-issues.ts';
import { durationSchema } from './duration.ts';
import type { LabModel } from './lab-model.ts';
import { checkName, suggest, type Accept } from './names.ts';
import type { StepLocation } from './results.ts';
import type { ValidateContext } from './step-def.ts';
import { EXPECT_DEFS, STEP_KEYS, TOP_LEVEL_DEFS, type Step } from './steps.ts';

const STEP_EXPECTED = 'a step: a mapping such as ping: { from: web1, to: web2 }';
const EXPECT_EXPECTED = 'tunnels-up, or a mapping with tunnels, master or active-gateway';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A `within:` found at one of the places a check accepts it. */
interface WithinAt {
  path: IssuePath;
  value: unknown;
  /** The check's schema has parsed it already (and reported it if bad). */
  checked: boolean;
}

const allNames = (model: LabModel): Set<string> => new Set([...model.nodes.keys(), ...model.ports.keys(), ...model.hosts.keys()]);

type SchemaIssues = readonly { code: string; path: readonly PropertyKey[]; keys?: readonly string[] }[];

/**
 * A step's value without the keys its schema rejected, when what is left is accepted (the
 * rejected keys were optional): the names in the other keys can then still be checked.
 */
function prune(schema: z.ZodType, body: unknown, issues: SchemaIssues): { data: unknown; dropped: Set<string> } | undefined {
  if (!isRecord(body)) return undefined;
  const work = { ...body };
  const dropped = new Set<string>();
  let pending = issues;
  for (let round = 0; round < 5; round++) {
    for (const issue of pending) {
      const keys = issue.path.length === 0 && issue.code === 'unrecognized_keys' ? (issue.keys ?? []) : [String(issue.path[0])];
      for (const k of keys) {
        if (issue.path.length === 0 && issue.code !== 'unrecognized_keys') return undefined;
        if (!Object.hasOwn(work, k)) return undefined;
        delete work[k];
        dropped.add(k);
      }
    }
    const again = schema.safeParse(work);
    if (again.success) return { data: again.data, dropped };
    pending = again.error.issues;
  }
  return undefined;
}

export class StepParser {
  readonly issues: PathIssue[] = [];
  private readonly gone = new Map<string, string>();

  /** `locate` places a parsed step in its file; paths are relative to the list being parsed. */
  constructor(
    public model: LabModel,
    private readonly locate?: (path: IssuePath) => StepLocation,
  ) {}

  list(raw: readonly unknown[], path: IssuePath): Step[] {
    const out: Step[] = [];
    raw.forEach((item, i) => {
      const step = this.step(item, [...path, i]);
      if (step) out.push(step);
    });
    return out;
  }

  private issue(path: IssuePath, message: string, expected?: string, atKey = false): void {
    this.issues.push({ path, message, ...(expected !== undefined ? { expected } : {}), ...(atKey ? { atKey } : {}) });
  }

  /** The one key of `keys` that names a step in `known`, reporting unknown and extra keys. */
  private pickKey(record: Record<string, unknown>, path: IssuePath, known: readonly string[], what: string): string | undefined {
    const keys = Object.keys(record);
    const named = keys.filter((k) => known.includes(k));
    for (const k of keys) {
      if (known.includes(k) || k === 'within') continue;
      const hint = suggest(k, known);
      if (named.length === 0)
        this.issue([...path, k], `unknown ${what} "${k}"${hint ? `; did you mean ${hint}?` : ''}`, `one of ${known.join(', ')}`, true);
      else this.issue([...path, k], `unknown key "${k}"`, `${named[0]} and within`, true);
    }
    if (named.length === 0) {
      if (keys.every((k) => k === 'within')) this.issue(path, `no ${what} here`, `one of ${known.join(', ')}`);
      return undefined;
    }
    for (const k of named.slice(1)) {
      this.issue([...path, k], `a second ${what} "${k}" in one list item`, `one ${what} per list item; start the next with "- "`, true);
    }
    return named.length === 1 ? named[0] : undefined;
  }

  step(raw: unknown, path: IssuePath): Step | undefined {
    if (!isRecord(raw)) {
      const message = raw === null || raw === undefined ? 'an empty step' : `a step written as ${showValue(raw)}`;
      this.issue(path, message, STEP_EXPECTED);
      return undefined;
    }
    const key = this.pickKey(raw, path, STEP_KEYS, 'step');
    if (key === undefined) return undefined;
    const withins: WithinAt[] = [];
    if ('within' in raw) withins.push({ path: [...path, 'within'], value: raw.within, checked: false });

    let def = TOP_LEVEL_DEFS.get(key);
    let body = raw[key];
    let specPath: IssuePath = [...path, key];
    if (key === 'expect') {
      if (typeof body === 'string') {
        def = EXPECT_DEFS.get(body);
        if (!def || def.key !== 'tunnels-up') return void this.issue(specPath, `invalid value ${showValue(body)}`, EXPECT_EXPECTED);
      } else if (isRecord(body)) {
        const forms = [...EXPECT_DEFS.keys()].filter((k) => k !== 'tunnels-up');
        const form = this.pickKey(body, specPath, forms, 'check');
        if (form === undefined) return undefined;
        if ('within' in body) withins.push({ path: [...specPath, 'within'], value: body.within, checked: false });
        def = EXPECT_DEFS.get(form);
        body = body[form];
        specPath = [...specPath, form];
      } else {
        return void this.issue(specPath, `wrong type: got ${showValue(body)}`, EXPECT_EXPECTED);
      }
    }
    if (!def) return undefined;

    const parsed = def.schema.safeParse(body, { error: expectedText });
    let data: unknown;
    let dropped = new Set<string>();
    if (parsed.success) data = parsed.data;
    else {
      for (const i of pathIssuesFromZod(def.schema, body, parsed.error.issues)) this.issues.push({ ...i, path: [...specPath, ...i.path] });
      // Still check the names in the keys that are fine, so one run reports every problem.
      const pruned = prune(def.schema, body, parsed.error.issues);
      if (pruned) ({ data, dropped } = pruned);
      else if (def.kind === 'traffic' && isRecord(body) && Array.isArray(body.during)) this.list(body.during, [...specPath, 'during']);
    }
    // Inside the check's own mapping its schema reads `within` (and reports a bad one).
    if (isRecord(body) && 'within' in body) withins.push({ path: [...specPath, 'within'], value: body.within, checked: true });
    const within = this.within(withins, def.budgetMs !== undefined, key);
    if (data === undefined) return undefined;

    const v = this.context(specPath, dropped);
    const spec = def.build ? def.build(data, v) : data;
    def.validate?.(spec, v);
    if (def.apply) {
      const before = allNames(this.model);
      this.model = def.apply(spec, this.model);
      const after = allNames(this.model);
      const where = this.locate ? `line ${this.locate(path).line}` : formatPath(path);
      for (const name of before) if (!after.has(name)) this.gone.set(name, `${key} at ${where}`);
      for (const name of after) this.gone.delete(name);
    }
    if (!parsed.success) return undefined;
    return {
      kind: def.kind,
      spec,
      ...(within !== undefined ? { within } : {}),
      ...(this.locate ? { at: this.locate(path) } : {}),
    } as Step;
  }

  /** The budget of a step: `within` in at most one place, on checks only. */
  private within(found: readonly WithinAt[], isCheck: boolean, key: string): number | undefined {
    const [first, ...others] = found;
    if (!first) return undefined;
    for (const o of others) this.issue(o.path, 'a second within for the same check', 'one within per check', true);
    if (!isCheck) {
      this.issue(first.path, `within applies to checks; ${key} is an action`, 'no within on an action; to wait, add a sleep step', true);
      return undefined;
    }
    const parsed = durationSchema.safeParse(first.value, { error: expectedText });
    if (parsed.success) return parsed.data;
    if (!first.checked) {
      for (const i of pathIssuesFromZod(durationSchema, first.value, parsed.error.issues))
        this.issues.push({ ...i, path: [...first.path, ...i.path] });
    }
    return undefined;
  }

  /** Issues under `dropped` keys are not reported: the schema already reported those keys. */
  private context(specPath: IssuePath, dropped: ReadonlySet<string>): ValidateContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parser = this;
    const report = (path: IssuePath, message: string, expected?: string): void => {
      if (!dropped.has(String(path[0]))) parser.issue([...specPath, ...path], message, expected);
    };
    return {
      get model() {
        return parser.model;
      },
      dropped,
      issue: report,
      name: (path: IssuePath, value: string, accept: Accept) => {
        const problem = checkName(parser.model, value, accept, parser.gone);
        if (problem) report(path, problem.message, problem.expected);
        return problem === undefined;
      },
      steps: (raw, path) => parser.list(raw, [...specPath, ...path]),
    };
  }
}
