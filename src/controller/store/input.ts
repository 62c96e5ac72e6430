// Helpers for the store's write methods: validation with every issue, and small object comparisons.
import type { z } from 'zod';
import { InvalidError } from './errors.ts';

/** Parses `input` with an object schema; all issues become one InvalidError. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
  throw new InvalidError(`invalid ${what}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, issues);
}

export function sorted<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Equal values, nested objects and arrays included; a key whose value is undefined counts as
 *  absent (a parsed object may carry one where the object read back from rows has none). */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = (o: object) =>
    Object.keys(o)
      .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
      .sort();
  const ka = keys(a);
  const kb = keys(b);
  return (
    ka.length === kb.length && ka.every((k, i) => k === kb[i] && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

export function withoutName<R extends { name?: unknown }>(row: R): Omit<R, 'name'> {
  const { name: _name, ...rest } = row;
  return rest;
}

export function checkSameName(path: string, body: string): void {
  if (path !== body)
    throw new InvalidError(`the name cannot change (is "${path}")`, [{ path: ['name'], message: `the name cannot change (is "${path}")` }]);
}
