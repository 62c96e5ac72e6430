// How fast a client asks the cluster, set by the cluster's answers rather than by fixed numbers:
// how long a member may stay silent before it counts as gone (its recent answers' silences),
// how many requests are in flight at once (AIMD: one more per window of good answers, half on a
// "no quorum", a lost answer or a slow one), and how many writes go in one batch (its time
// toward a target). Pure arithmetic and a queue; transport.ts feeds it what each attempt met.

export interface PacingOptions {
  /** The shortest time-out of silence, what a member that answers at once gets (5 s: members
   *  share a LAN; ours send `102 Processing` every second while they work). */
  minSilenceMs: number;
  /** The longest (a member silent for this long is gone, however slow it was before). */
  maxSilenceMs: number;
  /** The time-out is this many times the longest silence of the member's recent answers. */
  silenceFactor: number;
  /** How many recent answers of a member count. */
  history: number;
  /** Requests in flight at once: where the window starts, and its bounds. */
  window: { initial: number; min: number; max: number };
  /** An answer that took longer is the cluster saying it has too much to do. */
  slowAnswerMs: number;
  /** Writes in one batch: where it starts, its bounds, and the time one batch should take. */
  batch: { initial: number; min: number; max: number; targetMs: number };
}

export const PACING: PacingOptions = {
  minSilenceMs: 5000,
  maxSilenceMs: 60_000,
  silenceFactor: 4,
  history: 8,
  window: { initial: 8, min: 1, max: 64 },
  slowAnswerMs: 3000,
  batch: { initial: 250, min: 25, max: 1000, targetMs: 1000 },
};

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** One member's pace: how long its recent answers left the client without a byte. */
export class MemberPace {
  private readonly silences: number[] = [];

  constructor(private readonly options: PacingOptions = PACING) {}

  /** The longest silence of an answer that came (connect, interim answers, head, body). */
  answered(silenceMs: number): void {
    this.silences.push(silenceMs);
    if (this.silences.length > this.options.history) this.silences.shift();
  }

  /** How long the next request may wait in silence: a member that was slow to answer (and said
   *  nothing meanwhile) gets as many times longer; one that says it works keeps the least. */
  timeoutMs(): number {
    const longest = this.silences.length ? Math.max(...this.silences) : 0;
    return Math.round(clamp(longest * this.options.silenceFactor, this.options.minSilenceMs, this.options.maxSilenceMs));
  }
}

/** What an attempt met, for the window. */
export type Signal = 'answered' | 'congested';

/** The requests in flight at once: additive increase, multiplicative decrease. */
export class Window {
  private size: number;
  private inFlight = 0;
  // Good answers since the window last grew: one more place per window of them.
  private good = 0;
  private readonly waiting: (() => void)[] = [];
  // Requests in flight together meet the same congestion: it halves the window once.
  private heldUntil = 0;

  constructor(private readonly options: PacingOptions = PACING) {
    this.size = options.window.initial;
  }

  /** The window's size now. */
  get limit(): number {
    return this.size;
  }

  /** Waits for a place in the window. */
  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Gives the place back, with what the attempt met and how long it took. */
  release(signal: Signal, elapsedMs: number, now = Date.now()): void {
    const { min, max } = this.options.window;
    if (signal === 'congested' || elapsedMs > this.options.slowAnswerMs) {
      this.good = 0;
      if (now >= this.heldUntil) {
        this.size = Math.max(min, Math.floor(this.size / 2));
        this.heldUntil = now + Math.max(elapsedMs, 1000);
      }
    } else if (++this.good >= this.size) {
      this.good = 0;
      this.size = Math.min(max, this.size + 1);
    }
    this.inFlight--;
    while (this.inFlight < this.limit && this.waiting.length > 0) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}

/** How many writes go in the next batch: the last one's size scaled toward the target time
 *  (at most doubled, at least halved, within the bounds). */
export class BatchSize {
  private size: number;

  constructor(private readonly options: PacingOptions = PACING) {
    this.size = options.batch.initial;
  }

  get next(): number {
    return this.size;
  }

  took(count: number, elapsedMs: number): void {
    const { min, max, targetMs } = this.options.batch;
    const scaled = (count * targetMs) / Math.max(1, elapsedMs);
    // A short batch (the last of a list) within the target says nothing of a full one.
    if (count < this.size && elapsedMs <= targetMs) return;
    this.size = Math.round(clamp(clamp(scaled, this.size / 2, this.size * 2), min, max));
  }

  /** A batch that got no answer, or "no quorum": the next one is half as large. */
  failed(): void {
    this.size = Math.max(this.options.batch.min, Math.round(this.size / 2));
  }
}

/** A client's pacing: a pace per member, one window and one batch size for all its requests. */
export class Pacer {
  readonly window: Window;
  readonly batchSize: BatchSize;
  private readonly members = new Map<string, MemberPace>();

  constructor(readonly options: PacingOptions = PACING) {
    this.window = new Window(options);
    this.batchSize = new BatchSize(options);
  }

  member(ip: string): MemberPace {
    let pace = this.members.get(ip);
    if (!pace) this.members.set(ip, (pace = new MemberPace(this.options)));
    return pace;
  }
}

/** The options with some of them given. */
export function pacingOptions(given: Partial<PacingOptions> = {}): PacingOptions {
  return { ...PACING, ...given };
}
