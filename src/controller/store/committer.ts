// Bounded writes: every transaction commits within a deadline or fails with NO_QUORUM, and the
// committer remembers whether the last write failed for want of quorum (for status/staleness).
// The member's `_Server.Database` row (monitored by the client) is the cheap signal: while it
// says the member is out of its cluster, a write is not sent at all (applied: 'no').
// With a quorum check (the member's liveness links to its peers), the bound only ends a write
// when the majority is gone: a cluster that is slow, not cut off (200 switches booting on two
// cores), keeps committing, and a write waits for it up to SLOW_WRITE_MS.
import { EventEmitter } from 'node:events';
import { OvsdbTimeoutError, type OperationResult, type OvsdbClient, type ServerDatabaseInfo } from '../../ovsdb/index.ts';
import { StoreUnavailableError } from './errors.ts';
import type { Txn } from './txn.ts';

/** How long a write may take while the member still sees a majority: under the API's 15 s limit. */
export const SLOW_WRITE_MS = 12_000;

const outOfCluster = (s: ServerDatabaseInfo | undefined): s is ServerDatabaseInfo => s?.model === 'clustered' && !s.connected;

export class Committer extends EventEmitter<{ quorum: [boolean] }> {
  /** Set when a write failed for want of quorum; cleared by the next commit or a new connection. */
  private noQuorum = false;
  private lastServer: ServerDatabaseInfo | undefined;
  /** Whether a majority of the members is reachable (set by the member from its liveness links). */
  private quorate: (() => boolean) | undefined;

  /** `leader`, when given, is a client that only stays connected to the cluster's leader:
   *  while it is, transactions go to it instead of through `client`'s member (store.ts). */
  constructor(
    private readonly client: OvsdbClient,
    private readonly database: string,
    readonly writeTimeoutMs: number,
    private readonly leader?: OvsdbClient,
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

  /** From now on, a write past its bound waits while `quorate` says a majority is reachable. */
  checkQuorumWith(quorate: () => boolean): void {
    this.quorate = quorate;
  }

  /** Connected to a member in its cluster, and no write has failed for want of quorum since. */
  get available(): boolean {
    return this.client.isConnected && !outOfCluster(this.server) && !this.noQuorum;
  }

  /**
   * Runs `txn` before `deadline`. Not reaching a member that is in its cluster, or no commit in
   * time, is NO_QUORUM; guard and index failures are translated by the transaction.
   */
  async commit(txn: Txn, deadline = Date.now() + this.writeTimeoutMs): Promise<OperationResult[]> {
    await this.waitInCluster(deadline);
    try {
      await this.client.ready(Math.max(1, deadline - Date.now()));
    } catch (cause) {
      this.setQuorum(false);
      throw new StoreUnavailableError(`no store member with quorum reachable: ${(cause as Error).message}`, 'no', { cause });
    }
    try {
      const results = await this.transact(txn, deadline);
      this.setQuorum(true);
      return results;
    } catch (err) {
      const mapped = txn.translate(err);
      // Any answer from the server, even a refusal, means it could decide: the quorum is there.
      this.setQuorum(!(mapped instanceof StoreUnavailableError));
      throw mapped;
    }
  }

  /** The transaction, given up at `deadline`, or, with a quorum check, once past it while the
   *  check says the majority is gone or the client lost its member (SLOW_WRITE_MS at most). */
  private transact(txn: Txn, deadline: number): Promise<OperationResult[]> {
    const quorate = this.quorate;
    const via = this.leader?.isConnected ? this.leader : this.client;
    if (!quorate) return via.transact(this.database, txn.ops, { timeout: Math.max(1, deadline - Date.now()) });
    const pending = via.transact(this.database, txn.ops, { timeout: SLOW_WRITE_MS });
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const watch = () => {
        if (quorate() && this.client.isConnected && !outOfCluster(this.server)) timer = setTimeout(watch, 250);
        else reject(new OvsdbTimeoutError(`transact: no commit within ${this.writeTimeoutMs} ms and no majority of members in reach`));
      };
      timer = setTimeout(watch, Math.max(1, deadline - Date.now()));
      pending.then(
        (results) => {
          clearTimeout(timer);
          resolve(results);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * While the member says it is out of its cluster, a write is not sent: it fails at once once
   * the client has left that member (after a grace, see Store.open), else it waits for the
   * member to rejoin (an election) until `deadline`. Nothing was sent either way. A client still
   * on the member keeps `status().connected` true, so it is the leaving, not a second clock
   * here, that turns waits into refusals at once.
   */
  private async waitInCluster(deadline: number): Promise<void> {
    const refuse = (server: ServerDatabaseInfo) => {
      this.setQuorum(false);
      return new StoreUnavailableError(`${server.name}: the store member has no quorum (cut off from the cluster majority)`, 'no');
    };
    let server = this.server;
    if (!outOfCluster(server)) return;
    if (!this.client.isConnected) throw refuse(server);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('server', onServer);
        resolve();
      };
      const onServer = () => {
        if (!outOfCluster(this.server)) done();
      };
      const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
      this.client.on('server', onServer);
    });
    server = this.server;
    if (outOfCluster(server)) throw refuse(server);
  }

  private setQuorum(ok: boolean): void {
    if (this.noQuorum === !ok) return;
    this.noQuorum = !ok;
    this.emit('quorum', ok);
  }
}
