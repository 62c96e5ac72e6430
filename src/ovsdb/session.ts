// Connections in both roles. Active: `tcp:IP:PORT` / `unix:PATH`, wrapped in a session that
// reconnects with exponential backoff and walks a list of remotes (cluster members) in turn.
// Passive: `ptcp:PORT[:IP]` / `punix:PATH`, a listener where ovsdb-servers connect to us as
// their manager; every accepted connection is its own JSON-RPC connection.
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { OvsdbConnectionError, OvsdbRemoteError } from './errors.ts';
import { JsonRpcConnection, type JsonRpcConnectionOptions } from './jsonrpc.ts';

export const DEFAULT_PORT = 6640;

export type ActiveRemote = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };
export type PassiveRemote = { kind: 'ptcp'; port: number; host?: string } | { kind: 'punix'; path: string };
export type Remote = ActiveRemote | PassiveRemote;

function parsePort(s: string, remote: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535) throw new OvsdbRemoteError(`bad port "${s}" in remote "${remote}"`);
  return n;
}

/** Splits `HOST[:PORT]`, accepting `[v6addr]:PORT`. */
function splitHostPort(s: string, remote: string): { host: string; port?: string } {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) throw new OvsdbRemoteError(`unterminated IPv6 address in "${remote}"`);
    const rest = s.slice(end + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new OvsdbRemoteError(`bad remote "${remote}"`);
    return rest === '' ? { host: s.slice(1, end) } : { host: s.slice(1, end), port: rest.slice(1) };
  }
  const i = s.lastIndexOf(':');
  return i < 0 ? { host: s } : { host: s.slice(0, i), port: s.slice(i + 1) };
}

/** Parses an OVS remote string: tcp:IP[:PORT], unix:PATH, ptcp:[PORT][:IP], punix:PATH. */
export function parseRemote(remote: string): Remote {
  const colon = remote.indexOf(':');
  if (colon < 0) throw new OvsdbRemoteError(`remote "${remote}" has no method (tcp:, unix:, ptcp:, punix:)`);
  const method = remote.slice(0, colon);
  const rest = remote.slice(colon + 1);
  switch (method) {
    case 'tcp': {
      const { host, port } = splitHostPort(rest, remote);
      if (!host) throw new OvsdbRemoteError(`remote "${remote}" has no host`);
      return { kind: 'tcp', host, port: port === undefined ? DEFAULT_PORT : parsePort(port, remote) };
    }
    case 'unix':
    case 'punix':
      if (!rest) throw new OvsdbRemoteError(`remote "${remote}" has no path`);
      return { kind: method, path: rest };
    case 'ptcp': {
      if (rest === '') return { kind: 'ptcp', port: DEFAULT_PORT };
      const i = rest.indexOf(':');
      const portStr = i < 0 ? rest : rest.slice(0, i);
      let host = i < 0 ? undefined : rest.slice(i + 1);
      if (host?.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
      const port = portStr === '' ? DEFAULT_PORT : parsePort(portStr, remote);
      return host ? { kind: 'ptcp', port, host } : { kind: 'ptcp', port };
    }
    default:
      throw new OvsdbRemoteError(`unknown method "${method}" in remote "${remote}" (expected tcp, unix, ptcp, punix)`);
  }
}

export function formatRemote(r: Remote): string {
  const h = (host: string) => (host.includes(':') ? `[${host}]` : host);
  switch (r.kind) {
    case 'tcp':
      return `tcp:${h(r.host)}:${r.port}`;
    case 'unix':
    case 'punix':
      return `${r.kind}:${r.path}`;
    case 'ptcp':
      return r.host ? `ptcp:${r.port}:${h(r.host)}` : `ptcp:${r.port}`;
  }
}

export interface ConnectOptions extends JsonRpcConnectionOptions {
  /** Give up a connect attempt after this many ms (default 10 s). */
  connectTimeout?: number;
}

/** One connection attempt to an active remote. */
export function connectRemote(remote: string, options: ConnectOptions = {}): Promise<JsonRpcConnection> {
  let r: Remote;
  try {
    r = parseRemote(remote);
  } catch (err) {
    return Promise.reject(err);
  }
  if (r.kind !== 'tcp' && r.kind !== 'unix') {
    return Promise.reject(new OvsdbRemoteError(`"${remote}" is a passive remote; use OvsdbListener`));
  }
  const target = r;
  return new Promise((resolve, reject) => {
    const socket: Socket =
      target.kind === 'tcp' ? createConnection({ host: target.host, port: target.port }) : createConnection({ path: target.path });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OvsdbConnectionError(`${remote}: connect timed out`));
    }, options.connectTimeout ?? 10_000);
    socket.once('error', (cause) => {
      clearTimeout(timer);
      reject(new OvsdbConnectionError(`${remote}: ${cause.message}`, { cause }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (target.kind === 'tcp') socket.setNoDelay(true);
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
      const p = parseRemote(r);
      if (p.kind !== 'tcp' && p.kind !== 'unix') throw new OvsdbRemoteError(`"${r}" is a passive remote`);
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

export interface ListenerEvents {
  connection: [JsonRpcConnection, { remoteAddress?: string; remotePort?: number }];
  error: [Error];
}

/**
 * A passive endpoint: `ptcp:PORT[:IP]` or `punix:PATH`. Point ovsdb-servers at it with
 * `ovs-vsctl set-manager tcp:IP:PORT`; each one that connects arrives as a `connection` event.
 */
export class OvsdbListener extends EventEmitter<ListenerEvents> {
  private readonly connections = new Set<JsonRpcConnection>();

  private constructor(
    private readonly server: Server,
    readonly remote: string,
  ) {
    super();
  }

  static async listen(remote: string, options: JsonRpcConnectionOptions = {}): Promise<OvsdbListener> {
    const r = parseRemote(remote);
    if (r.kind !== 'ptcp' && r.kind !== 'punix') throw new OvsdbRemoteError(`"${remote}" is not a passive remote`);
    const server = createServer();
    const listener = new OvsdbListener(server, remote);
    server.on('connection', (socket) => {
      if (r.kind === 'ptcp') socket.setNoDelay(true);
      const name = socket.remoteAddress ? `${remote}<-${socket.remoteAddress}:${socket.remotePort}` : `${remote}<-peer`;
      const conn = new JsonRpcConnection(socket, { ...options, name });
      listener.connections.add(conn);
      conn.once('close', () => listener.connections.delete(conn));
      listener.emit('connection', conn, {
        ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}),
        ...(socket.remotePort ? { remotePort: socket.remotePort } : {}),
      });
    });
    server.on('error', (err) => {
      if (listener.listenerCount('error') > 0) listener.emit('error', err);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(new OvsdbConnectionError(`cannot listen on ${remote}: ${cause.message}`, { cause })));
      if (r.kind === 'ptcp') server.listen(r.port, r.host ?? '0.0.0.0', () => resolve());
      else server.listen(r.path, () => resolve());
    });
    return listener;
  }

  /** The bound TCP port (useful with `ptcp:0:127.0.0.1`). */
  get port(): number | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** Stops listening and closes every accepted connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
