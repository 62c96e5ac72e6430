// JSON-RPC 1.0 as OVSDB uses it (RFC 7047 section 4): message types, a pure codec, and a
// connection over any Duplex stream that correlates replies by id and answers the peer's echo.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { OvsdbConnectionError, OvsdbProtocolError, OvsdbRpcError, OvsdbTimeoutError, type OvsdbFramingError } from './errors.ts';
import { JsonSplitter, encodeJson } from './json-stream.ts';
import { Silence } from '../util/silence.ts';
import { peerCommonName } from '../util/tls.ts';

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  kind: 'request';
  method: string;
  params: unknown[];
  id: JsonRpcId;
}
export interface JsonRpcNotification {
  kind: 'notification';
  method: string;
  params: unknown[];
}
export interface JsonRpcReply {
  kind: 'reply';
  result: unknown;
  id: JsonRpcId;
}
export interface JsonRpcErrorReply {
  kind: 'error';
  error: unknown;
  id: JsonRpcId | null;
}
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcReply | JsonRpcErrorReply;

/** The wire form of a message (what JSON.stringify sends). */
export function toWire(msg: JsonRpcMessage): Record<string, unknown> {
  switch (msg.kind) {
    case 'request':
      return { method: msg.method, params: msg.params, id: msg.id };
    case 'notification':
      return { method: msg.method, params: msg.params, id: null };
    case 'reply':
      return { result: msg.result, error: null, id: msg.id };
    case 'error':
      return { result: null, error: msg.error, id: msg.id };
  }
}

export function encodeMessage(msg: JsonRpcMessage): string {
  return encodeJson(toWire(msg));
}

function isId(v: unknown): v is JsonRpcId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** Classifies a parsed JSON value as a JSON-RPC 1.0 message; throws OvsdbProtocolError otherwise. */
export function decodeMessage(value: unknown): JsonRpcMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new OvsdbProtocolError('JSON-RPC message is not an object');
  }
  const m = value as Record<string, unknown>;
  if ('method' in m) {
    if (typeof m.method !== 'string') throw new OvsdbProtocolError('JSON-RPC "method" is not a string');
    if (!Array.isArray(m.params)) throw new OvsdbProtocolError(`JSON-RPC "${m.method}" params is not an array`);
    if (m.id === null || m.id === undefined) return { kind: 'notification', method: m.method, params: m.params };
    if (!isId(m.id)) throw new OvsdbProtocolError('JSON-RPC request id is not a string or number');
    return { kind: 'request', method: m.method, params: m.params, id: m.id };
  }
  if (!('result' in m) && !('error' in m)) {
    throw new OvsdbProtocolError(`JSON-RPC message is neither request nor reply: ${JSON.stringify(m).slice(0, 200)}`);
  }
  if (m.error !== null && m.error !== undefined) {
    if (m.id !== null && !isId(m.id)) throw new OvsdbProtocolError('JSON-RPC error reply id is invalid');
    return { kind: 'error', error: m.error, id: m.id as JsonRpcId | null };
  }
  if (!isId(m.id)) throw new OvsdbProtocolError('JSON-RPC reply id is not a string or number');
  return { kind: 'reply', result: m.result, id: m.id };
}

export interface JsonRpcConnectionOptions {
  /** Send our own echo every `echoInterval` ms when idle (default: off). */
  echoInterval?: number;
  /** Close the connection when nothing was received for this long (default: 3 × echoInterval). */
  deadTime?: number;
  /** Default timeout for requests in ms (default: none). */
  requestTimeout?: number;
  maxValueBytes?: number;
  /** A name for error messages, e.g. the remote string. */
  name?: string;
}

export interface JsonRpcConnectionEvents {
  notification: [JsonRpcNotification];
  /** A request other than echo; the handler must call `reply` or `replyError`. */
  request: [JsonRpcRequest];
  /** A framing or protocol error; the connection is closed right after. */
  error: [OvsdbFramingError | OvsdbProtocolError];
  close: [OvsdbConnectionError | undefined];
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One JSON-RPC connection. Requests get numeric ids; replies resolve them; the peer's `echo`
 * requests are answered here. Any framing or protocol error closes the connection, as OVS does.
 */
export class JsonRpcConnection extends EventEmitter<JsonRpcConnectionEvents> {
  readonly name: string;
  /** Over TLS, the common name of the certificate the peer presented; undefined otherwise. */
  readonly peerCommonName: string | undefined;
  private readonly splitter: JsonSplitter;
  private readonly pending = new Map<JsonRpcId, Pending>();
  private nextId = 1;
  private closed = false;
  /** Time without a message, not counting this process's own stalls (startEcho). */
  private silence: Silence | undefined;
  private echoTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: Duplex,
    private readonly options: JsonRpcConnectionOptions = {},
  ) {
    super();
    this.name = options.name ?? 'ovsdb';
    this.peerCommonName = peerCommonName(stream);
    this.splitter = new JsonSplitter(options.maxValueBytes === undefined ? {} : { maxValueBytes: options.maxValueBytes });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => {
      for (const r of this.splitter.end()) if (!r.ok) this.fail(r.error);
      this.close(new OvsdbConnectionError(`${this.name}: connection closed by peer`));
    });
    stream.on('error', (cause) => this.close(new OvsdbConnectionError(`${this.name}: ${cause.message}`, { cause })));
    stream.on('close', () => this.close(new OvsdbConnectionError(`${this.name}: connection closed`)));
    if (options.echoInterval) this.startEcho(options.echoInterval, options.deadTime ?? options.echoInterval * 3);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request(method: string, params: unknown[], options: { timeout?: number } = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new OvsdbConnectionError(`${this.name}: not connected`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeout = options.timeout ?? this.options.requestTimeout;
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id);
              reject(new OvsdbTimeoutError(`${this.name}: ${method} timed out after ${timeout} ms`));
            }, timeout);
      this.pending.set(id, { method, resolve, reject, timer });
      this.send({ kind: 'request', method, params, id });
    });
  }

  notify(method: string, params: unknown[]): void {
    this.send({ kind: 'notification', method, params });
  }

  reply(id: JsonRpcId, result: unknown): void {
    this.send({ kind: 'reply', result, id });
  }

  replyError(id: JsonRpcId | null, error: unknown): void {
    this.send({ kind: 'error', error, id });
  }

  close(reason?: OvsdbConnectionError): void {
    if (this.closed) return;
    this.closed = true;
    if (this.echoTimer) clearInterval(this.echoTimer);
    this.stream.destroy();
    const err = reason ?? new OvsdbConnectionError(`${this.name}: connection closed`);
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new OvsdbConnectionError(`${this.name}: connection lost during ${p.method}`, { cause: err }));
    }
    this.pending.clear();
    this.emit('close', reason);
  }

  private send(msg: JsonRpcMessage): void {
    if (this.closed) return;
    this.stream.write(encodeMessage(msg));
  }

  private onData(chunk: Buffer): void {
    this.silence?.heard();
    for (const r of this.splitter.push(chunk)) {
      if (this.closed) return;
      if (!r.ok) {
        this.fail(r.error);
        return;
      }
      let msg: JsonRpcMessage;
      try {
        msg = decodeMessage(r.value);
      } catch (err) {
        this.fail(err as OvsdbProtocolError);
        return;
      }
      this.dispatch(msg);
    }
  }

  private fail(err: OvsdbFramingError | OvsdbProtocolError): void {
    if (this.closed) return;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.close(new OvsdbConnectionError(`${this.name}: ${err.message}`, { cause: err }));
  }

  private dispatch(msg: JsonRpcMessage): void {
    switch (msg.kind) {
      case 'request':
        if (msg.method === 'echo') this.reply(msg.id, msg.params);
        else if (this.listenerCount('request') > 0) this.emit('request', msg);
        else this.replyError(msg.id, { error: 'unknown method', details: msg.method });
        return;
      case 'notification':
        this.emit('notification', msg);
        return;
      case 'reply':
      case 'error': {
        if (msg.id === null) {
          this.fail(new OvsdbProtocolError(`error without id from peer: ${JSON.stringify(msg.kind === 'error' ? msg.error : null)}`));
          return;
        }
        const p = this.pending.get(msg.id);
        if (!p) return; // a reply to a request that timed out; OVS ignores these too
        this.pending.delete(msg.id);
        if (p.timer) clearTimeout(p.timer);
        if (msg.kind === 'reply') p.resolve(msg.result);
        else p.reject(new OvsdbRpcError(p.method, msg.error));
        return;
      }
    }
  }

  // Keepalive as OVS's reconnect FSM does it: probe when idle, give up after deadTime of silence.
  private startEcho(interval: number, deadTime: number): void {
    const tick = Math.max(10, Math.floor(interval / 2));
    const silence = (this.silence = new Silence(tick));
    this.echoTimer = setInterval(() => {
      const idle = silence.tick();
      if (idle >= deadTime) {
        this.close(new OvsdbConnectionError(`${this.name}: no message for ${idle} ms (dead time ${deadTime} ms)`));
      } else if (idle >= interval) {
        this.request('echo', []).catch(() => {});
      }
    }, tick);
    this.echoTimer.unref();
  }
}
