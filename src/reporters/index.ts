// Reporters by name, as `--reporter NAME` picks them: each is an object with optional hooks that
// the runner calls (src/scenario/reporter.ts).
import { UsageError } from '../util/errors.ts';
import type { Reporter } from '../scenario/reporter.ts';
import { createJsonReporter } from './json.ts';
import { createJunitReporter } from './junit.ts';
import { createPrettyReporter } from './pretty.ts';
import type { ReporterFactory, ReporterOptions } from './types.ts';

export const REPORTERS = {
  pretty: createPrettyReporter,
  json: createJsonReporter,
  junit: createJunitReporter,
} as const satisfies Record<string, ReporterFactory>;

export type ReporterName = keyof typeof REPORTERS;
export const REPORTER_NAMES = Object.keys(REPORTERS) as ReporterName[];

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(REPORTERS, name);
}

/** The reporter called `name`; an unknown name is a usage error that lists the known ones. */
export function createReporter(name: string, options: ReporterOptions): Reporter {
  if (!isReporterName(name)) throw new UsageError(`unknown reporter "${name}" (known: ${REPORTER_NAMES.join(', ')})`);
  return REPORTERS[name](options);
}

export { PrettyReporter, createPrettyReporter } from './pretty.ts';
export { createJsonReporter, jsonReport } from './json.ts';
export type { JsonReport } from './json.ts';
export { createJunitReporter, junitXml } from './junit.ts';
export type { ReporterFactory, ReporterOptions, TextSink } from './types.ts';
