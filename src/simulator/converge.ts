// Waiting for simulated nodes to be correct, and saying when they became so. The check runs when
// the nodes have gone quiet (it costs the CPU the members need, so it stays off it while they
// work), only on nodes that changed or were wrong last time; the time of a correct state is that
// of the last change the nodes received, which each node notes as it comes.
import type { LogicalState } from '../model/index.ts';
import type { Checker, NodeMismatch } from './check.ts';
import type { SimulatedNode } from './node.ts';

export interface ConvergeOptions {
  /** When the clock started (performance.now()). */
  since: number;
  timeoutMs: number;
  /** No change on any node for this long before a check (default 300 ms). */
  quietMs?: number;
  /** How often to look (default 50 ms). */
  pollMs?: number;
  /** Every node must change before it can be correct (a port added or removed reaches each of
   *  them): their versions before the change. While one is still at it, nothing is checked,
   *  which keeps the check off the CPU meanwhile. */
  expectChange?: ReadonlyMap<SimulatedNode, number>;
  /** Progress lines (a check that found nodes wrong). */
  log?: (line: string) => void;
}

export interface Converged {
  /** From `since` to the last change of any node, once all were correct; undefined on a timeout. */
  ms: number | undefined;
  /** What was still wrong at the timeout (empty when correct). */
  wrong: NodeMismatch[];
  /** Checks run, and how long they took in all (ms of this process's CPU, roughly). */
  checks: number;
  checkMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every node of `nodes` holds what the pipeline computes from `state`. */
export async function waitCorrect(
  checker: Checker,
  state: LogicalState | (() => Promise<LogicalState>),
  nodes: readonly SimulatedNode[],
  options: ConvergeOptions,
): Promise<Converged> {
  const quiet = options.quietMs ?? 300;
  const poll = options.pollMs ?? 50;
  const deadline = options.since + options.timeoutMs;
  // Each node's last result, by the version it was taken at and the state it was checked
  // against: a node that did not change since, against the same state, is as it was.
  const results = new Map<SimulatedNode, { version: number; view: LogicalState; mismatch: NodeMismatch | undefined }>();
  let wrong: NodeMismatch[];
  let checks = 0;
  let checkMs = 0;
  let logged = 0;
  // A check that found nodes wrong is not run again before twice its own time has passed: at
  // thousands of nodes it takes seconds of the CPU the members are converging with.
  let nextCheck = 0;
  for (;;) {
    const now = performance.now();
    const before = options.expectChange;
    const unchanged = before !== undefined && nodes.some((n) => n.version === before.get(n));
    if ((now - lastChange(nodes) >= quiet && !unchanged && now >= nextCheck) || now > deadline) {
      const t0 = performance.now();
      const logical = typeof state === 'function' ? await state() : state;
      const view = checker.programmedState(logical, new Map(nodes.map((n) => [n.name, n.facts()])));
      wrong = [];
      // The simulated nodes live in this process: a check of 1,000 nodes held it for 25 s at a
      // time, and the members rightly took every switch for dead. It yields every slice.
      let slice = performance.now();
      for (const n of nodes) {
        let r = results.get(n);
        if (r?.version !== n.version || r.view !== view) {
          r = { version: n.version, view, mismatch: checker.check(view, n.holding()) };
          results.set(n, r);
        }
        if (r.mismatch) wrong.push(r.mismatch);
        if (performance.now() - slice > CHECK_SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
      checks++;
      checkMs += performance.now() - t0;
      // Correct all at once: none changed after its own check.
      const moved = nodes.some((n) => results.get(n)!.version !== n.version);
      if (wrong.length === 0 && !moved) return { ms: Math.max(0, lastChange(nodes) - options.since), wrong, checks, checkMs };
      if (performance.now() > deadline) return { ms: undefined, wrong, checks, checkMs };
      nextCheck = performance.now() + 2 * (performance.now() - t0);
      if (performance.now() - logged > 5000) {
        logged = performance.now();
        options.log?.(`    ${wrong.length} of ${nodes.length} nodes not correct yet (check: ${(performance.now() - t0).toFixed(0)} ms)`);
      }
    }
    await sleep(poll);
  }
}

/** How long a check runs before it lets the simulated nodes answer. */
const CHECK_SLICE_MS = 20;

function lastChange(nodes: readonly SimulatedNode[]): number {
  let last = 0;
  for (const n of nodes) last = Math.max(last, n.lastChange);
  return last;
}
