// The requests a member (or any OVSDB client) sends over a manager connection, answered as
// ovsdb-server answers them, with its error shapes: list_dbs, get_schema, transact, monitor,
// monitor_cond, monitor_cond_since, monitor_cancel, monitor_cond_change, lock, steal, unlock,
// set_db_change_aware (echo is answered by the connection itself).
import type { Database } from './database.ts';
import type { Locks } from './locks.ts';
import type { LinkMonitor, ManagerLink, RequestId } from './manager-link.ts';
import { changeConditions, initialUpdates, parseMonitor, type MonitorMethod, type MonitorSpec } from './monitors.ts';
import { OpError } from './op-error.ts';

/** What monitor_cond_since and update3 name as the last transaction: a standalone ovsdb-server
 *  keeps no transaction history and sends zeros. */
export const NO_TXN = '00000000-0000-0000-0000-000000000000';

/** The database a connection serves, as the dispatcher needs it. */
export interface Served {
  readonly db: Database;
  /** Names this database among the process's (the key of cached encodings). */
  readonly serial: number;
  /** Runs a transact request and replies, now or (a `wait` not met yet) later. */
  transactFor(link: ManagerLink, id: RequestId, ops: unknown[]): void;
  locks(): Locks<ManagerLink>;
}

const INITIAL_CACHE_SIZE = 64;
/** Initial states encoded lately: the members connect to a node within moments of each other. */
const initialCache = new Map<string, string>();

function encodedInitial(node: Served, spec: MonitorSpec): string {
  const key = `${node.serial}:${node.db.version}:${spec.serial}`;
  let text = initialCache.get(key);
  if (text === undefined) {
    text = initialUpdates(spec, node.db);
    if (initialCache.size >= INITIAL_CACHE_SIZE) initialCache.delete(initialCache.keys().next().value!);
    initialCache.set(key, text);
  }
  return text;
}

const unknownDatabase = (method: string, params: unknown[], db: unknown) =>
  new OpError('unknown database', `${method} request specifies unknown database ${String(db)}`, params);

/** The notification a monitor's updates go out as. */
export function updateMethod(method: MonitorMethod): string {
  return method === 'monitor' ? 'update' : method === 'monitor_cond' ? 'update2' : 'update3';
}

/** The params of an update notification, as text. */
export function updateParams(monitor: LinkMonitor, body: string): string {
  return monitor.spec.method === 'monitor_cond_since' ? `[${monitor.idText},"${NO_TXN}",${body}]` : `[${monitor.idText},${body}]`;
}

export function serve(node: Served, link: ManagerLink, id: RequestId, method: string, params: unknown[]): void {
  try {
    dispatch(node, link, id, method, params);
  } catch (err) {
    // ovsdb-server answers whatever it is sent; a request this simulator trips on is answered
    // with an error too, rather than taking every simulated node of the process down.
    link.replyError(id, err instanceof OpError ? err.toJson() : { error: 'internal error', details: String(err) });
  }
}

function dispatch(node: Served, link: ManagerLink, id: RequestId, method: string, params: unknown[]): void {
  const dbName = node.db.info.name;
  switch (method) {
    case 'list_dbs':
      return link.reply(id, [dbName]);
    case 'get_schema':
      if (params[0] !== dbName) throw unknownDatabase(method, params, params[0]);
      return link.replyText(id, node.db.info.text);
    case 'transact':
      if (params[0] !== dbName) throw unknownDatabase(method, params, params[0]);
      return node.transactFor(link, id, params.slice(1));
    case 'monitor':
    case 'monitor_cond':
    case 'monitor_cond_since':
      return monitor(node, link, id, method, params);
    case 'monitor_cancel': {
      const key = JSON.stringify(params[0]);
      if (!link.monitors?.delete(key)) return link.replyError(id, 'unknown monitor');
      return link.reply(id, {});
    }
    case 'monitor_cond_change':
      return conditionChange(node, link, id, params);
    case 'lock':
    case 'steal':
    case 'unlock':
      return lock(node, link, id, method, params);
    case 'set_db_change_aware':
      return link.reply(id, {});
    default:
      return link.replyError(id, 'unknown method');
  }
}

function monitor(node: Served, link: ManagerLink, id: RequestId, method: MonitorMethod, params: unknown[]): void {
  if (params[0] !== node.db.info.name) throw unknownDatabase(method, params, params[0]);
  const idText = JSON.stringify(params[1] ?? null);
  if (link.monitors?.has(idText)) throw new OpError('syntax error', 'duplicate monitor ID', params[1]);
  const spec = parseMonitor(node.db.info, method, params[2]);
  const initial = encodedInitial(node, spec);
  (link.monitors ??= new Map()).set(idText, { idText, spec });
  link.replyText(id, method === 'monitor_cond_since' ? `[false,"${NO_TXN}",${initial}]` : initial);
}

function conditionChange(node: Served, link: ManagerLink, id: RequestId, params: unknown[]): void {
  const old = JSON.stringify(params[0] ?? null);
  const current = link.monitors?.get(old);
  if (!current) return link.replyError(id, 'unknown monitor');
  const { spec, updates } = changeConditions(current.spec, params[2], node.db);
  const next: LinkMonitor = { idText: JSON.stringify(params[1] ?? null), spec };
  link.monitors!.delete(old);
  link.monitors!.set(next.idText, next);
  link.reply(id, {});
  if (updates) link.notifyText(updateMethod(spec.method), updateParams(next, updates));
}

function lock(node: Served, link: ManagerLink, id: RequestId, method: 'lock' | 'steal' | 'unlock', params: unknown[]): void {
  const name = params[0];
  if (typeof name !== 'string') throw new OpError('syntax error', 'lock name is not a string', params);
  const locks = node.locks();
  if (method === 'unlock') {
    const next = locks.unlock(link, name);
    link.reply(id, {});
    next?.notifyText('locked', JSON.stringify([name]));
    return;
  }
  if (method === 'lock') {
    if (locks.asked(link, name)) throw new OpError('duplicate lock', `lock ${name} was already requested on this session`);
    return link.reply(id, { locked: locks.lock(link, name) });
  }
  const previous = locks.steal(link, name);
  link.reply(id, { locked: true });
  previous?.notifyText('stolen', JSON.stringify([name]));
}
