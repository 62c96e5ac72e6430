// For programs: the whole run as one JSON document, written when the run ends. It is the
// RunResult itself plus a summary and the exit code, so scripts need not recount.

import type { Reporter } from '../scenario/reporter.ts';
import { countSteps, exitCodeOf, type RunResult } from '../scenario/results.ts';
import type { ReporterOptions } from './types.ts';

export interface JsonReport extends RunResult {
  exitCode: 0 | 1;
  summary: {
    scenarios: { passed: number; failed: number; skipped: number; total: number };
    steps: { passed: number; failed: number; skipped: number; total: number };
  };
}

export function jsonReport(result: RunResult): JsonReport {
  const count = (status: string) => result.scenarios.filter((s) => s.status === status).length;
  return {
    ...result,
    exitCode: exitCodeOf(result),
    summary: {
      scenarios: { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), total: result.scenarios.length },
      steps: countSteps(result.scenarios.flatMap((s) => s.steps)),
    },
  };
}

export const createJsonReporter = (options: ReporterOptions): Reporter => ({
  onRunEnd(result) {
    options.stream.write(`${JSON.stringify(jsonReport(result), null, 2)}\n`);
  },
});
