// Programming runs per node: at most one at a time for a node, one more when it was asked for
// meanwhile, and whether the last one left the node complete (what programmed() reports).

/** A node with a run in progress; `again`: asked for meanwhile, so it runs once more after.
 *  A node without a run is idle. */
type Run = 'running' | 'again';

export interface RunHooks {
  started(): void;
  ended(ms: number): void;
  /** The run threw (it is not retried here). */
  failed(node: string, error: unknown): void;
}

export class NodeRuns {
  private readonly runs = new Map<string, Run>();
  /** Nodes whose last run left nothing out and nothing pending. */
  private readonly complete = new Set<string>();

  /** `run(node)`: true when the node is complete after it. */
  constructor(
    private readonly run: (node: string) => Promise<boolean>,
    private readonly hooks: RunHooks,
  ) {}

  /** Runs the node now, or once more after the run in progress. */
  kick(node: string): void {
    if (this.runs.has(node)) {
      this.runs.set(node, 'again');
      return;
    }
    const t0 = performance.now();
    this.hooks.started();
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
        if (again) this.kick(node);
      });
    this.runs.set(node, 'running');
  }

  isRunning(node: string): boolean {
    return this.runs.has(node);
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
