// One Manager row of a simulated node: ovsdb-server's outgoing connection to a member
// (`tcp:IP:PORT` or `ssl:IP:PORT`), where the member is the client. Reconnects as OVS does with
// max_backoff=1000 (a fixed pause between attempts), probes a silent peer as OVS's
// inactivity_probe does (an echo after `probeIntervalMs` of silence, a disconnect after as much
// again), and frames JSON-RPC with the OVSDB library's splitter and codec. Thousands of these
// live in one process: no per-connection timers but the pending reconnect, one sweep for probes,
// and replies written as text so one encoding serves every member.
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { JsonSplitter, decodeMessage, parseRemote, type JsonRpcMessage } from '../../ovsdb/index.ts';
import type { ActiveRemote } from '../../ovsdb/remote.ts';
import { clientTlsOptions, type TlsCredentials } from '../../util/tls.ts';
import type { MonitorSpec } from './monitors.ts';

export type RequestId = string | number;

export interface LinkHandler {
  /** The connection is up. */
  up(link: ManagerLink): void;
  /** A request other than echo; answer with `reply`, `replyText` or `replyError`. */
  request(link: ManagerLink, id: RequestId, method: string, params: unknown[]): void;
  /** The connection went down; its monitors and locks are gone. */
  down(link: ManagerLink): void;
}

export interface LinkOptions {
  tls: TlsCredentials | undefined;
  /** Pause before every reconnect (OVS: max_backoff=1000 on the Manager rows). */
  backoffMs: number;
  connectTimeoutMs: number;
  /** Echo after this much silence, disconnect after twice it; 0: never. */
  probeIntervalMs: number;
}

export interface LinkMonitor {
  /** The monitor id as the peer sent it, encoded. */
  idText: string;
  spec: MonitorSpec;
}

const live = new Set<ManagerLink>();
let sweeper: NodeJS.Timeout | undefined;
let sweepEvery = Infinity;

/** One timer for every connection's probes. */
function sweep(): void {
  const now = Date.now();
  for (const link of live) link.probe(now);
  if (live.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
    sweepEvery = Infinity;
  }
}

/** Probes `link` from now on, the sweep often enough for its interval (a fifth of it). */
function watch(link: ManagerLink, interval: number): void {
  live.add(link);
  const every = Math.max(20, Math.floor(interval / 5));
  if (sweeper && every >= sweepEvery) return;
  clearInterval(sweeper);
  sweepEvery = every;
  sweeper = setInterval(sweep, every).unref();
}

export class ManagerLink {
  /** This connection's monitors by encoded id; undefined while there are none. */
  monitors: Map<string, LinkMonitor> | undefined;
  private socket: Socket | undefined;
  private splitter: JsonSplitter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private lastReceive = 0;
  private probed = false;
  private echoes = 0;

  constructor(
    readonly target: string,
    private readonly handler: LinkHandler,
    private readonly options: LinkOptions,
  ) {
    const remote = parseRemote(target);
    if (remote.kind !== 'tcp' && remote.kind !== 'ssl' && remote.kind !== 'unix')
      throw new Error(`${target}: a manager target connects out (tcp:, ssl:, unix:)`);
    if (remote.kind === 'ssl' && !options.tls) throw new Error(`${target}: ssl: needs TLS credentials`);
  }

  get isConnected(): boolean {
    return this.splitter !== undefined;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.socket?.destroy();
  }

  /** Sends one JSON-RPC message given as text. */
  send(text: string): void {
    if (this.splitter) this.socket!.write(text);
  }

  reply(id: RequestId, result: unknown): void {
    this.replyText(id, JSON.stringify(result));
  }

  replyText(id: RequestId, resultText: string): void {
    this.send(`{"id":${JSON.stringify(id)},"result":${resultText},"error":null}`);
  }

  replyError(id: RequestId, error: unknown): void {
    this.send(`{"id":${JSON.stringify(id)},"result":null,"error":${JSON.stringify(error)}}`);
  }

  notifyText(method: string, paramsText: string): void {
    this.send(`{"id":null,"method":"${method}","params":${paramsText}}`);
  }

  /** Called by the sweep: echo a silent peer, drop one silent for twice the probe interval. */
  probe(now: number): void {
    const interval = this.options.probeIntervalMs;
    const idle = now - this.lastReceive;
    if (idle >= 2 * interval) this.socket?.destroy();
    else if (idle >= interval && !this.probed) {
      this.probed = true;
      this.send(`{"id":"echo${++this.echoes}","method":"echo","params":[]}`);
    }
  }

  private attempt(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const remote = parseRemote(this.target) as ActiveRemote;
    const secure = remote.kind === 'ssl';
    const socket =
      remote.kind === 'unix'
        ? createConnection({ path: remote.path })
        : secure
          ? tlsConnect({ host: remote.host, port: remote.port, ...clientTlsOptions(this.options.tls!) })
          : createConnection({ host: remote.host, port: remote.port });
    this.socket = socket;
    const giveUp = setTimeout(() => socket.destroy(), this.options.connectTimeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(giveUp);
      if (remote.kind !== 'unix') socket.setNoDelay(true);
      this.up();
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(giveUp);
      this.down();
    });
  }

  private up(): void {
    this.splitter = new JsonSplitter();
    this.lastReceive = Date.now();
    this.probed = false;
    if (this.options.probeIntervalMs > 0) watch(this, this.options.probeIntervalMs);
    this.handler.up(this);
  }

  private down(): void {
    const was = this.splitter !== undefined;
    this.socket = undefined;
    this.splitter = undefined;
    live.delete(this);
    if (was) {
      this.monitors = undefined;
      this.handler.down(this);
    }
    if (!this.stopped) this.timer = setTimeout(() => this.attempt(), this.options.backoffMs);
  }

  private receive(chunk: Buffer): void {
    const splitter = this.splitter;
    if (!splitter) return;
    this.lastReceive = Date.now();
    this.probed = false;
    for (const r of splitter.push(chunk)) {
      let msg: JsonRpcMessage;
      try {
        if (!r.ok) throw r.error;
        msg = decodeMessage(r.value);
      } catch {
        // As OVS does with a peer that breaks the protocol: drop the connection (and reconnect).
        this.socket?.destroy();
        return;
      }
      if (msg.kind !== 'request') continue; // replies to our echoes; notifications mean nothing here
      if (msg.method === 'echo') this.reply(msg.id, msg.params);
      else this.handler.request(this, msg.id, msg.method, msg.params);
      if (this.splitter !== splitter) return;
    }
  }
}
