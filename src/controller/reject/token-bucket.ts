// A token bucket: `burst` tokens at most, refilled at `perSecond`; each take() spends one.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: { perSecond: number; burst: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = rate.burst;
    this.last = now();
  }

  /** Spends a token if there is one. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((t - this.last) / 1000) * this.rate.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
