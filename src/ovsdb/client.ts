// The OVSDB client: RFC 7047 methods over a JSON-RPC connection, plus the synchronisation that
// must survive reconnects. Monitors and wanted locks are registered here and re-issued on every
// new connection; with `database` set, each connection is first vetted through `_Server`
// (cluster member connected, and the leader when `leaderOnly`).
import { EventEmitter } from 'node:events';
import { isAcceptable, watchServer, type ServerDatabaseInfo, type ServerWatch } from './cluster.ts';
import { OvsdbConnectionError, OvsdbError, OvsdbRemoteError, OvsdbTimeoutError } from './errors.ts';
import type { JsonRpcConnection, JsonRpcNotification } from './jsonrpc.ts';
import { decodeTransactResult, encodeTransact, type Operation, type OperationResult } from './operations.ts';
import { encodeMonitorRequests, type MonitorHandler, type MonitorMethod, type MonitorTableRequest } from './monitor.ts';
import { sharedSchema, type DatabaseSchema } from './schema.ts';
import { ReconnectingSession } from './session.ts';
import type { ClientEvents, ClientOptions } from './client-types.ts';

export type { ClientEvents, ClientOptions };

interface MonitorRegistration {
  db: string;
  id: string;
  method: MonitorMethod;
  requests: Record<string, MonitorTableRequest>;
  handler: MonitorHandler;
  /** Updates that overtook the reply to the monitor request (the reply resolves a microtask later). */
  queue: Record<string, unknown>[] | undefined;
}

let monitorCounter = 0;

export class OvsdbClient extends EventEmitter<ClientEvents> {
  private conn: JsonRpcConnection | undefined;
  private readonly session: ReconnectingSession | undefined;
  private readonly monitors = new Map<string, MonitorRegistration>();
  private readonly wantedLocks = new Set<string>();
  private readonly heldLocks = new Set<string>();
  /** Lock/steal requests sent on the current connection (the server rejects duplicates). */
  private lockRequests = new Map<string, Promise<boolean>>();
  private readonly schemas = new Map<string, Promise<DatabaseSchema>>();
  private serverWatch: ServerWatch | undefined;
  private closed = false;

  private constructor(
    private readonly options: ClientOptions,
    session?: ReconnectingSession,
  ) {
    super();
    this.session = session;
  }

  /**
   * Active role: keeps a connection to one of `remotes` (tcp:IP:PORT or unix:PATH), reconnecting
   * with backoff. Returns at once; requests wait for the connection (or call `ready()`).
   */
  static connect(remotes: string | readonly string[], options: ClientOptions = {}): OvsdbClient {
    if (options.leaderOnly && !options.database)
      throw new OvsdbRemoteError('leaderOnly needs options.database (the clustered database to lead)');
    const session = new ReconnectingSession(remotes, options);
    const client = new OvsdbClient(options, session);
    session.onConnect = (conn) => client.vet(conn);
    session.on('up', (conn, remote) => client.attach(conn, remote));
    session.on('down', (reason) => client.detach(reason));
    session.start();
    return client;
  }

  /** One connection with no reconnect, e.g. one accepted by an OvsdbListener (passive role). */
  static fromConnection(conn: JsonRpcConnection, options: ClientOptions = {}): OvsdbClient {
    const client = new OvsdbClient(options);
    client.attach(conn, conn.name);
    conn.once('close', (reason) => client.detach(reason));
    return client;
  }

  get isConnected(): boolean {
    return this.conn !== undefined && !this.conn.isClosed;
  }

  /** The remote of the current connection (active role). */
  get remote(): string | undefined {
    return this.session?.remote ?? this.conn?.name;
  }

  /** Over TLS, the common name of the certificate the server (or, passive, the peer) presented. */
  get peerCommonName(): string | undefined {
    return this.conn?.peerCommonName;
  }

  /** The `_Server` row for `options.database` on the current member. */
  get serverInfo(): ServerDatabaseInfo | undefined {
    return this.serverWatch?.info;
  }

  /** Resolves once connected (and vetted); rejects after `timeout` ms. */
  ready(timeout = this.options.waitConnectedTimeout ?? 30_000): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    if (this.closed || !this.session) return Promise.reject(new OvsdbConnectionError('client is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('connected', onUp);
        reject(new OvsdbTimeoutError(`not connected to ${this.session?.remotes.join(', ')} after ${timeout} ms`));
      }, timeout);
      const onUp = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('connected', onUp);
    });
  }

  /** Sends a raw request on the current connection, waiting for one if needed. */
  async request(method: string, params: unknown[], options: { timeout?: number } = {}): Promise<unknown> {
    await this.ready();
    return this.conn!.request(method, params, options);
  }

  async listDbs(): Promise<string[]> {
    return (await this.request('list_dbs', [])) as string[];
  }

  /** get_schema, cached per database for the life of the client (and parsed once per process for
   *  every client given the same schema: sharedSchema). */
  getSchema(db: string): Promise<DatabaseSchema> {
    let p = this.schemas.get(db);
    if (!p) {
      p = this.request('get_schema', [db]).then(sharedSchema);
      p.catch(() => this.schemas.delete(db));
      this.schemas.set(db, p);
    }
    return p;
  }

  /** Runs operations atomically; throws OvsdbTransactionError if any fails. */
  async transact(db: string, ops: Operation[], options: { timeout?: number } = {}): Promise<OperationResult[]> {
    const schema = await this.getSchema(db).catch(() => undefined);
    const reply = await this.request('transact', encodeTransact(db, ops), options);
    return decodeTransactResult(ops, reply, schema);
  }

  /**
   * Registers a monitor that lives across reconnects. The handler receives the initial state
   * (`initial` true; again after every reconnect), then each update; the initial state is also returned.
   */
  async monitor(
    db: string,
    requests: Record<string, MonitorTableRequest>,
    handler: MonitorHandler,
    method: MonitorMethod = 'monitor_cond',
  ): Promise<{ id: string; initial: Record<string, unknown> }> {
    const id = `m${++monitorCounter}`;
    const reg: MonitorRegistration = { db, id, method, requests, handler, queue: undefined };
    for (;;) {
      await this.ready();
      const conn = this.conn!;
      this.monitors.set(id, reg);
      try {
        return { id, initial: await this.sendMonitor(conn, reg) };
      } catch (err) {
        // Lost the connection mid-request: the reconnect re-sends registered monitors, but we
        // still owe the caller the initial state, so ask again on the new connection.
        this.monitors.delete(id);
        if ((err as { code?: string }).code !== 'OVSDB_CONNECTION' || this.closed) throw err;
      }
    }
  }

  async monitorCancel(id: string): Promise<void> {
    const had = this.monitors.delete(id);
    if (had && this.isConnected) await this.conn!.request('monitor_cancel', [id]);
  }

  /**
   * Asks for a lock; resolves true if it is held. If not, the server queues us and `locked`
   * fires later (see `waitLocked`). The wish is re-sent after every reconnect. Asking again for
   * a lock already requested on this connection does not send a duplicate request.
   */
  async lock(name: string): Promise<boolean> {
    this.wantedLocks.add(name);
    await this.ready();
    let p = this.lockRequests.get(name);
    if (!p) {
      p = this.sendLock('lock', name);
      this.lockRequests.set(name, p);
    }
    await p;
    return this.heldLocks.has(name);
  }

  /** Takes the lock from its current owner (who gets `stolen`). */
  async steal(name: string): Promise<boolean> {
    this.wantedLocks.add(name);
    await this.ready();
    // The server refuses a second request for a lock this session already waits for.
    if (this.lockRequests.has(name)) {
      this.lockRequests.delete(name);
      await this.conn!.request('unlock', [name]);
    }
    const p = this.sendLock('steal', name);
    this.lockRequests.set(name, p);
    return p;
  }

  async unlock(name: string): Promise<void> {
    this.wantedLocks.delete(name);
    this.heldLocks.delete(name);
    const requested = this.lockRequests.delete(name);
    if (requested && this.isConnected) await this.conn!.request('unlock', [name]);
  }

  hasLock(name: string): boolean {
    return this.heldLocks.has(name);
  }

  /** Resolves when the named lock is held (now or after a `locked` notification). */
  waitLocked(name: string, timeout = 30_000): Promise<void> {
    if (this.heldLocks.has(name)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('locked', onLocked);
        reject(new OvsdbTimeoutError(`lock "${name}" not granted after ${timeout} ms`));
      }, timeout);
      const onLocked = (n: string) => {
        if (n !== name) return;
        clearTimeout(timer);
        this.off('locked', onLocked);
        resolve();
      };
      this.on('locked', onLocked);
    });
  }

  /** Sends an echo and resolves with the round trip in ms. */
  async echo(): Promise<number> {
    const t = Date.now();
    await this.request('echo', ['ping']);
    return Date.now() - t;
  }

  close(): void {
    this.closed = true;
    this.session?.stop();
    this.conn?.close();
    this.conn = undefined;
  }

  // --- connection lifecycle -------------------------------------------------------------------

  /** Session hook: refuses members that may not serve the database (cluster check). */
  private async vet(conn: JsonRpcConnection): Promise<void> {
    if (!this.options.database) return;
    const leaderOnly = this.options.leaderOnly === true;
    const watch = await watchServer(conn, this.options.database, this.options.requestTimeout ?? 10_000);
    if (!isAcceptable(watch.info, leaderOnly)) {
      const i = watch.info;
      throw new OvsdbConnectionError(
        i
          ? `${conn.name}: ${i.name} is ${i.connected ? 'connected' : 'disconnected'}${i.leader ? ', leader' : ', not leader'}`
          : `${conn.name}: no database ${this.options.database}`,
      );
    }
    this.serverWatch = watch;
    let grace: NodeJS.Timeout | undefined;
    const leave = () => {
      grace = undefined;
      if (!isAcceptable(watch.info, leaderOnly) && this.session && this.conn === conn) {
        this.session.reconnect(`${conn.name}: ${leaderOnly ? 'no longer the connected leader' : 'lost its cluster'}`);
      }
    };
    watch.on('change', (info) => {
      this.emit('server', info);
      if (isAcceptable(info, leaderOnly)) {
        clearTimeout(grace);
        grace = undefined;
      } else if (!grace) {
        const wait = this.options.clusterLossGraceMs ?? 0;
        if (wait > 0) grace = setTimeout(leave, wait);
        else leave();
      }
    });
    conn.on('close', () => clearTimeout(grace));
  }

  private attach(conn: JsonRpcConnection, remote: string): void {
    this.conn = conn;
    conn.on('notification', (n) => this.onNotification(n));
    this.heldLocks.clear();
    // Re-establish state first, then announce; requests made by listeners queue behind these.
    for (const reg of this.monitors.values()) void this.sendMonitor(conn, reg).catch(() => {});
    this.lockRequests = new Map();
    for (const name of this.wantedLocks) {
      const p = this.sendLock('lock', name);
      p.catch(() => {});
      this.lockRequests.set(name, p);
    }
    this.emit('connected', remote);
    if (this.serverWatch) this.emit('server', this.serverWatch.info);
  }

  private detach(reason: OvsdbConnectionError | undefined): void {
    this.conn = undefined;
    this.serverWatch = undefined;
    const lost = [...this.heldLocks];
    this.heldLocks.clear();
    // A lock held on a dropped connection is gone; say so, as the server would have.
    for (const name of lost) this.emit('stolen', name);
    this.emit('disconnected', reason);
  }

  private async sendMonitor(conn: JsonRpcConnection, reg: MonitorRegistration): Promise<Record<string, unknown>> {
    const params = [reg.db, reg.id, encodeMonitorRequests(reg.method, reg.requests)];
    reg.queue = [];
    let initial: Record<string, unknown>;
    try {
      initial = ((await conn.request(reg.method, params)) ?? {}) as Record<string, unknown>;
    } catch (err) {
      reg.queue = undefined;
      throw err;
    }
    const queued = reg.queue;
    reg.queue = undefined;
    if (this.conn !== conn || this.monitors.get(reg.id) !== reg) return initial;
    this.deliver(conn, reg, initial, true);
    for (const u of queued) this.deliver(conn, reg, u, false);
    return initial;
  }

  private deliver(conn: JsonRpcConnection, reg: MonitorRegistration, updates: Record<string, unknown>, initial: boolean): void {
    try {
      reg.handler.onUpdate(updates, initial);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.emit('monitorError', reg.id, e);
      if (e instanceof OvsdbError) conn.close(new OvsdbConnectionError(`monitor ${reg.id}: bad update: ${e.message}`, { cause: e }));
    }
  }

  private async sendLock(method: 'lock' | 'steal', name: string): Promise<boolean> {
    const reply = (await this.request(method, [name])) as { locked?: boolean };
    const got = reply?.locked === true;
    if (got && this.wantedLocks.has(name)) {
      const was = this.heldLocks.has(name);
      this.heldLocks.add(name);
      if (!was) this.emit('locked', name);
    }
    return got;
  }

  private onNotification(n: JsonRpcNotification): void {
    switch (n.method) {
      case 'update':
      case 'update2': {
        const reg = this.monitors.get(String(n.params[0]));
        const updates = (n.params[1] ?? {}) as Record<string, unknown>;
        if (reg?.queue) reg.queue.push(updates);
        else if (reg && this.conn) this.deliver(this.conn, reg, updates, false);
        else if (!String(n.params[0]).startsWith('_Server:')) this.emit('notification', n);
        return;
      }
      case 'locked': {
        const name = String(n.params[0]);
        if (!this.wantedLocks.has(name)) return;
        const was = this.heldLocks.has(name);
        this.heldLocks.add(name);
        if (!was) this.emit('locked', name);
        return;
      }
      case 'stolen': {
        const name = String(n.params[0]);
        this.heldLocks.delete(name);
        // After `stolen` the server has dropped our request; OVS's client does not re-queue.
        this.wantedLocks.delete(name);
        this.lockRequests.delete(name);
        this.emit('stolen', name);
        return;
      }
      default:
        this.emit('notification', n);
    }
  }
}
