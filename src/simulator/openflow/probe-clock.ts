// One clock for every simulated switch in the process: once a second it lets each look at its
// connections (inactivity probes) and its flows' timeouts. Thousands of switches then cost one
// timer, not one per connection.
export interface Ticking {
  tick(now: number): void;
}

const ticking = new Set<Ticking>();
let timer: NodeJS.Timeout | undefined;

export const TICK_MS = 1000;

export function startTicking(t: Ticking): void {
  ticking.add(t);
  timer ??= setInterval(() => {
    const now = Date.now();
    for (const x of ticking) x.tick(now);
  }, TICK_MS).unref();
}

export function stopTicking(t: Ticking): void {
  ticking.delete(t);
  if (ticking.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}
