// A check is tried until it passes or its budget runs out. The time to its first passing attempt
// is its convergence time. An attempt that throws counts as failed (a node may still be coming
// up); one that hangs is abandoned a little after the budget.

import { ATTEMPT_GRACE_MS, retryPauseMs } from './budgets.ts';
import type { Clock } from './clock.ts';
import type { Attempt } from './step-def.ts';

export interface CheckRun {
  ok: boolean;
  message: string;
  observed?: unknown;
  attempts: number;
  /** From the start to the end of the passing attempt; only when ok. */
  convergenceMs?: number;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Runs one attempt; a throw or a hang becomes a failed attempt with a message that says so.
async function guarded(attempt: () => Promise<Attempt>, limitMs: number, clock: Clock): Promise<Attempt> {
  const timer = new AbortController();
  const timeout = clock
    .sleep(limitMs, timer.signal)
    .then((): Attempt => ({ ok: false, message: `the lab did not answer within ${Math.round(limitMs / 1000)}s` }));
  const tried = attempt().catch((error: unknown): Attempt => ({ ok: false, message: `could not check: ${errorText(error)}` }));
  try {
    return await Promise.race([tried, timeout]);
  } finally {
    timer.abort();
  }
}

/** Tries `attempt` until it passes or `budgetMs` has passed; a budget of 0 means one attempt. */
export async function retryCheck(attempt: () => Promise<Attempt>, budgetMs: number, clock: Clock, signal?: AbortSignal): Promise<CheckRun> {
  const start = clock.now();
  const deadline = start + budgetMs;
  const pause = retryPauseMs(budgetMs);
  let attempts = 0;
  for (;;) {
    attempts++;
    const result = await guarded(attempt, Math.max(0, deadline - clock.now()) + ATTEMPT_GRACE_MS, clock);
    const now = clock.now();
    const run = {
      ok: result.ok,
      message: result.message,
      attempts,
      ...(result.observed !== undefined ? { observed: result.observed } : {}),
    };
    if (result.ok) return { ...run, convergenceMs: now - start };
    if (now >= deadline || signal?.aborted) return run;
    // The last attempt falls on the deadline itself, so a check gets its whole budget.
    await clock.sleep(Math.min(pause, deadline - now), signal);
    if (signal?.aborted) return run;
  }
}
