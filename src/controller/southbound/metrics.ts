// What the southbound loop tells whoever investigates it (NVLAB_CONTROLLER_DEBUG=1 in the member,
// docs/controller.md): how often it decided and programmed, why it was asked to, and per node
// what a programming run computed and how long its install took.

export class LoopMetrics {
  /** Logs every install with its size and time, and counts why the loop was asked to run. */
  debug = false;
  /** Calls and time of decide and program since the last report. */
  private decides = 0;
  private programs = 0;
  private programMs = 0;
  private readonly reasons = new Map<string, number>();
  /** Reads of a switch's tables since the member started: decoded whole, or as fingerprints that
   *  showed the switch as it was left. */
  readonly switchReads = { decoded: 0, fingerprints: 0 };

  constructor(private readonly log: (line: string) => void) {}

  reason(reason: string): void {
    if (this.debug) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  decided(): void {
    this.decides++;
  }

  programStarted(): void {
    this.programs++;
  }

  programEnded(ms: number): void {
    this.programMs += ms;
  }

  ovsdbChange(node: string): void {
    if (this.debug) this.log(`${node}: ovsdb change`);
  }

  /** The changes a programming run computed for a node, and the time it took to (not the read of
   *  the switch in between). */
  computed(node: string, patched: boolean, changes: number, computeMs: number): void {
    if (this.debug) this.log(`${node}: ${patched ? 'patched' : 'computed'} ${changes} changes in ${computeMs.toFixed(1)} ms`);
  }

  /** A mastered switch's tables read: `decoded` whole, or fingerprints only. */
  switchRead(node: string, decoded: boolean): void {
    if (decoded) this.switchReads.decoded++;
    else this.switchReads.fingerprints++;
    if (this.debug) this.log(`${node}: switch read ${decoded ? 'and decoded' : 'as fingerprints (unchanged)'}`);
  }

  installed(node: string, changes: number, ms: number): void {
    if (this.debug) this.log(`${node}: ${changes} changes installed in ${ms} ms`);
  }

  /** Debug: a line with how often the loop ran since the last call. */
  report(): string {
    const reads = `switch reads ${this.switchReads.decoded} decoded, ${this.switchReads.fingerprints} fingerprints`;
    const line = `loop: ${this.decides} decides, ${this.programs} programs in ${this.programMs.toFixed(0)} ms; ${reads}; schedules ${[...this.reasons].map(([k, v]) => `${k}=${v}`).join(' ')}`;
    this.decides = this.programs = this.programMs = 0;
    this.reasons.clear();
    return line;
  }
}
