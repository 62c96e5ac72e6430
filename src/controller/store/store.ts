// The controller's replicated store: typed objects over the NvStore database of a Raft cluster.
// Reads come from a Replica (a consistent in-memory snapshot, kept while the cluster is away);
// every write is one OVSDB transaction whose guards (`wait`s) and unique indexes make the checks
// atomic on the leader, bounded in time so a member cut off from its majority answers NO_QUORUM.
// The resources' operations are generic (resource.ts) over their descriptions (resources/).
import { EventEmitter } from 'node:events';
import { OvsdbClient, Replica, type ClientOptions, type ReplicaChange, type ServerDatabaseInfo } from '../../ovsdb/index.ts';
import { StoreUnavailableError } from './errors.ts';
import type {
  LogicalPort,
  LogicalPortInput,
  LogicalRouter,
  LogicalRouterInput,
  LogicalState,
  LogicalSwitch,
  LogicalSwitchInput,
  MacBinding,
  ResourceName,
  TransportNode,
  TransportNodeInput,
} from '../../model/index.ts';
import type { Mastership, MemberLease } from './membership.ts';
import { MEMBERSHIP_TABLES, NVSTORE_DATABASE, TRACEFLOW_TABLES, type NvStoreTables } from './rows.ts';
import { Committer } from './committer.ts';
import { bumpGeneration, heartbeat } from './leases.ts';
import type { ResourceInput, ResourceObject, ResourceUpdateInput, Snapshot, StoreView, StoredResource } from './description.ts';
import { Resource, type ResourceContext, type UpdateInput } from './resource.ts';
import { LOGICAL_TABLES, STORED } from './resources/index.ts';
import { StateCache, mastershipsOf, membersOf } from './state.ts';
import { commitAtomic, commitEach, type BatchContext, type BatchOutcome, type BatchWrite } from './batch.ts';
import type { StoreError } from './errors.ts';
import { forgetMacBinding, learnMacBinding, macBindingsOf, type Learned } from './mac-bindings.ts';
import * as traceflows from './traceflows.ts';
import type { InjectError, TraceflowRecord, TraceflowReport, TraceflowResult } from './traceflows.ts';

export type { UpdateInput } from './resource.ts';

export interface StoreOptions {
  /** Default NvStore. */
  database?: string;
  /** Bound on one write, from the call to the commit (default 1500 ms: the API answers a write
   *  without quorum within 2 s). */
  writeTimeoutMs?: number;
  /** How long `open` waits for a member with quorum and the initial state (default 30 s). */
  openTimeoutMs?: number;
  /** Only talk to the leader (default false: any connected member; followers forward writes). */
  leaderOnly?: boolean;
  /**
   * Every member's remote: writes go straight to the cluster's leader through a second client
   * while it is connected to the leader, and through `remotes` (which forward) while it is not,
   * as during an election. A follower executes a forwarded write against its own copy and the
   * leader refuses it if its log moved on meanwhile (Raft's prerequisite): with 200 switches
   * changing master, a batch that took longer than the gap between two commits was refused
   * again at every try, and never committed.
   */
  leaderRemotes?: readonly string[];
  /** Passed to the OVSDB client (backoff, echo keepalive). */
  client?: Omit<ClientOptions, 'database' | 'leaderOnly'>;
}

export interface StoreStatus {
  /** The member this store talks to, if connected. */
  remote: string | undefined;
  connected: boolean;
  /** The initial state has arrived (reads are served from it, also while disconnected). */
  synced: boolean;
  /** `_Server` view of the member last reached: model, cluster-connected, leader, Raft index. */
  server: ServerDatabaseInfo | undefined;
  /** Connected to a member in its cluster, and no write has failed for want of quorum since. */
  available: boolean;
}

export interface StoreEvents {
  /** The logical state changed (nodes, switches, ports, routers, security groups, MAC bindings). */
  change: [LogicalState];
  /** Member leases or masterships changed. */
  membership: [];
  /** A traceflow or a member's report of one changed. */
  traceflow: [];
  /** Connection or cluster status changed. */
  status: [StoreStatus];
}

/** The operations on one resource: list, get, create, update, delete. */
export type ResourceOf<N extends ResourceName> = Resource<ResourceObject<N>, ResourceInput<N>, ResourceUpdateInput<N>>;

/** A write's bound: with the API's own work it answers a write without quorum within 2 s. */
const WRITE_TIMEOUT_MS = 1500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Store extends EventEmitter<StoreEvents> {
  private readonly writeTimeoutMs: number;
  private readonly committer: Committer;
  private readonly stateCache = new StateCache();
  private readonly resources: { [N in ResourceName]: ResourceOf<N> };
  private readonly writes: Pick<ResourceContext, 'commit' | 'settle'>;

  private constructor(
    private readonly client: OvsdbClient,
    private readonly replica: Replica<NvStoreTables>,
    options: StoreOptions,
    private readonly leader?: OvsdbClient,
  ) {
    super();
    this.writeTimeoutMs = options.writeTimeoutMs ?? WRITE_TIMEOUT_MS;
    this.committer = new Committer(client, options.database ?? NVSTORE_DATABASE, this.writeTimeoutMs, leader);
    const announce = () => this.emit('status', this.status());
    this.committer.on('quorum', announce);
    client.on('server', announce);
    client.on('connected', announce);
    client.on('disconnected', announce);
    // Each update's changed rows patch the logical state (the snapshot before it says on what).
    let seen = replica.snapshot();
    replica.on('change', (changes, snapshot) => {
      this.stateCache.follow(changes, seen, snapshot);
      seen = snapshot;
      this.onChange(changes);
    });
    const view: StoreView = { list: (name) => this.resource(name).list() };
    this.writes = { commit: (txn) => this.committer.commit(txn), settle: (probe) => this.settle(probe) };
    const context: ResourceContext = { snapshot: () => replica.snapshot(), ...this.writes, view };
    // Each entry is built from STORED's entry of the same name, so it has that resource's types.
    const entries = Object.entries(STORED).map(([name, spec]: [string, StoredResource<{ name: string }>]) => [
      name,
      new Resource(spec, context),
    ]);
    this.resources = Object.fromEntries(entries) as unknown as Store['resources'];
  }

  /**
   * Connects to the cluster (`remotes`: tcp:IP:PORT of members; with several, the client moves
   * to another member when the one it uses loses its cluster) and waits for the initial state.
   */
  /** Writes past their bound wait while `quorate` says a majority of members is in reach
   *  (the member's liveness links), instead of answering "no quorum" (committer.ts). */
  checkQuorumWith(quorate: () => boolean): void {
    this.committer.checkQuorumWith(quorate);
  }

  static async open(remotes: string | readonly string[], options: StoreOptions = {}): Promise<Store> {
    const database = options.database ?? NVSTORE_DATABASE;
    const writeTimeoutMs = options.writeTimeoutMs ?? WRITE_TIMEOUT_MS;
    const clientOptions = {
      minBackoff: 100,
      maxBackoff: 1000,
      // A member that stops answering (frozen, partitioned) is dropped within 3 s.
      echoInterval: 1000,
      // Members share a LAN: a connect that takes a second goes to a member that is cut off.
      connectTimeout: 1000,
      // Its own member is out of the cluster for a moment at every election (0.1-1.1 s, longer
      // on a loaded host): stay with it, since the next remote may be the member that was lost.
      // Once it is left, writes are refused at once (committer.ts); until then each waits out
      // its bound for the member to rejoin.
      clusterLossGraceMs: 2000,
      ...options.client,
      // Requests queued while disconnected give up with the write bound instead of 30 s, so a
      // write reported as failed is not sent later.
      waitConnectedTimeout: writeTimeoutMs,
      database,
    };
    const client = OvsdbClient.connect(remotes, { ...clientOptions, leaderOnly: options.leaderOnly ?? false });
    // Not waited for: until it reaches the leader, writes go through `client`. A leader that
    // steps down is left at once, the next write going through `client` meanwhile.
    const leader = options.leaderRemotes?.length
      ? OvsdbClient.connect(options.leaderRemotes, { ...clientOptions, clusterLossGraceMs: 0, leaderOnly: true })
      : undefined;
    const replica = new Replica<NvStoreTables>(client, {
      database,
      tables: Object.fromEntries([...LOGICAL_TABLES, ...MEMBERSHIP_TABLES, ...TRACEFLOW_TABLES].map((t) => [t, true])),
      // Plain `monitor` (full new rows), not update2: the replica applies an update2 diff of an
      // optional (0..1 set) column as a symmetric difference, but ovsdb-server sends the new
      // value for those, so clearing or changing a port's ip/node would be missed.
      method: 'monitor',
    });
    const store = new Store(client, replica, options, leader);
    const deadline = Date.now() + (options.openTimeoutMs ?? 30_000);
    for (;;) {
      try {
        await client.ready(Math.max(1, deadline - Date.now()));
        await replica.start();
        return store;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (Date.now() < deadline && (code === 'OVSDB_CONNECTION' || code === 'OVSDB_TIMEOUT')) {
          await sleep(100);
          continue;
        }
        client.close();
        leader?.close();
        if (code === 'OVSDB_CONNECTION' || code === 'OVSDB_TIMEOUT') {
          throw new StoreUnavailableError(`no member of ${[remotes].flat().join(', ')} with quorum serving ${database}`, 'no', {
            cause: err,
          });
        }
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    // monitor_cancel goes to the member; a frozen one would never answer, so do not wait long.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.replica.stop(), new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.client.close();
    this.leader?.close();
  }

  status(): StoreStatus {
    return {
      remote: this.client.isConnected ? this.client.remote : undefined,
      connected: this.client.isConnected,
      synced: this.replica.isSynced,
      server: this.committer.server,
      available: this.committer.available,
    };
  }

  // --- reads (the replica's snapshot; possibly stale while `status().available` is false) ------

  state(): LogicalState {
    return this.stateCache.of(this.replica.snapshot());
  }
  members(): MemberLease[] {
    return membersOf(this.replica.snapshot());
  }
  /** Members whose lease has not expired at `now`. */
  liveMembers(now = Date.now()): MemberLease[] {
    return this.members().filter((m) => m.expires > now);
  }
  masterships(): Mastership[] {
    return mastershipsOf(this.replica.snapshot());
  }

  // --- resources ------------------------------------------------------------------------------

  /** Create, read, update and delete of one resource of RESOURCES, e.g. `resource('logicalPorts').create(…)`. */
  resource<N extends ResourceName>(name: N): ResourceOf<N> {
    return this.resources[name];
  }

  // The same by their callers' names, grouped by operation.
  readonly listNodes = (): TransportNode[] => this.resources.transportNodes.list();
  readonly listSwitches = (): LogicalSwitch[] => this.resources.logicalSwitches.list();
  readonly listPorts = (): LogicalPort[] => this.resources.logicalPorts.list();
  readonly listRouters = (): LogicalRouter[] => this.resources.logicalRouters.list();
  readonly getNode = (name: string): TransportNode => this.resources.transportNodes.get(name);
  readonly getSwitch = (name: string): LogicalSwitch => this.resources.logicalSwitches.get(name);
  readonly getPort = (name: string): LogicalPort => this.resources.logicalPorts.get(name);
  readonly getRouter = (name: string): LogicalRouter => this.resources.logicalRouters.get(name);
  readonly createNode = (input: TransportNodeInput): Promise<TransportNode> => this.resources.transportNodes.create(input);
  readonly createSwitch = (input: LogicalSwitchInput): Promise<LogicalSwitch> => this.resources.logicalSwitches.create(input);
  readonly createPort = (input: LogicalPortInput): Promise<LogicalPort> => this.resources.logicalPorts.create(input);
  readonly createRouter = (input: LogicalRouterInput): Promise<LogicalRouter> => this.resources.logicalRouters.create(input);
  readonly updateNode = (name: string, input: UpdateInput<TransportNodeInput>): Promise<TransportNode> =>
    this.resources.transportNodes.update(name, input);
  readonly updateSwitch = (name: string, input: UpdateInput<LogicalSwitchInput>): Promise<LogicalSwitch> =>
    this.resources.logicalSwitches.update(name, input);
  readonly updatePort = (name: string, input: UpdateInput<LogicalPortInput>): Promise<LogicalPort> =>
    this.resources.logicalPorts.update(name, input);
  readonly updateRouter = (name: string, input: UpdateInput<LogicalRouterInput>): Promise<LogicalRouter> =>
    this.resources.logicalRouters.update(name, input);
  readonly deleteNode = (name: string): Promise<void> => this.resources.transportNodes.delete(name);
  readonly deleteSwitch = (name: string): Promise<void> => this.resources.logicalSwitches.delete(name);
  readonly deletePort = (name: string): Promise<void> => this.resources.logicalPorts.delete(name);
  readonly deleteRouter = (name: string): Promise<void> => this.resources.logicalRouters.delete(name);

  /**
   * Many writes in order (batch.ts): `atomic` (default) in one transaction, all or none, a
   * failure thrown as BatchWriteError with its place; else each alone, answered for itself.
   */
  batch(writes: readonly BatchWrite[], options: { atomic: false }): Promise<(BatchOutcome | { error: StoreError })[]>;
  batch(writes: readonly BatchWrite[], options?: { atomic?: true }): Promise<BatchOutcome[]>;
  batch(writes: readonly BatchWrite[], options: { atomic?: boolean } = {}): Promise<(BatchOutcome | { error: StoreError })[]> {
    const ctx: BatchContext = {
      resource: (name) => this.resources[name] as unknown as ReturnType<BatchContext['resource']>,
      snapshot: () => this.replica.snapshot(),
      commit: (txn, deadline) => this.committer.commit(txn, deadline),
      settle: (probe) => this.settle(probe),
      writeTimeoutMs: this.writeTimeoutMs,
    };
    return options.atomic === false ? commitEach(ctx, writes) : commitAtomic(ctx, writes);
  }

  // --- learned MAC bindings (mac-bindings.ts) ---------------------------------------------------

  /** Every binding the routers learned, sorted by switch then address. */
  macBindings(): MacBinding[] {
    return macBindingsOf(this.replica.snapshot());
  }
  /** A member's ARP reply to a distributed router: adds the binding, changes its MAC, or does nothing. */
  readonly learnMacBinding = (binding: MacBinding): Promise<Learned> => learnMacBinding(this.writes, binding);
  /** Forgets one binding (the next ARP reply learns it again); NotFoundError when there is none. */
  readonly forgetMacBinding = (sw: string, ip: string): Promise<void> => forgetMacBinding(this.writes, sw, ip);

  // --- members and mastership -----------------------------------------------------------------

  /** Renews `member`'s lease until `expires` (ms since the epoch); needs a quorum, like every write. */
  heartbeat(member: string, expires: number, options: { timeoutMs?: number } = {}): Promise<void> {
    return heartbeat(this.committer, member, expires, options);
  }

  /** Makes `member` master of `node` with a generation higher than any before (see leases.ts). */
  bumpGeneration(node: string, member: string, options: { timeoutMs?: number } = {}): Promise<number> {
    return bumpGeneration(this.committer, node, member, options);
  }

  // --- injected traceflows (traceflows.ts) ------------------------------------------------------

  /** Every traceflow, oldest first. */
  traceflows(): TraceflowRecord[] {
    return traceflows.traceflowsOf(this.replica.snapshot());
  }
  traceflowReports(id: string): TraceflowReport[] {
    return traceflows.reportsOf(this.replica.snapshot(), id);
  }
  readonly createTraceflow = (t: Pick<TraceflowRecord, 'id' | 'member' | 'request' | 'created'>): Promise<void> =>
    traceflows.createTraceflow(this.committer, t);
  readonly reportTraceflow = (r: TraceflowReport): Promise<void> => traceflows.reportTraceflow(this.committer, r);
  readonly markInjected = (id: string, outcome: { at: number } | { error: InjectError }): Promise<void> =>
    traceflows.markInjected(this.committer, id, outcome);
  readonly finishTraceflow = (id: string, state: 'completed' | 'failed', result: TraceflowResult, finished: number): Promise<boolean> =>
    traceflows.finishTraceflow(this.committer, id, state, result, finished);
  /** Keeps the `keep` latest ended traceflows. */
  readonly pruneTraceflows = (keep: number): Promise<void> => traceflows.pruneTraceflows(this.committer, this.replica.snapshot(), keep);

  // --- internals ------------------------------------------------------------------------------

  /**
   * Read-your-writes: waits (briefly) until the replica shows a committed write, so a read on
   * this member right after the write returns sees it. The write stands even if this times out.
   */
  private async settle(probe: (s: Snapshot) => boolean): Promise<void> {
    try {
      await this.replica.waitFor((s) => probe(s) || undefined, this.writeTimeoutMs);
    } catch {
      // The update notification is late; the replica will catch up.
    }
  }

  private onChange(changes: ReplicaChange[]): void {
    const tables = new Set(changes.map((c) => c.table));
    if (LOGICAL_TABLES.some((t) => tables.has(t))) this.emit('change', this.state());
    if (MEMBERSHIP_TABLES.some((t) => tables.has(t))) this.emit('membership');
    if (TRACEFLOW_TABLES.some((t) => tables.has(t))) this.emit('traceflow');
  }
}
