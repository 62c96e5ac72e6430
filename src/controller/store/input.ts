// Helpers for the store's write methods: validation with every issue, and small row comparisons.
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

export function same(a: object, b: object): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

export function withoutName<R extends { name?: unknown }>(row: R): Omit<R, 'name'> {
  const { name: _name, ...rest } = row;
  return rest;
}

export function checkSameName(path: string, body: string): void {
  if (path !== body) throw new InvalidError(`the name cannot change (is "${path}")`, [{ path: ['name'], message: `the name cannot change (is "${path}")` }]);
}
