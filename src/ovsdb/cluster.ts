// Awareness of clustered databases through the `_Server` database that every ovsdb-server serves:
// its `Database` table says, per database, the model (standalone, clustered, relay), whether this
// member is connected to the cluster, whether it is the leader, and the Raft sid/cid/index.
import { EventEmitter } from 'node:events';
import { Uuid, decodeValue, type Value } from './data.ts';
import { OvsdbConnectionError } from './errors.ts';
import type { JsonRpcConnection } from './jsonrpc.ts';
import { connectRemote, type ConnectOptions } from './session.ts';

export interface ServerDatabaseInfo {
  name: string;
  model: 'standalone' | 'clustered' | 'relay' | string;
  connected: boolean;
  leader: boolean;
  /** This server's id in the cluster (clustered only). */
  sid?: string;
  /** The cluster id (clustered only, once known). */
  cid?: string;
  /** The last Raft log index applied (clustered only). */
  index?: number;
}

const COLUMNS = ['name', 'model', 'connected', 'leader', 'sid', 'cid', 'index'];

/** Optional columns come as `["set",[]]` or a bare atom; take the one value or nothing. */
function optional(v: Value | undefined): Value | undefined {
  if (Array.isArray(v)) return v[0];
  return v;
}

export function parseServerDatabaseRow(row: Record<string, unknown>): ServerDatabaseInfo {
  const get = (k: string) => (row[k] === undefined ? undefined : optional(decodeValue(row[k])));
  const sid = get('sid');
  const cid = get('cid');
  const index = get('index');
  return {
    name: String(get('name') ?? ''),
    model: String(get('model') ?? 'standalone'),
    connected: get('connected') === true,
    leader: get('leader') === true,
    ...(sid instanceof Uuid ? { sid: sid.uuid } : {}),
    ...(cid instanceof Uuid ? { cid: cid.uuid } : {}),
    ...(typeof index === 'number' ? { index } : {}),
  };
}

/** True if this member may serve the database (clustered: connected; with leaderOnly: the leader). */
export function isAcceptable(info: ServerDatabaseInfo | undefined, leaderOnly: boolean): boolean {
  if (!info) return false;
  if (info.model !== 'clustered') return true;
  return info.connected && (!leaderOnly || info.leader);
}

export interface ServerWatchEvents {
  change: [ServerDatabaseInfo | undefined, ServerDatabaseInfo | undefined];
}

let watchCounter = 0;

/**
 * Monitors `_Server.Database` on one connection and keeps the row for one database current.
 * Created by `watchServer`, which resolves once the initial state has arrived.
 */
export class ServerWatch extends EventEmitter<ServerWatchEvents> {
  private readonly rows = new Map<string, Record<string, unknown>>();

  constructor(
    readonly database: string,
    readonly monitorId: string,
  ) {
    super();
  }

  get info(): ServerDatabaseInfo | undefined {
    for (const row of this.rows.values()) {
      const info = parseServerDatabaseRow(row);
      if (info.name === this.database) return info;
    }
    return undefined;
  }

  /** Applies a monitor (v1) table-updates object for `_Server`. */
  apply(updates: unknown): void {
    const before = this.info;
    const table = (updates as Record<string, unknown> | null)?.Database as Record<string, { old?: unknown; new?: unknown }> | undefined;
    if (!table) return;
    for (const [uuid, ru] of Object.entries(table)) {
      if (ru.new && typeof ru.new === 'object') this.rows.set(uuid, { ...this.rows.get(uuid), ...(ru.new as Record<string, unknown>) });
      else this.rows.delete(uuid);
    }
    const after = this.info;
    if (JSON.stringify(before) !== JSON.stringify(after)) this.emit('change', after, before);
  }
}

/**
 * Starts monitoring `_Server.Database` over `conn`. Resolves with the watch (its `info` is the
 * row for `database`, undefined if the server does not have it). Servers without `_Server`
 * (very old OVS) resolve with a synthetic standalone entry.
 */
export async function watchServer(conn: JsonRpcConnection, database: string, timeout = 10_000): Promise<ServerWatch> {
  const id = `_Server:${++watchCounter}`;
  const watch = new ServerWatch(database, id);
  let queue: unknown[] | undefined = [];
  const onNotification = (n: { method: string; params: unknown[] }) => {
    if (n.method !== 'update' || n.params[0] !== id) return;
    if (queue) queue.push(n.params[1]);
    else watch.apply(n.params[1]);
  };
  conn.on('notification', onNotification);
  conn.once('close', () => conn.off('notification', onNotification));
  try {
    const initial = await conn.request('monitor', ['_Server', id, { Database: { columns: COLUMNS } }], { timeout });
    watch.apply(initial);
    for (const u of queue) watch.apply(u);
    queue = undefined;
  } catch (err) {
    queue = undefined;
    if ((err as { code?: string }).code === 'OVSDB_RPC') {
      watch.apply({ Database: { legacy: { new: { name: database, model: 'standalone', connected: true, leader: true } } } });
    } else {
      throw err;
    }
  }
  return watch;
}

/** Reads `_Server.Database` for `database` from one member, then disconnects. */
export async function readServerInfo(
  remote: string,
  database: string,
  options: ConnectOptions = {},
): Promise<ServerDatabaseInfo | undefined> {
  const conn = await connectRemote(remote, options);
  try {
    const reply = (await conn.request(
      'transact',
      ['_Server', { op: 'select', table: 'Database', where: [['name', '==', database]], columns: COLUMNS }],
      { timeout: options.requestTimeout ?? 10_000 },
    )) as Array<{ rows?: Record<string, unknown>[]; error?: string }>;
    const rows = reply[0]?.rows;
    if (!rows) throw new OvsdbConnectionError(`${remote}: cannot read _Server: ${reply[0]?.error ?? 'no rows'}`);
    return rows[0] ? parseServerDatabaseRow(rows[0]) : undefined;
  } finally {
    conn.close();
  }
}

export interface MemberStatus {
  remote: string;
  info?: ServerDatabaseInfo;
  error?: Error;
}

/** Asks every member for its view of `database`; unreachable members carry `error`. */
export async function clusterStatus(remotes: readonly string[], database: string, options: ConnectOptions = {}): Promise<MemberStatus[]> {
  return Promise.all(
    remotes.map(async (remote): Promise<MemberStatus> => {
      try {
        const info = await readServerInfo(remote, database, { connectTimeout: 3000, ...options });
        return info ? { remote, info } : { remote };
      } catch (error) {
        return { remote, error: error as Error };
      }
    }),
  );
}

/** The remote of the member that reports itself as connected leader, if any. */
export async function findLeader(remotes: readonly string[], database: string, options: ConnectOptions = {}): Promise<string | undefined> {
  const status = await clusterStatus(remotes, database, options);
  return status.find((s) => s.info?.model === 'clustered' && s.info.connected && s.info.leader)?.remote;
}
