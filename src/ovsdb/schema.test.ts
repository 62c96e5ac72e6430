import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSchema, sharedSchema } from './schema.ts';

const vswitchJson = () => JSON.parse(readFileSync('/usr/share/openvswitch/vswitch.ovsschema', 'utf8')) as Record<string, unknown>;

describe('sharedSchema', () => {
  it('gives every session with the same schema one parsed copy, equal to parseSchema', () => {
    const a = sharedSchema(vswitchJson());
    const b = sharedSchema(vswitchJson());
    expect(b).toBe(a);
    expect(a).toEqual(parseSchema(vswitchJson()));
  });

  it('parses a schema that differs in anything on its own', () => {
    const json = vswitchJson();
    const other = { ...json, tables: { ...(json.tables as object), Extra: { columns: { c: { type: 'string' } } } } };
    const s = sharedSchema(other);
    expect(s).not.toBe(sharedSchema(vswitchJson()));
    expect(s.tables.Extra?.columns.c?.kind).toBe('scalar');
    expect(sharedSchema(vswitchJson()).tables.Extra).toBeUndefined();
  });
});
