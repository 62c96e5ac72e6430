// From zod's issues to ours: paths that point at what exists in the file, messages that say what
// was found, and the schema's own error text as the "expected …" part.

import type { z } from 'zod';
import type { PathIssue } from './issues.ts';
import { resolveRawPath, showValue, valueAt } from './raw-data.ts';

const TYPE_NAMES: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};
/** Per-parse error map: the "expected …" text for issues whose schema gives none of its own. */
export const expectedText: z.core.$ZodErrorMap = (iss) => {
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
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node = schema as unknown as SchemaNode | undefined;
  let i = 0;
  while (node) {
    const def = node._zod.def;
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.out as SchemaNode;
    else if (i === path.length) return def.type === 'object' ? Object.keys(def.shape as object) : [];
    else if (def.type === 'object') node = (def.shape as Record<string, SchemaNode>)[String(path[i++])];
    else if (def.type === 'record') {
      node = def.valueType as SchemaNode;
      i++;
    } else if (def.type === 'array') {
      node = def.element as SchemaNode;
      i++;
    } else return [];
  }
  return [];
}

/**
 * Turns zod's issues about `data` (parsed by `schema`, ideally with `{ error: expectedText }`)
 * into path issues worded for people. Exported for other parts of the file, such as scenario steps.
 */
export function pathIssuesFromZod(schema: z.ZodType, data: unknown, zodIssues: readonly z.core.$ZodIssue[]): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of zodIssues) {
    const path = iss.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (iss.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
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
    else if (iss.code === 'invalid_key') {
      message = `invalid name "${String(rawPath.at(-1))}"`;
      atKey = true;
    } else if (iss.code === 'invalid_type') message = `wrong type: got ${showValue(value)}`;
    else message = `invalid value ${showValue(value)}`;
    const expected = iss.code === 'invalid_key' ? iss.issues[0]?.message : iss.message;
    out.push({ path: rawPath, message, ...(expected ? { expected } : {}), ...(atKey ? { atKey } : {}) });
  }
  return out;
}
