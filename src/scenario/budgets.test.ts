import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS, DEFAULT_BUDGETS_MS, retryPauseMs } from './budgets.ts';
import { parseDuration } from './duration.ts';
import { STEP_DEFS } from './steps.ts';

const DOC = new URL('../../docs/scenarios.md', import.meta.url);

describe('default budgets', () => {
  it('cover exactly the step kinds that are checks', () => {
    const checks = STEP_DEFS.filter((d) => d.budgetMs !== undefined);
    expect(checks.map((d) => d.kind).sort()).toEqual([...CHECK_KINDS].sort());
    for (const d of checks) expect(d.budgetMs).toBe(DEFAULT_BUDGETS_MS[d.kind as keyof typeof DEFAULT_BUDGETS_MS]);
  });

  it('are the ones docs/scenarios.md lists', () => {
    const rows = readFileSync(DOC, 'utf8')
      .split('\n')
      .map((line) => /^\| .+ \| `([a-z-]+)` \| (\S+) \|$/.exec(line))
      .filter((m) => m !== null);
    expect(Object.fromEntries(rows.map((m) => [m[1], parseDuration(m[2]!)]))).toEqual(DEFAULT_BUDGETS_MS);
  });

  it('space attempts by a thirtieth of the budget, from 100ms to 1s', () => {
    expect([0, 1000, 3000, 15_000, 30_000, 120_000].map(retryPauseMs)).toEqual([100, 100, 100, 500, 1000, 1000]);
  });
});
