// Programming runs per node: at most one at a time for a node, one more when it was asked for
// meanwhile, and whether the last one left the node complete (what programmed() reports). Runs
// of different nodes go on side by side up to a bound, the rest wait in order. Unbounded, a
// decision that kicks a thousand nodes at once (a member taking over a failed one's) started a
// thousand flow dumps and computations together; with them a member stalled for seconds, missed
// its liveness ticks and lost its peers (bench:scale at 100 nodes: stalls of 0.5–6 s, mastership
// moving back and forth for minutes).

/** A node with a run in progress; `again`: asked for meanwhile, so it runs once more after.
 *  A node without a run is idle or waiting its turn. */
type Run = 'running' | 'again';

/** Runs in progress at once. Each waits mostly on the store (its generation), its switch and
 *  the node's OVSDB, so many may wait side by side; their computing takes turns
 *  (NodeProgrammer's Turns). The bound keeps a takeover of thousands of nodes from reading all
 *  their flow tables at once. At 8, failover of 40 nodes took 1.5 s instead of 0.8 s. */
export const RUNS_IN_FLIGHT = 64;

export interface RunHooks {
  started(): void;
  ended(ms: number): void;
  /** The run threw (it is not retried here). */
  failed(node: string, error: unknown): void;
}

export class NodeRuns {
  private readonly runs = new Map<string, Run>();
  /** Nodes kicked while the bound was reached, in the order they were kicked. */
  private readonly waiting = new Set<string>();
  /** Nodes whose last run left nothing out and nothing pending. */
  private readonly complete = new Set<string>();
  private pumping = false;

  /** `run(node)`: true when the node is complete after it. */
  constructor(
    private readonly run: (node: string) => Promise<boolean>,
    private readonly hooks: RunHooks,
    private readonly inFlight = RUNS_IN_FLIGHT,
  ) {}

  /** Runs the node now (or when its turn comes), or once more after the run in progress. */
  kick(node: string): void {
    if (this.runs.has(node)) {
      this.runs.set(node, 'again');
      return;
    }
    if (this.runs.size >= this.inFlight) this.waiting.add(node);
    else this.start(node);
  }

  private start(node: string): void {
    const t0 = performance.now();
    this.hooks.started();
    this.runs.set(node, 'running');
    void this.run(node)
      .then((complete) => {
        if (complete && this.runs.get(node) !== 'again') this.complete.add(node);
        else this.complete.delete(node);
      })
      .catch((error: unknown) => {
        this.complete.delete(node);
        this.hooks.failed(node, error);
      })
      .finally(() => {
        this.hooks.ended(performance.now() - t0);
        const again = this.runs.get(node) === 'again';
        this.runs.delete(node);
        if (again)
          this.start(node); // in the slot it just left
        else this.pump();
      });
  }

  /** The next waiting nodes start after the event loop's I/O: replies and liveness ticks that
   *  came during this run are read first. */
  private pump(): void {
    if (this.pumping || this.waiting.size === 0) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      for (const node of this.waiting) {
        if (this.runs.size >= this.inFlight) break;
        this.waiting.delete(node);
        this.start(node);
      }
      this.pump();
    });
  }

  /** Running, or waiting its turn. */
  isRunning(node: string): boolean {
    return this.runs.has(node) || this.waiting.has(node);
  }

  isComplete(node: string): boolean {
    return this.complete.has(node);
  }

  /** The node is not complete until its next run says so. */
  incomplete(node: string): void {
    this.complete.delete(node);
  }

  /** Nodes whose last run left them complete. */
  completed(): string[] {
    return [...this.complete];
  }
}
