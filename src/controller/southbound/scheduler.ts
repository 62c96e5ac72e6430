// When the member decides again, and what that decision carries: events (the store's config,
// leases, links, switches, a node's OVSDB) come in many a second, and each decision costs a pass
// over every node. The timing here is what port-up and failover wait on (docs/controller.md,
// "Cost per change").

/** Config changes come in bursts (a lab pushes many rows at once): reprogram once a burst has
 *  been quiet this long, or after MAX_COALESCE_MS at the latest. Short, since a reprogram that
 *  changes nothing on a switch costs no I/O (see Mastered.installed). */
export const COALESCE_MS = 2;
export const MAX_COALESCE_MS = 50;
/** A VM plugged in (or unplugged) on one node reaches the other nodes of its switch in batches,
 *  this long after the first plug of a batch. Until their unicast flow towards it lands, frames
 *  to it flood like any unknown unicast, and reach it. At the instant of a plug, one flow-mod to
 *  each of the switch's nodes woke every vswitchd and member at once and delayed the plugged
 *  node's own flows (2 cores, 20 hv: they landed at +44..87 ms against +25..44 ms; port-up p50
 *  63 against 50 ms with the batch, A/B on one lab, 40 samples each); in a boot storm each node
 *  gets one install per batch instead of one per VM. The lab runner still waits for the batch
 *  (programmed()). 40 ms and 15 ms were worse (p50 62 and 72 against 56), 250 ms no better. */
export const REMOTE_BATCH_MS = 100;
/** A failed programming run (no quorum for a moment) is tried again this soon. */
export const RETRY_MS = 200;

/** What a decision does. */
export interface Decision {
  /** Reprogram the mastered nodes the config change reaches (and those left incomplete); false:
   *  only settle who is master (leases, links and switches came or went). */
  reprogram: boolean;
  /** Nodes whose own switch state changed: they alone need reprogramming, and go first. */
  touched: ReadonlySet<string>;
  /** The reprogram comes of plugs alone: nodes other than the touched ones wait for the remote
   *  batch (deferRemote). */
  batch: boolean;
}

/** When the next decision runs. Nothing else is pending in `idle`; `due` runs at the next turn of
 *  the event loop and takes along whatever comes meanwhile, a burst of config included. */
type Timing =
  { kind: 'idle' } | { kind: 'due'; immediate: NodeJS.Immediate } | { kind: 'debouncing'; since: number; timer: NodeJS.Timeout };

/** What the next decision carries beside the touched nodes. */
type Work = { kind: 'settle' } | { kind: 'reprogram'; plugsOnly: boolean };

export class Scheduler {
  private timing: Timing = { kind: 'idle' };
  private work: Work = { kind: 'settle' };
  private readonly touched = new Set<string>();
  /** The remote batch and the retry run beside the decision's timing: each ends in a decision. */
  private remoteBatch: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly knownMacs = new Map<string, string | undefined>();
  /** The iface-ids each node has plugged in, as last seen: other nodes' flows follow them. */
  private readonly knownPlugged = new Map<string, string>();

  constructor(private readonly decide: (decision: Decision) => void) {}

  /** The logical config changed: reprogram once the burst goes quiet. */
  configChanged(): void {
    this.request(true);
  }

  /** Leases, links, switches or roles changed, or a heartbeat passed: settle who is master. */
  settle(): void {
    this.request();
  }

  /** A node's OVSDB changed (as far as the controller reads it). Other nodes' tunnels carry this
   *  node's underlay MAC, and their unicast flows go to the VMs it has plugged in: they change
   *  only when these do. */
  nodeChanged(node: string, underlayMac: string | undefined, plugged: Iterable<string>): void {
    this.touched.add(node);
    const key = [...plugged].sort().join(',');
    if (this.knownMacs.get(node) !== underlayMac) {
      this.knownMacs.set(node, underlayMac);
      this.knownPlugged.set(node, key);
      this.request(true);
    } else if (this.knownPlugged.get(node) !== key) {
      this.knownPlugged.set(node, key);
      this.request(true, true, true);
    } else {
      this.request();
    }
  }

  /** A decision left a node out until the remote batch: every node left incomplete runs then. */
  deferRemote(): void {
    if (this.stopped) return;
    this.remoteBatch ??= setTimeout(() => {
      this.remoteBatch = undefined;
      this.request(true, true); // every node left incomplete runs
    }, REMOTE_BATCH_MS);
  }

  /** A programming run failed. Typically the store had no leader for a moment (an election): try
   *  again soon rather than at the next heartbeat, which may itself wait out its bound (2.5 s). */
  retrySoon(ms = RETRY_MS): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.request(true); // every node left incomplete runs again
    }, ms);
  }

  /** No more decisions are asked for; one already due still runs. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.remoteBatch);
    this.retry = this.remoteBatch = undefined;
  }

  /** For tests and debugging: where the scheduler stands. */
  state(): { timing: Timing['kind']; work: Work['kind']; plugsOnly: boolean; touched: string[]; remoteBatch: boolean; retry: boolean } {
    const plugsOnly = this.work.kind === 'reprogram' && this.work.plugsOnly;
    return {
      timing: this.timing.kind,
      work: this.work.kind,
      plugsOnly,
      touched: [...this.touched].sort(),
      remoteBatch: this.remoteBatch !== undefined,
      retry: this.retry !== undefined,
    };
  }

  /** A decision soon: at once, or with `reprogram` once a burst of config changes has gone
   *  quiet. `urgent` reprograms at once: a VM just plugged in waits for it, and a node's own
   *  switch sends no bursts. `plug`: a node plugged a VM in or out, which its own node needs at
   *  once and the others in the next batch (REMOTE_BATCH_MS). */
  private request(reprogram = false, urgent = false, plug = false): void {
    if (this.stopped) return;
    if (reprogram) {
      // A config change pending beside the plugs goes out at once, to every node it reaches.
      const plugsOnly = plug && (this.work.kind === 'settle' || this.work.plugsOnly);
      this.work = { kind: 'reprogram', plugsOnly };
      if (urgent) {
        // At once, taking along whatever a burst was waiting for.
        this.cancelBurst();
      } else {
        this.debounce();
        return;
      }
    }
    if (this.timing.kind !== 'idle') return;
    this.timing = { kind: 'due', immediate: setImmediate(() => this.run()) };
  }

  /** Trailing debounce: wait for the burst to go quiet, but never longer than the bound. A
   *  decision already due takes the burst along. */
  private debounce(): void {
    if (this.timing.kind === 'due') return;
    const since = this.timing.kind === 'debouncing' ? this.timing.since : Date.now();
    this.cancelBurst();
    const wait = Math.max(0, Math.min(COALESCE_MS, since + MAX_COALESCE_MS - Date.now()));
    this.timing = { kind: 'debouncing', since, timer: setTimeout(() => this.run(), wait) };
  }

  private cancelBurst(): void {
    if (this.timing.kind !== 'debouncing') return;
    clearTimeout(this.timing.timer);
    this.timing = { kind: 'idle' };
  }

  private run(): void {
    if (this.timing.kind === 'debouncing') clearTimeout(this.timing.timer);
    this.timing = { kind: 'idle' };
    const decision: Decision = {
      reprogram: this.work.kind === 'reprogram',
      touched: new Set(this.touched),
      batch: this.work.kind === 'reprogram' && this.work.plugsOnly,
    };
    this.work = { kind: 'settle' };
    this.touched.clear();
    this.decide(decision);
  }
}
