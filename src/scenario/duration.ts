// Durations as scenario files write them (`500ms`, `5s`, `1.5s`, `2m`) and as reports show them.

import { z } from 'zod';

export const DURATION_EXPECTED = 'a duration like 500ms, 5s or 2m';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000 } as const;
const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m)$/;
/** No budget, pause or interval in a lab test needs more than a day; a larger one is a typo. */
export const MAX_DURATION_MS = 24 * 60 * 60_000;

/** Milliseconds of `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  const ms = Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
  return Number.isFinite(ms) && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** The shortest exact text for `ms`: 500ms, 5s, 1.5s, 2m, 90s. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A measured time for people: 412ms, 3.2s, 1m 12s. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
}

/** A duration key of a step; its value is milliseconds. */
export const durationSchema = z
  .string({ error: DURATION_EXPECTED })
  .refine((s) => parseDuration(s) !== undefined, { error: DURATION_EXPECTED })
  .transform((s) => parseDuration(s) as number);
