// One OpenFlow 1.3 session with one switch, from the controller's side: HELLO negotiation and
// FEATURES, keepalive (echo interval, dead time), xid-correlated requests with a promise API,
// multipart reassembly, and install() = messages + BARRIER with per-xid error collection.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { BufferWriter } from './buffer-writer.ts';
import { Group, Meter, OFP_VERSION, Port, type ControllerRole } from './constants.ts';
import type { ConnectionEvents, ConnectionOptions, DisconnectReason } from './connection-types.ts';
import { ErrorType, OpenFlowDisconnectedError, OpenFlowHandshakeError, OpenFlowInstallError } from './errors.ts';
import type {
  FeaturesReply,
  FlowStats,
  FlowStatsFilter,
  GroupDesc,
  MultipartReplyBody,
  MultipartRequestBody,
  OfMessage,
  OutgoingMessage,
  PortDesc,
  SwitchDesc,
} from './messages.ts';
import type { MeterDesc, MeterFeatures, MeterStats } from './meter.ts';
import { allFlows } from './multipart.ts';
import type { GroupStats, PortStats } from './stats.ts';
import { OpenFlowParser, type ParseResult } from './parser.ts';
import { REPLY_TYPE, RequestTracker } from './requests.ts';
import { serializeInto } from './serializer.ts';
import { Silence, awakeTimeout, type AwakeTimer } from '../util/silence.ts';
import { peerCommonName } from '../util/tls.ts';

export type { ConnectionEvents, ConnectionOptions, DisconnectReason } from './connection-types.ts';

type State = 'hello' | 'features' | 'ready' | 'closed';

export class OpenFlowConnection extends EventEmitter<ConnectionEvents> {
  readonly remoteAddress: string;
  /** Over TLS, the common name of the certificate the switch presented; undefined otherwise. */
  readonly peerCommonName: string | undefined;
  /** Resolves with the switch's FEATURES_REPLY once the handshake is done. */
  readonly ready: Promise<FeaturesReply>;
  features: FeaturesReply | undefined;
  private state: State = 'hello';
  private readonly parser = new OpenFlowParser();
  private readonly out = new BufferWriter(4096); // grows with a burst; 64 KiB each was 64 MB per 1,000 switches
  private flushScheduled = false;
  private readonly requests = new RequestTracker();
  private readonly silence: Silence;
  private readonly keepalive: NodeJS.Timeout;
  private readonly handshakeTimer: AwakeTimer;
  private resolveReady!: (f: FeaturesReply) => void;
  private rejectReady!: (e: Error) => void;
  private readonly echoInterval: number;
  private readonly deadTime: number;
  private readonly requestTimeout: number;

  constructor(
    private readonly socket: Socket,
    options: ConnectionOptions = {},
  ) {
    super();
    this.echoInterval = options.echoInterval ?? 5000;
    this.deadTime = options.deadTime ?? 15000;
    this.requestTimeout = options.requestTimeout ?? 30000;
    // This process's own stalls are not the switch's silence.
    this.silence = new Silence(Math.max(20, Math.min(this.echoInterval, this.deadTime) / 4));
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.peerCommonName = peerCommonName(socket);
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // observed through events and by whoever awaits it
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown('socket-error', err));
    socket.on('close', () => this.shutdown('closed'));
    this.keepalive = setInterval(() => this.onTick(), this.silence.tickMs).unref();
    this.handshakeTimer = awakeTimeout(options.handshakeTimeout ?? 10000, () => {
      if (this.state === 'ready') return;
      this.shutdown('handshake', new OpenFlowHandshakeError('handshake timed out'));
      this.socket.destroy();
    });
    this.send({ type: 'hello', version: OFP_VERSION, versions: [OFP_VERSION] });
  }

  get datapathId(): bigint | undefined {
    return this.features?.datapathId;
  }

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** Queues a message for sending and returns its xid. Writes are coalesced per tick. */
  send(msg: OutgoingMessage): number {
    if (this.state === 'closed') throw new OpenFlowDisconnectedError(`session ${this.remoteAddress} is closed`);
    const xid = msg.xid ?? this.requests.allocXid();
    const mark = this.out.offset;
    try {
      serializeInto(this.out, { ...msg, xid } as OfMessage);
    } catch (err) {
      this.out.truncate(mark);
      throw err;
    }
    this.scheduleFlush();
    return xid;
  }

  /** Encodes every message first (all or none is sent), then queues them as one write. */
  sendAll(msgs: readonly OutgoingMessage[]): number[] {
    if (this.state === 'closed') throw new OpenFlowDisconnectedError(`session ${this.remoteAddress} is closed`);
    const w = new BufferWriter(Math.max(1024, msgs.length * 160));
    const xids = msgs.map((m) => {
      const xid = m.xid ?? this.requests.allocXid();
      serializeInto(w, { ...m, xid } as OfMessage);
      return xid;
    });
    this.out.bytes(w.view());
    this.scheduleFlush();
    return xids;
  }

  /** Sends a request and resolves with its reply (multipart replies reassembled). */
  request<T extends OfMessage = OfMessage>(msg: OutgoingMessage, options: { timeout?: number } = {}): Promise<T> {
    const expect = REPLY_TYPE[msg.type];
    if (expect === undefined) return Promise.reject(new TypeError(`${msg.type} has no reply`));
    if (this.state === 'closed') {
      return Promise.reject(new OpenFlowDisconnectedError(`session ${this.remoteAddress} is closed`));
    }
    const xid = msg.xid ?? this.requests.allocXid();
    const reply = this.requests.expect(xid, expect, options.timeout ?? this.requestTimeout, msg.type);
    try {
      this.send({ ...msg, xid } as OutgoingMessage);
    } catch (err) {
      this.requests.fail(xid, err as Error);
    }
    return reply as Promise<T>;
  }

  /**
   * Sends the messages and a BARRIER in one write; resolves when the barrier reply arrives, or
   * rejects with OpenFlowInstallError listing every message the switch answered with an ERROR.
   */
  async install(msgs: readonly OutgoingMessage[], options: { timeout?: number } = {}): Promise<void> {
    const batch = this.requests.beginBatch();
    try {
      // Registered before any reply can arrive: replies need I/O, which waits for this tick.
      this.sendAll(msgs).forEach((xid, index) => this.requests.addToBatch(batch, xid, index));
      await this.request({ type: 'barrier_request' }, options);
    } finally {
      this.requests.endBatch(batch);
    }
    if (batch.failures.length > 0) throw new OpenFlowInstallError(batch.failures, msgs.length);
  }

  barrier(options?: { timeout?: number }): Promise<void> {
    return this.request({ type: 'barrier_request' }, options).then(() => undefined);
  }

  async echo(data: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    const reply = await this.request({ type: 'echo_request', data });
    return reply.type === 'echo_reply' ? reply.data : Buffer.alloc(0);
  }

  /** ROLE_REQUEST; resolves with the role and generation id the switch reports. */
  async role(role: ControllerRole, generationId = 0n): Promise<{ role: ControllerRole; generationId: bigint }> {
    const reply = await this.request({ type: 'role_request', role, generationId });
    if (reply.type !== 'role_reply') throw new TypeError('unexpected reply');
    return { role: reply.role, generationId: reply.generationId };
  }

  async getConfig(): Promise<{ flags: number; missSendLen: number }> {
    const reply = await this.request({ type: 'get_config_request' });
    if (reply.type !== 'get_config_reply') throw new TypeError('unexpected reply');
    return { flags: reply.flags, missSendLen: reply.missSendLen };
  }

  /** SET_CONFIG has no reply; the barrier makes the promise mean "applied". */
  setConfig(flags: number, missSendLen: number): Promise<void> {
    return this.install([{ type: 'set_config', flags, missSendLen }]);
  }

  async multipart(body: MultipartRequestBody, options?: { timeout?: number }): Promise<MultipartReplyBody> {
    const reply = await this.request({ type: 'multipart_request', flags: 0, body }, options);
    if (reply.type !== 'multipart_reply') throw new TypeError('unexpected reply');
    return reply.body;
  }

  async flowStats(filter: Partial<FlowStatsFilter> = {}): Promise<FlowStats[]> {
    const body = await this.multipart({ kind: 'flow', ...allFlows(filter) });
    return body.kind === 'flow' ? body.flows : [];
  }

  /** Sends a multipart request and gives each reply frame to `onFrame` as bytes (a view valid
   *  during the call), undecoded; resolves after the last. */
  async multipartFrames(body: MultipartRequestBody, onFrame: (frame: Buffer) => void): Promise<void> {
    const xid = this.requests.allocXid();
    const done = this.requests.expectRaw(xid, this.requestTimeout, `multipart ${body.kind}`, onFrame);
    try {
      this.send({ type: 'multipart_request', xid, flags: 0, body });
    } catch (err) {
      this.requests.fail(xid, err as Error);
    }
    await done;
  }

  async aggregate(filter: Partial<FlowStatsFilter> = {}): Promise<{ packetCount: bigint; byteCount: bigint; flowCount: number }> {
    const body = await this.multipart({ kind: 'aggregate', ...allFlows(filter) });
    if (body.kind !== 'aggregate') throw new TypeError('unexpected multipart reply');
    return { packetCount: body.packetCount, byteCount: body.byteCount, flowCount: body.flowCount };
  }

  async portDesc(): Promise<PortDesc[]> {
    const body = await this.multipart({ kind: 'port_desc' });
    return body.kind === 'port_desc' ? body.ports : [];
  }

  async groupDesc(): Promise<GroupDesc[]> {
    const body = await this.multipart({ kind: 'group_desc' });
    return body.kind === 'group_desc' ? body.groups : [];
  }

  /** Counters of one port, or of every port (the default). */
  async portStats(portNo: number = Port.ANY): Promise<PortStats[]> {
    const body = await this.multipart({ kind: 'port_stats', portNo });
    return body.kind === 'port_stats' ? body.ports : [];
  }

  /** Counters of one group and its buckets, or of every group (the default). */
  async groupStats(groupId: number = Group.ALL): Promise<GroupStats[]> {
    const body = await this.multipart({ kind: 'group', groupId });
    return body.kind === 'group' ? body.groups : [];
  }

  /** Counters of one meter and its bands, or of every meter (the default). */
  async meterStats(meterId: number = Meter.ALL): Promise<MeterStats[]> {
    const body = await this.multipart({ kind: 'meter', meterId });
    return body.kind === 'meter' ? body.meters : [];
  }

  /** One meter's flags and bands, or every meter's (the default): what reconciling compares. */
  async meterConfig(meterId: number = Meter.ALL): Promise<MeterDesc[]> {
    const body = await this.multipart({ kind: 'meter_config', meterId });
    return body.kind === 'meter_config' ? body.meters : [];
  }

  async meterFeatures(): Promise<MeterFeatures> {
    const body = await this.multipart({ kind: 'meter_features' });
    if (body.kind !== 'meter_features') throw new TypeError('unexpected multipart reply');
    const { kind: _kind, ...features } = body;
    return features;
  }

  async desc(): Promise<SwitchDesc> {
    const body = await this.multipart({ kind: 'desc' });
    if (body.kind !== 'desc') throw new TypeError('unexpected multipart reply');
    const { kind: _kind, ...desc } = body;
    return desc;
  }

  /** Flushes queued writes and closes the session gracefully. */
  close(): void {
    this.finish('local');
  }

  /** Drops the TCP connection at once, without flushing. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown('local');
  }

  // Graceful end: what is queued still goes out, then FIN; the socket is destroyed if it lingers.
  private finish(reason: DisconnectReason, error?: Error): void {
    if (this.state === 'closed') return;
    this.flush();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.shutdown(reason, error);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out.offset === 0) return;
    const data = this.out.toBuffer();
    this.out.reset();
    if (!this.socket.destroyed) this.socket.write(data);
  }

  private onTick(): void {
    if (this.state === 'closed') return;
    const idle = this.silence.tick();
    if (idle >= this.deadTime) {
      this.shutdown('dead', new OpenFlowDisconnectedError(`no message from ${this.remoteAddress} for ${idle} ms`));
      this.socket.destroy();
    } else if (this.silence.probe(idle, this.echoInterval)) {
      // Bounded by deadTime so a switch that ignores echoes cannot pile up pending requests.
      this.request({ type: 'echo_request', data: Buffer.alloc(0) }, { timeout: this.deadTime }).catch(() => {});
    }
  }

  private onData(chunk: Buffer): void {
    this.parser.feed(chunk, (result) => this.onResult(result), this.claimRaw);
  }

  /** A multipart reply a request takes as bytes (multipartFrames) is not decoded. */
  private readonly claimRaw = (frame: Buffer): boolean => {
    const claimed = this.state !== 'closed' && this.requests.onRawFrame(frame);
    if (claimed) this.silence.heard();
    return claimed;
  };

  private onResult(result: ParseResult): void {
    if (this.state === 'closed') return;
    // Only a whole message shows the switch alive: one dripping a message a byte at a time
    // never gets to answer an echo, and is dropped at its dead time.
    this.silence.heard();
    if (!result.ok) {
      const err = result.error;
      if (err.xid !== undefined && this.requests.has(err.xid)) this.requests.fail(err.xid, err);
      this.emit('decodeError', err);
      if (err.fatal) {
        this.shutdown('decode', err);
        this.socket.destroy();
      }
      return;
    }
    const msg = result.message;
    this.emit('message', msg);
    switch (msg.type) {
      case 'hello':
        return this.onHello(msg.version, msg.versions);
      case 'echo_request':
        this.send({ type: 'echo_reply', xid: msg.xid, data: msg.data });
        return;
      case 'error': {
        const unclaimed = this.requests.onError(msg);
        if (unclaimed) this.emit('errorMessage', unclaimed);
        return;
      }
      case 'packet_in':
        this.emit('packetIn', msg);
        return;
      case 'port_status':
        this.emit('portStatus', msg);
        return;
      case 'flow_removed':
        this.emit('flowRemoved', msg);
        return;
      default:
        this.requests.onReply(msg);
        return;
    }
  }

  private onHello(version: number, versions: number[] | undefined): void {
    if (this.state !== 'hello') return;
    const common = versions === undefined ? version >= OFP_VERSION : versions.includes(OFP_VERSION);
    if (!common) {
      const text = `we support OpenFlow 1.3 (0x04) only; peer offered ${versions?.join(',') ?? `up to ${version}`}`;
      this.send({ type: 'error', errorType: ErrorType.HELLO_FAILED, errorCode: 0, data: Buffer.from(text) });
      this.finish('handshake', new OpenFlowHandshakeError(text));
      return;
    }
    this.state = 'features';
    this.request({ type: 'features_request' }).then(
      (reply) => {
        if (reply.type !== 'features_reply' || this.state !== 'features') return;
        this.features = reply;
        this.state = 'ready';
        this.handshakeTimer.cancel();
        this.resolveReady(reply);
        this.emit('ready', reply);
      },
      (err: Error) => {
        this.shutdown('handshake', new OpenFlowHandshakeError('FEATURES_REQUEST failed', { cause: err }));
        this.socket.destroy();
      },
    );
  }

  private shutdown(reason: DisconnectReason, error?: Error): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearInterval(this.keepalive);
    this.handshakeTimer.cancel();
    const gone = new OpenFlowDisconnectedError(`session ${this.remoteAddress} ended: ${reason}`, { cause: error });
    if (!wasReady)
      this.rejectReady(error instanceof OpenFlowHandshakeError ? error : new OpenFlowHandshakeError(gone.message, { cause: error }));
    this.requests.failAll(gone);
    this.emit('disconnect', error === undefined ? { reason } : { reason, error });
  }
}
