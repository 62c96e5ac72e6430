// How long each kind of check may take to pass when its step sets no `within:`. One table,
// mirrored in docs/scenarios.md (a unit test keeps the two equal).

export const CHECK_KINDS = [
  'expect-tunnels-up',
  'expect-tunnels',
  'ping',
  'reach',
  'flood',
  'expect-master',
  'expect-active-gateway',
  'exec',
  'trace',
  'connect',
  'spoof',
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const DEFAULT_BUDGETS_MS: Readonly<Record<CheckKind, number>> = {
  // The cluster programs every node after a change; a new node or port needs a few rounds.
  'expect-tunnels-up': 30_000,
  'expect-tunnels': 30_000,
  // A few seconds of ARP and flow setup after a change, with room for a slow machine.
  ping: 10_000,
  // Many pings, several at a time; each pair has to behave once.
  reach: 30_000,
  flood: 10_000,
  // Failover: leases of 2.5 s expire, the survivors elect and the switch confirms the new role.
  'expect-master': 15_000,
  'expect-active-gateway': 15_000,
  // A command is usually a one-shot probe; give it a little room for what it inspects to settle.
  exec: 5_000,
  // An injected trace takes up to 2 s; a path just changed may need a round of programming.
  trace: 10_000,
  // A connection or a few frames per attempt; a rule just changed may need a round of programming.
  connect: 10_000,
  spoof: 10_000,
};

/** Wait between two attempts of a check: often enough to measure convergence, rarely enough to spare a small machine. */
export function retryPauseMs(budgetMs: number): number {
  return Math.min(1000, Math.max(100, Math.round(budgetMs / 30)));
}

/** Extra time a single attempt may run past its budget before the runner stops waiting for it. */
export const ATTEMPT_GRACE_MS = 10_000;
