// How long a peer has been silent, counting only the time this process was running. A process
// that stalls (a long garbage collection, a starved CPU) reads nothing meanwhile; judged by the
// wall clock, every peer it has then looks dead at the first tick after the stall, before the
// messages waiting in its sockets are read. At 1,000 simulated nodes a member stalled for 16 s
// dropped all of its switch connections that way, and their reconnections made the next stall.

export class Silence {
  private lastHeard: number;
  private lastTick: number;
  private probed = false;

  /** `tickMs`: how often `tick` is called. */
  constructor(
    readonly tickMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastHeard = this.lastTick = now();
  }

  /** Something came from the peer. */
  heard(): void {
    this.lastHeard = this.now();
    this.probed = false;
  }

  /** True once per silent stretch, when `idle` (from tick) reaches `intervalMs`: time to probe
   *  the peer (an echo request). */
  probe(idle: number, intervalMs: number): boolean {
    if (idle < intervalMs || this.probed) return false;
    return (this.probed = true);
  }

  /** Called every `tickMs`: how long the peer has been silent, less the time this process did
   *  not run (a tick more than a period late). */
  tick(): number {
    const now = this.now();
    const late = now - this.lastTick - this.tickMs;
    if (late > this.tickMs) this.lastHeard = Math.min(now, this.lastHeard + late);
    this.lastTick = now;
    return now - this.lastHeard;
  }
}

export interface AwakeTimer {
  cancel(): void;
}

/**
 * setTimeout counted in time this process ran: `fn` runs once `ms` have passed, less any stall
 * of this process meanwhile (checked every tenth of `ms`). A peer given 10 s for a handshake
 * is not refused because this process itself stood still for 10 s while its answer waited in the
 * socket: at 1,000 simulated nodes members refused thousands of sessions that way. Never keeps
 * the process alive.
 */
export function awakeTimeout(ms: number, fn: () => void): AwakeTimer {
  const silence = new Silence(Math.max(20, ms / 10));
  const timer = setInterval(() => {
    if (silence.tick() < ms) return;
    clearInterval(timer);
    fn();
  }, silence.tickMs).unref();
  return { cancel: () => clearInterval(timer) };
}
