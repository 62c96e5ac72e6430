// Transactions held by a `wait` operation whose condition does not hold yet (RFC 7047 5.2.6):
// run again after every commit, and answered "timed out" once their timeout passes.
import type { ManagerLink, RequestId } from './manager-link.ts';

export interface PendingWait {
  link: ManagerLink;
  id: RequestId;
  ops: unknown[];
  /** When the transaction first ran (its deadline counts from then). */
  started: number;
  timer: NodeJS.Timeout | undefined;
}

/** Runs a held transaction again (`expired`: its time is up); true once it was answered. */
export type RunWait = (wait: PendingWait, expired: boolean) => boolean;

export class Waits {
  private pending: PendingWait[] = [];
  private retrying = false;

  constructor(private readonly run: RunWait) {}

  get size(): number {
    return this.pending.length;
  }

  add(link: ManagerLink, id: RequestId, ops: unknown[], started: number, deadline: number): void {
    const wait: PendingWait = { link, id, ops, started, timer: undefined };
    if (deadline !== Infinity) {
      wait.timer = setTimeout(
        () => {
          this.pending = this.pending.filter((w) => w !== wait);
          this.run(wait, true);
        },
        Math.max(0, deadline - Date.now()),
      );
    }
    this.pending.push(wait);
  }

  /** After a commit: every held transaction whose condition now holds goes through. */
  retry(): void {
    if (this.retrying) return;
    this.retrying = true;
    try {
      for (const wait of [...this.pending]) {
        if (!this.pending.includes(wait) || !this.run(wait, false)) continue;
        clearTimeout(wait.timer);
        this.pending = this.pending.filter((w) => w !== wait);
      }
    } finally {
      this.retrying = false;
    }
  }

  /** A connection went: its held transactions go with it. */
  drop(link: ManagerLink): void {
    for (const w of this.pending) if (w.link === link) clearTimeout(w.timer);
    this.pending = this.pending.filter((w) => w.link !== link);
  }

  clear(): void {
    for (const w of this.pending) clearTimeout(w.timer);
    this.pending = [];
  }
}
