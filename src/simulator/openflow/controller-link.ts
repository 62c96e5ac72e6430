// One connection from the simulated switch out to one controller target, as ovs-vswitchd's rconn
// keeps it: connect, HELLO (OpenFlow 1.3 only), answer echoes, probe a silent controller
// (inactivity_probe) and drop it when the probe goes unanswered, and after any failure try
// again after the backoff (the Controller row's max_backoff, ≤ 1 s here).
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { OFP_VERSION, type ControllerRole } from '../../openflow/constants.ts';
import type { OfMessage, OutgoingMessage } from '../../openflow/messages.ts';
import { OpenFlowParser, type ParseResult } from '../../openflow/parser.ts';
import { serialize } from '../../openflow/serializer.ts';
import { clientTlsOptions, type TlsCredentials } from '../../util/tls.ts';
import { Datapath, newCounters, type Peer } from './datapath.ts';
import { Refused } from './refusal.ts';

export type LinkState = 'idle' | 'connecting' | 'hello' | 'open' | 'backoff' | 'closed';

export interface LinkTarget {
  /** As given (`tcp:IP:PORT`, `ssl:IP:PORT`). */
  target: string;
  secure: boolean;
  host: string;
  port: number;
}

export interface LinkOptions {
  tls: TlsCredentials | undefined;
  backoffMs: number;
  /** 0: never probe. */
  probeMs: number;
  /** A message after the handshake, for the datapath. */
  onMessage(link: ControllerLink, msg: OfMessage, frame: Buffer): void;
  /** Every message of a chunk of input was handled. */
  onInput(): void;
  onOpen(link: ControllerLink): void;
  onClose(link: ControllerLink): void;
}

export class ControllerLink implements Peer {
  role: ControllerRole = 'equal';
  missSendLen = 0;
  readonly counters = newCounters();
  state: LinkState = 'idle';
  /** Completed handshakes. */
  connects = 0;
  lastError: string | undefined;
  private socket: Socket | undefined;
  private parser = new OpenFlowParser();
  private queue: Buffer[] = [];
  private lastRx = 0;
  /** When the outstanding inactivity probe went out; 0: none. */
  private probeSent = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    readonly to: LinkTarget,
    private readonly options: LinkOptions,
  ) {}

  get target(): string {
    return this.to.target;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  start(): void {
    if (this.state === 'idle' || this.state === 'backoff') this.dial();
  }

  stop(): void {
    this.state = 'closed';
    clearTimeout(this.retry);
    this.socket?.destroy();
  }

  send(msg: OutgoingMessage): void {
    this.sendFrames(serialize({ xid: 0, ...msg } as OfMessage));
  }

  sendFrames(frames: Buffer): void {
    if (!this.socket || this.socket.destroyed) return;
    if (this.queue.push(frames) === 1) queueMicrotask(() => this.flush());
  }

  /** The inactivity probe, once a second (probe-clock.ts). */
  tick(now: number): void {
    if ((this.state !== 'open' && this.state !== 'hello') || this.options.probeMs === 0) return;
    if (this.probeSent === 0 && now - this.lastRx >= this.options.probeMs) {
      this.probeSent = now;
      this.send({ type: 'echo_request', data: Buffer.alloc(0) });
    } else if (this.probeSent !== 0 && now - this.probeSent >= this.options.probeMs) {
      this.lastError = `no response to inactivity probe after ${Math.round((now - this.lastRx) / 1000)} s`;
      this.socket?.destroy();
    }
  }

  private dial(): void {
    this.state = 'connecting';
    const { host, port, secure } = this.to;
    const tls = this.options.tls;
    if (secure && !tls) {
      this.lastError = 'ssl: target without TLS credentials';
      return this.backoff();
    }
    const socket = secure ? tlsConnect({ host, port, ...clientTlsOptions(tls!) }) : tcpConnect({ host, port });
    this.socket = socket;
    this.parser = new OpenFlowParser();
    // rconn gives a connection attempt as long as its backoff (at least a second).
    socket.setTimeout(Math.max(1000, this.options.backoffMs), () => socket.destroy(new Error('connection timed out')));
    socket.once(secure ? 'secureConnect' : 'connect', () => this.connected(socket));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => (this.lastError = err.message));
    socket.on('close', () => this.closed(socket));
  }

  private connected(socket: Socket): void {
    socket.setTimeout(0);
    socket.setNoDelay(true);
    this.state = 'hello';
    this.lastRx = Date.now();
    this.probeSent = 0;
    Datapath.connected(this);
    this.send({ type: 'hello', version: OFP_VERSION, versions: [OFP_VERSION] });
  }

  private closed(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.queue = [];
    const wasOpen = this.state === 'open';
    if (this.state !== 'closed') this.backoff();
    if (wasOpen) this.options.onClose(this);
  }

  private backoff(): void {
    this.state = 'backoff';
    this.retry = setTimeout(() => this.state === 'backoff' && this.dial(), this.options.backoffMs);
  }

  private flush(): void {
    const frames = this.queue;
    this.queue = [];
    if (frames.length === 0 || !this.socket || this.socket.destroyed) return;
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  private onData(chunk: Buffer): void {
    this.lastRx = Date.now();
    this.probeSent = 0;
    this.parser.feed(chunk, (result, frame) => this.onFrame(result, frame));
    this.options.onInput();
  }

  private onFrame(result: ParseResult, frame: Buffer): void {
    if (this.state === 'closed' || !this.socket) return;
    if (!result.ok) {
      if (result.error.fatal) return void this.socket.destroy(result.error);
      const { type, code } = Refused.BAD_LEN;
      this.counters.refused += 1;
      return this.send({ type: 'error', xid: result.error.xid ?? 0, errorType: type, errorCode: code, data: frame });
    }
    const msg = result.message;
    if (this.state === 'hello') return this.onHello(msg);
    switch (msg.type) {
      case 'hello':
      case 'echo_reply':
      case 'error':
        return;
      case 'echo_request':
        return this.send({ type: 'echo_reply', xid: msg.xid, data: msg.data });
      default:
        this.options.onMessage(this, msg, frame);
    }
  }

  // OVS takes the highest version both sides allow; it allows 1.3 only here (protocols=OpenFlow13).
  private onHello(msg: OfMessage): void {
    const common = msg.type === 'hello' && (msg.versions === undefined ? msg.version >= OFP_VERSION : msg.versions.includes(OFP_VERSION));
    if (!common) {
      const { type, code } = Refused.HELLO_INCOMPATIBLE;
      const text = `${this.to.target}: the switch allows OpenFlow 1.3 (0x04) only`;
      this.send({ type: 'error', xid: msg.xid, errorType: type, errorCode: code, data: Buffer.from(text) });
      this.lastError = text;
      this.flush();
      this.socket?.end();
      return;
    }
    this.state = 'open';
    this.connects += 1;
    this.options.onOpen(this);
  }
}
