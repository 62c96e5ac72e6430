// Active connections: `tcp:IP:PORT`, `ssl:IP:PORT` / `unix:PATH`, wrapped in a session that
// reconnects with exponential backoff and walks a list of remotes (cluster members) in turn.
// The passive side (ptcp:, pssl:, punix:) is listener.ts.
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { OvsdbConnectionError, OvsdbRemoteError } from './errors.ts';
import { JsonRpcConnection, type JsonRpcConnectionOptions } from './jsonrpc.ts';
import { isActive, isSecure, parseRemote, type Remote } from './remote.ts';
import { clientTlsOptions, type TlsCredentials } from '../util/tls.ts';

export interface ConnectOptions extends JsonRpcConnectionOptions {
  /** Give up a connect attempt (with ssl:, its TLS handshake too) after this many ms (default 10 s). */
  connectTimeout?: number;
  /** This end's certificate and the authority the server's must be of: required by ssl: remotes. */
  tls?: TlsCredentials;
}

/** Why `remote` cannot be connected to with these options (passive, or ssl: without credentials). */
function unusable(remote: string, r: Remote, options: ConnectOptions): OvsdbRemoteError | undefined {
  if (!isActive(r)) return new OvsdbRemoteError(`"${remote}" is a passive remote; use OvsdbListener`);
  if (isSecure(r) && !options.tls) return new OvsdbRemoteError(`"${remote}" needs TLS credentials (options.tls)`);
  return undefined;
}

function open(r: Remote, options: ConnectOptions): Socket {
  if (r.kind === 'unix') return createConnection({ path: r.path });
  if (r.kind === 'ssl') return tlsConnect({ host: r.host, port: r.port, ...clientTlsOptions(options.tls!) });
  if (r.kind === 'tcp') return createConnection({ host: r.host, port: r.port });
  throw new OvsdbRemoteError(`${r.kind}: is passive`);
}

/** One connection attempt to an active remote. */
export function connectRemote(remote: string, options: ConnectOptions = {}): Promise<JsonRpcConnection> {
  let r: Remote;
  try {
    r = parseRemote(remote);
  } catch (err) {
    return Promise.reject(err);
  }
  const refused = unusable(remote, r, options);
  if (refused) return Promise.reject(refused);
  const target = r;
  return new Promise((resolve, reject) => {
    const socket = open(target, options);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OvsdbConnectionError(`${remote}: connect timed out`));
    }, options.connectTimeout ?? 10_000);
    socket.once('error', (cause) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new OvsdbConnectionError(`${remote}: ${cause.message}`, { cause }));
    });
    // Over TLS, a connection is there once both ends have checked each other's certificate.
    socket.once(target.kind === 'ssl' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (target.kind !== 'unix') socket.setNoDelay(true);
      resolve(new JsonRpcConnection(socket, { ...options, name: options.name ?? remote }));
    });
  });
}

export interface BackoffOptions {
  /** First retry delay after every remote failed once (default 100 ms). */
  minBackoff?: number;
  /** Cap on the delay (default 8 s, as OVS). */
  maxBackoff?: number;
}

export interface SessionOptions extends ConnectOptions, BackoffOptions {}

export interface SessionEvents {
  /** A connection was accepted by the `onConnect` hook and is ready for use. */
  up: [JsonRpcConnection, string];
  down: [OvsdbConnectionError | undefined];
  /** A connect attempt or the `onConnect` hook failed; the session will retry. */
  attemptFailed: [string, Error];
}

/**
 * Keeps one connection up to one of `remotes`. Tries remotes in turn; after a full round of
 * failures waits minBackoff, doubling to maxBackoff. A connection counts as up only once
 * `onConnect` (e.g. a cluster-leader check) resolves; if it throws, the next remote is tried.
 */
export class ReconnectingSession extends EventEmitter<SessionEvents> {
  readonly remotes: readonly string[];
  onConnect: (conn: JsonRpcConnection, remote: string) => Promise<void> = async () => {};
  private index = 0;
  private failures = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private current: JsonRpcConnection | undefined;
  private currentRemote: string | undefined;
  private connecting = false;

  constructor(
    remotes: string | readonly string[],
    private readonly options: SessionOptions = {},
  ) {
    super();
    this.remotes = typeof remotes === 'string' ? [remotes] : [...remotes];
    if (this.remotes.length === 0) throw new OvsdbRemoteError('no remotes given');
    for (const r of this.remotes) {
      const why = unusable(r, parseRemote(r), options);
      if (why) throw why;
    }
  }

  get connection(): JsonRpcConnection | undefined {
    return this.current;
  }
  get remote(): string | undefined {
    return this.currentRemote;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.current;
    this.current = undefined;
    c?.close();
  }

  /** Drops the current connection and moves on to the next remote (e.g. it is no longer leader). */
  reconnect(reason: string): void {
    const c = this.current;
    if (!c) return;
    this.index = (this.index + 1) % this.remotes.length;
    this.failures++;
    c.close(new OvsdbConnectionError(reason));
  }

  private delay(): number {
    if (this.failures < this.remotes.length) return 0;
    const rounds = Math.floor(this.failures / this.remotes.length) - 1;
    const min = this.options.minBackoff ?? 100;
    const max = this.options.maxBackoff ?? 8000;
    return Math.min(max, min * 2 ** Math.min(rounds, 20));
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer || this.connecting) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, ms);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.connecting = true;
    const remote = this.remotes[this.index]!;
    let conn: JsonRpcConnection | undefined;
    try {
      conn = await connectRemote(remote, this.options);
      if (this.stopped) {
        conn.close();
        return;
      }
      await this.onConnect(conn, remote);
      if (conn.isClosed) throw new OvsdbConnectionError(`${remote}: connection closed during setup`);
    } catch (err) {
      conn?.close();
      this.connecting = false;
      this.failures++;
      this.index = (this.index + 1) % this.remotes.length;
      this.emit('attemptFailed', remote, err as Error);
      this.schedule(this.delay());
      return;
    }
    this.connecting = false;
    if (this.stopped) {
      conn.close();
      return;
    }
    this.failures = 0;
    this.current = conn;
    this.currentRemote = remote;
    const established = conn;
    established.once('close', (reason) => {
      if (this.current !== established) return;
      this.current = undefined;
      this.currentRemote = undefined;
      this.emit('down', reason);
      this.schedule(this.delay());
    });
    this.emit('up', conn, remote);
  }
}
