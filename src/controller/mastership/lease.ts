// The member's lease: its Member row is renewed through the store every HEARTBEAT_MS, and the
// other members count it live while the lease has not expired (docs/controller.md, "Mastership").
import type { Store } from '../store/index.ts';

/** A member heartbeats this often, and its lease lasts this long (docs/controller.md). */
export const HEARTBEAT_MS = 500;
export const LEASE_MS = 2500;
/** A master asks its switches which role they give it every this many heartbeats (2 s): a round
 *  trip per switch that only matters after a partition heals, when another member may have
 *  taken a switch over. */
export const AUDIT_EVERY = 4;

export interface HeartbeatHooks {
  /** After each heartbeat, renewed or not: leases may have come or gone meanwhile. */
  beat(): void;
  /** Every AUDIT_EVERY heartbeats. */
  audit(): void;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private stopped = false;

  constructor(
    private readonly me: string,
    private readonly store: Pick<Store, 'heartbeat'>,
    private readonly hooks: HeartbeatHooks,
  ) {}

  start(): void {
    const beat = async () => {
      if (this.stopped) return;
      const sent = Date.now();
      try {
        await this.store.heartbeat(this.me, sent + LEASE_MS, { timeoutMs: LEASE_MS });
      } catch {
        // No quorum: the lease runs out on its own and the others take this member's nodes.
      }
      this.hooks.beat();
      if (++this.beats % AUDIT_EVERY === 0) this.hooks.audit();
      // Every HEARTBEAT_MS from the start of the last one, however long its write took.
      this.timer = setTimeout(beat, Math.max(0, HEARTBEAT_MS - (Date.now() - sent)));
    };
    void beat();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
