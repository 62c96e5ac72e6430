// Bounded writes: every transaction commits within a deadline or fails with NO_QUORUM, and the
// committer remembers whether the last write failed for want of quorum (for status/staleness).
import { EventEmitter } from 'node:events';
import type { OperationResult, OvsdbClient, ServerDatabaseInfo } from '../../ovsdb/index.ts';
import { StoreUnavailableError } from './errors.ts';
import type { Txn } from './txn.ts';

export class Committer extends EventEmitter<{ quorum: [boolean] }> {
  /** Set when a write failed for want of quorum; cleared by the next commit or a new connection. */
  private noQuorum = false;
  private lastServer: ServerDatabaseInfo | undefined;

  constructor(
    private readonly client: OvsdbClient,
    private readonly database: string,
    readonly writeTimeoutMs: number,
  ) {
    super();
    client.on('server', (info) => {
      if (info) this.lastServer = info;
    });
    client.on('connected', () => this.setQuorum(true));
  }

  /** `_Server` view of the member reached last (kept while disconnected). */
  get server(): ServerDatabaseInfo | undefined {
    return this.client.serverInfo ?? this.lastServer;
  }

  /** Connected to a member in its cluster, and no write has failed for want of quorum since. */
  get available(): boolean {
    const s = this.server;
    return this.client.isConnected && !(s?.model === 'clustered' && !s.connected) && !this.noQuorum;
  }

  /**
   * Runs `txn` before `deadline`. Not reaching a member that is in its cluster, or no commit in
   * time, is NO_QUORUM; guard and index failures are translated by the transaction.
   */
  async commit(txn: Txn, deadline = Date.now() + this.writeTimeoutMs): Promise<OperationResult[]> {
    const server = this.server;
    if (!this.client.isConnected && server?.model === 'clustered' && !server.connected) {
      // The member said it lost its cluster and the client has not found one with quorum since:
      // answer at once instead of waiting out the bound. Nothing was sent.
      throw new StoreUnavailableError(`${server.name}: the store member has no quorum (cut off from the cluster majority)`, 'no');
    }
    try {
      await this.client.ready(Math.max(1, deadline - Date.now()));
    } catch (cause) {
      this.setQuorum(false);
      throw new StoreUnavailableError(`no store member with quorum reachable: ${(cause as Error).message}`, 'no', { cause });
    }
    try {
      const results = await this.client.transact(this.database, txn.ops, { timeout: Math.max(1, deadline - Date.now()) });
      this.setQuorum(true);
      return results;
    } catch (err) {
      const mapped = txn.translate(err);
      // Any answer from the server, even a refusal, means it could decide: the quorum is there.
      this.setQuorum(!(mapped instanceof StoreUnavailableError));
      throw mapped;
    }
  }

  private setQuorum(ok: boolean): void {
    if (this.noQuorum === !ok) return;
    this.noQuorum = !ok;
    this.emit('quorum', ok);
  }
}
