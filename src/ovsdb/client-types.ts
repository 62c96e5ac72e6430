// What an OvsdbClient is configured with and what it announces.
import type { ServerDatabaseInfo } from './cluster.ts';
import type { OvsdbConnectionError } from './errors.ts';
import type { JsonRpcNotification } from './jsonrpc.ts';
import type { SessionOptions } from './session.ts';

export interface ClientOptions extends SessionOptions {
  /** Database whose cluster status vets each connection (through `_Server`). */
  database?: string;
  /** Only accept a member that is the cluster leader for `database`; reconnect on leader change. */
  leaderOnly?: boolean;
  /** How long a request waits for a connection before failing (default 30 s). */
  waitConnectedTimeout?: number;
  /**
   * How long a member may say it is out of its cluster before the client moves to another
   * (default 0: at once). A follower is briefly out during every election; moving then can land
   * on the very member that was lost.
   */
  clusterLossGraceMs?: number;
}

export interface ClientEvents {
  /** A (re)connection is ready: monitors and locks have been re-requested. */
  connected: [string];
  disconnected: [OvsdbConnectionError | undefined];
  locked: [string];
  stolen: [string];
  /** `_Server` information for `database` changed (e.g. leadership). */
  server: [ServerDatabaseInfo | undefined];
  /** Raw notifications for monitors this client did not register. */
  notification: [JsonRpcNotification];
  /**
   * A monitor handler threw. For malformed update data (an OvsdbError) the connection is also
   * dropped, so the reconnect brings a fresh, complete state; other errors (bugs in listeners)
   * are only reported here.
   */
  monitorError: [string, Error];
}
