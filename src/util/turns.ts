// Synchronous jobs taken one at a time in slices of the event loop, with the loop's I/O read
// between slices. Many asynchronous tasks that each compute for a while (a member programming a
// thousand nodes after a takeover) otherwise run their computing back to back whenever their
// awaited I/O resolves together, and hold the loop for seconds: long enough for the process to
// miss its own liveness ticks and replies.

/** How long one slice runs jobs before it yields to I/O. */
export const SLICE_MS = 20;

export class Turns {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Runs `job` in its turn; resolves (or rejects) with what it returns (or throws). */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(job());
        } catch (error) {
          reject(error as Error);
        }
      });
      this.schedule();
    });
  }

  /** Jobs waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const start = performance.now();
      while (this.queue.length > 0 && performance.now() - start < this.sliceMs) this.queue.shift()!();
      this.schedule();
    });
  }
}
