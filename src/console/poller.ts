/// <reference lib="dom" />
// What the console knows of the lab, read from the API over and over: the resources and this
// member's status every second, each transport node's status every second (one request per node,
// never two at once for the same node, so a node that takes its member 2 s to give up on holds up
// nobody else), each port's counters every few seconds. The first time, every node's status and
// every port's counters come in one answer each (a browser sends one origin only six requests at
// a time: one by one, they took most of the first paint). Each answer updates the readings and asks
// for a redraw; a failed read of a list keeps its last good value beside the error, a node whose
// status cannot be read has none (it shows as not answering).
import type { ClusterMember, LogicalPortStatistics, Status, TransportNodeStatus } from '../model/index.ts';
// Values from the model's zod-free files: model/index.ts brings zod (the bundle's weight) and
// node:crypto, which no browser has.
import { API_PREFIX, BULK_PATHS, RESOURCE_SEGMENTS } from '../model/api-paths.ts';
import { failureText, get, type Answer } from './api.ts';
import { complete, emptyReadings, type LabReadings, type NodeReading, type Reading } from './readings.ts';

export interface PollerOptions {
  /** Resources, status and node statuses (default 1000 ms). */
  everyMs?: number;
  /** Port counters (default 3000 ms). */
  statsEveryMs?: number;
  onChange: () => void;
  /** While this says so, nothing is asked (the first paint is being drawn: the member and the
   *  machine are better left to it than kept busy with second reads). */
  holdWhile?: () => boolean;
}

export class LabPoller {
  readonly readings: LabReadings = emptyReadings();
  private readonly busy = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastStats = 0;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    this.tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private tick(): void {
    const every = this.options.everyMs ?? 1000;
    this.timer = setTimeout(() => this.tick(), every);
    // A hidden page asks nothing; it catches up when shown again.
    if (document.hidden || this.options.holdWhile?.()) return;
    // Until everything has been read once, nothing is read twice: the first paint waits for the
    // slowest answer, and second reads of the others would only keep the member busier.
    if (this.readings.status.at > 0 && !complete(this.readings)) return;
    this.once('config', () => this.readConfig());
    // Apart: a dead peer keeps this answer waiting for its timeout (1 s), and nothing else.
    this.once('members', () => this.readMembers());
    this.readAll('node');
    if (Date.now() - this.lastStats >= (this.options.statsEveryMs ?? 3000)) this.readAll('port');
  }

  /** Runs `read` unless the same read is still under way. */
  private once(key: string, read: () => Promise<void>): void {
    if (this.busy.has(key)) return;
    this.busy.add(key);
    void read().finally(() => {
      this.busy.delete(key);
      this.options.onChange();
    });
  }

  private note<T>(reading: Reading<T>, answer: Answer<T>): void {
    reading.at = Date.now();
    if (answer.ok) {
      reading.value = answer.body;
      reading.okAt = reading.at;
      delete reading.error;
    } else reading.error = failureText(answer);
  }

  private async readConfig(): Promise<void> {
    const r = this.readings;
    const first = r.nodes.at === 0;
    // The first time, every node's status and every port's counters are asked at once, beside
    // the lists (they need not wait for them): what they leave out is read once the lists came.
    const atOnce = first ? { node: this.readAtOnce('node'), port: this.readAtOnce('port') } : undefined;
    const items = <T>(a: Answer<{ items: T[] }>): Answer<T[]> => (a.ok ? { ...a, body: a.body.items } : a);
    const list = <T>(resource: keyof typeof RESOURCE_SEGMENTS, reading: Reading<T[]>, then: () => void) =>
      get<{ items: T[] }>(`${API_PREFIX}/${RESOURCE_SEGMENTS[resource]}`).then((a) => {
        this.note(reading, items(a));
        if (first) then();
        return a;
      });
    const answers: Answer<unknown>[] = await Promise.all([
      list('transportNodes', r.nodes, () => void atOnce?.node.then(() => this.readMissing('node'))),
      list('logicalPorts', r.ports, () => void atOnce?.port.then(() => this.readMissing('port'))),
      list('logicalSwitches', r.switches, () => {}),
      list('logicalRouters', r.routers, () => {}),
      get<Status>(`${API_PREFIX}/status`).then((a) => {
        this.note(r.status, a);
        return a;
      }),
    ]);
    r.stale = answers.some((a) => a.stale);
    const silent = answers.find((a) => !a.ok && a.status === 0);
    if (silent) r.unreachable = failureText(silent);
    else delete r.unreachable;
    const refused = answers.find((a) => !a.ok && a.status === 401);
    if (refused) r.unauthorized = failureText(refused);
    else delete r.unauthorized;
    this.forget();
  }

  private async readMembers(): Promise<void> {
    const a = await get<{ items: ClusterMember[] }>(`${API_PREFIX}/members`);
    this.note(this.readings.members, a.ok ? { ...a, body: a.body.items } : a);
  }

  /** Every node's status, or every port's counters, in one request. */
  private async readAtOnce(what: 'node' | 'port'): Promise<void> {
    const r = this.readings;
    const at = () => ({ at: Date.now(), okAt: Date.now() });
    if (what === 'node') {
      const answer = await get<{ items: TransportNodeStatus[] }>(BULK_PATHS.nodeStatuses);
      if (answer.ok) for (const s of answer.body.items) r.nodeStatus.set(s.node, { value: s, ...at() });
    } else {
      this.lastStats = Date.now();
      const answer = await get<{ items: LogicalPortStatistics[] }>(BULK_PATHS.portStatistics, undefined, 'low');
      if (answer.ok) for (const s of answer.body.items) r.portStats.set(s.port, { value: s, ...at() });
    }
    this.options.onChange();
  }

  /** Reads on its own each listed node or port that has no reading yet (the request for all of
   *  them failed, or it came after it). */
  private readMissing(what: 'node' | 'port'): void {
    const r = this.readings;
    if (what === 'node') {
      for (const n of r.nodes.value ?? []) if (!r.nodeStatus.has(n.name)) this.once(`node:${n.name}`, () => this.readNode(n.name));
    } else for (const p of r.ports.value ?? []) if (!r.portStats.has(p.name)) this.once(`port:${p.name}`, () => this.readPort(p.name));
  }

  /** Reads every node's status, or every port's counters, unless already under way. */
  private readAll(what: 'node' | 'port'): void {
    if (what === 'node') for (const n of this.readings.nodes.value ?? []) this.once(`node:${n.name}`, () => this.readNode(n.name));
    else {
      this.lastStats = Date.now();
      for (const p of this.readings.ports.value ?? []) this.once(`port:${p.name}`, () => this.readPort(p.name));
    }
  }

  /** Drops the readings of nodes and ports that are gone from the API. */
  private forget(): void {
    const r = this.readings;
    const nodes = new Set((r.nodes.value ?? []).map((n) => n.name));
    const ports = new Set((r.ports.value ?? []).map((p) => p.name));
    for (const k of r.nodeStatus.keys()) if (!nodes.has(k)) r.nodeStatus.delete(k);
    for (const k of r.portStats.keys()) if (!ports.has(k)) r.portStats.delete(k);
  }

  private async readNode(name: string): Promise<void> {
    const answer = await get<TransportNodeStatus>(`${API_PREFIX}/${RESOURCE_SEGMENTS.transportNodes}/${encodeURIComponent(name)}/status`);
    const reading: NodeReading = this.readings.nodeStatus.get(name) ?? { at: 0 };
    this.note(reading, answer);
    // A failed read keeps no stale status: the node is shown as not answering.
    if (!answer.ok) delete reading.value;
    this.readings.nodeStatus.set(name, reading);
  }

  private async readPort(name: string): Promise<void> {
    // Low: behind the node statuses, which decide the graph's shape (its layout starts on them).
    const answer = await get<LogicalPortStatistics>(
      `${API_PREFIX}/${RESOURCE_SEGMENTS.logicalPorts}/${encodeURIComponent(name)}/statistics`,
      undefined,
      'low',
    );
    const reading = this.readings.portStats.get(name) ?? { at: 0 };
    this.note(reading, answer);
    this.readings.portStats.set(name, reading);
  }
}
