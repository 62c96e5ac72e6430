// Monitor requests (RFC 7047 section 4.1.5, and ovsdb-server's monitor_cond extension): what to
// watch per table, and the handler contract shared by the client and the replica.
import { encodeValue } from './data.ts';
import type { Condition } from './operations.ts';

export interface MonitorSelect {
  initial?: boolean;
  insert?: boolean;
  delete?: boolean;
  modify?: boolean;
}

/** What to monitor in one table. `where` needs method `monitor_cond`. */
export interface MonitorTableRequest {
  columns?: string[];
  where?: Condition[];
  select?: MonitorSelect;
}

export type MonitorMethod = 'monitor' | 'monitor_cond';

export interface MonitorHandler {
  /**
   * Called with the raw table-updates (`update` for monitor, `update2` for monitor_cond).
   * `initial` is true for the reply to the monitor request, also after each reconnect, when the
   * handler must treat it as the complete current state.
   */
  onUpdate(updates: Record<string, unknown>, initial: boolean): void;
}

/** The third param of monitor / monitor_cond. monitor_cond takes an array of requests per table. */
export function encodeMonitorRequests(method: MonitorMethod, requests: Record<string, MonitorTableRequest>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [table, r] of Object.entries(requests)) {
    const req: Record<string, unknown> = {};
    if (r.columns) req.columns = r.columns;
    if (r.select) req.select = r.select;
    if (method === 'monitor_cond' && r.where) req.where = r.where.map(([c, f, v]) => [c, f, encodeValue(v)]);
    out[table] = method === 'monitor_cond' ? [req] : req;
  }
  return out;
}
