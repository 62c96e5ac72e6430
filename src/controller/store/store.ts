// The controller's replicated store: typed objects over the NvStore database of a Raft cluster.
// Reads come from a Replica (a consistent in-memory snapshot, kept while the cluster is away);
// every write is one OVSDB transaction whose guards (`wait`s) and unique indexes make the checks
// atomic on the leader, bounded in time so a member cut off from its majority answers NO_QUORUM.
import { EventEmitter } from 'node:events';
import {
  OvsdbClient,
  Replica,
  op,
  type ClientOptions,
  type OperationResult,
  type ReplicaChange,
  type ReplicaSnapshot,
  type ServerDatabaseInfo,
} from '../../ovsdb/index.ts';
import { ConflictError, NotFoundError, StoreUnavailableError, type StoreError } from './errors.ts';
import {
  LogicalPortSchema,
  LogicalRouterSchema,
  LogicalSwitchSchema,
  TransportNodeSchema,
  logicalState,
  type LogicalPort,
  type LogicalPortInput,
  type LogicalRouter,
  type LogicalRouterInput,
  type LogicalState,
  type LogicalSwitch,
  type LogicalSwitchInput,
  type TransportNode,
  type TransportNodeInput,
} from '../../model/index.ts';
import type { Mastership, MemberLease } from './membership.ts';
import {
  LOGICAL_TABLES,
  MEMBERSHIP_TABLES,
  NVSTORE_DATABASE,
  mastershipFromRow,
  memberFromRow,
  nodeFromRow,
  nodeToRow,
  portFromRow,
  portToRow,
  routerFromRows,
  switchFromRow,
  switchToRow,
  type NvStoreTables,
} from './rows.ts';
import { Committer } from './committer.ts';
import { bumpGeneration, heartbeat } from './leases.ts';
import { Txn } from './txn.ts';
import { checkSameName, parse, same, sorted, withoutName } from './input.ts';
import { routerGuards, routerOps, routerIndexClash, ROUTER_KIND } from './routers.ts';

/** The tables the logical state is made of (see state()). */
const STATE_TABLES = ['Transport_Node', 'Logical_Switch', 'Logical_Port', 'Logical_Router', 'Logical_Router_Interface', 'Logical_Router_Gateway'] as const;

export interface StoreOptions {
  /** Default NvStore. */
  database?: string;
  /** Bound on one write, from the call to the commit (default 2000 ms). */
  writeTimeoutMs?: number;
  /** How long `open` waits for a member with quorum and the initial state (default 30 s). */
  openTimeoutMs?: number;
  /** Only talk to the leader (default false: any connected member; followers forward writes). */
  leaderOnly?: boolean;
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

export type UpdateInput<T extends { name: string }> = Omit<T, 'name'> & { name?: string };

export interface StoreEvents {
  /** The logical state changed (nodes, switches, ports). */
  change: [LogicalState];
  /** Member leases or masterships changed. */
  membership: [];
  /** Connection or cluster status changed. */
  status: [StoreStatus];
}

const sameRouter = (a: LogicalRouter, b: LogicalRouter) => JSON.stringify(a) === JSON.stringify(b);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const KIND = { Transport_Node: 'transport node', Logical_Switch: 'logical switch', Logical_Port: 'logical port', Logical_Router: ROUTER_KIND } as const;

export class Store extends EventEmitter<StoreEvents> {
  private readonly database: string;
  private readonly writeTimeoutMs: number;
  private cached: { tables: unknown[]; state: LogicalState } | undefined;
  private readonly committer: Committer;

  private constructor(
    private readonly client: OvsdbClient,
    private readonly replica: Replica<NvStoreTables>,
    options: StoreOptions,
  ) {
    super();
    this.database = options.database ?? NVSTORE_DATABASE;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 2000;
    this.committer = new Committer(client, this.database, this.writeTimeoutMs);
    const announce = () => this.emit('status', this.status());
    this.committer.on('quorum', announce);
    client.on('server', announce);
    client.on('connected', announce);
    client.on('disconnected', announce);
    replica.on('change', (changes) => this.onChange(changes));
  }

  /**
   * Connects to the cluster (`remotes`: tcp:IP:PORT of members; with several, the client moves
   * to another member when the one it uses loses its cluster) and waits for the initial state.
   */
  static async open(remotes: string | readonly string[], options: StoreOptions = {}): Promise<Store> {
    const database = options.database ?? NVSTORE_DATABASE;
    const writeTimeoutMs = options.writeTimeoutMs ?? 2000;
    const client = OvsdbClient.connect(remotes, {
      minBackoff: 100,
      maxBackoff: 1000,
      // A member that stops answering (frozen, partitioned) is dropped within 3 s.
      echoInterval: 1000,
      // Members share a LAN: a connect that takes a second goes to a member that is cut off.
      connectTimeout: 1000,
      // Its own member is out of the cluster for a moment at every election: stay with it, since
      // the next remote may be the member that was lost.
      clusterLossGraceMs: 2000,
      ...options.client,
      // Requests queued while disconnected give up with the write bound instead of 30 s, so a
      // write reported as failed is not sent later.
      waitConnectedTimeout: writeTimeoutMs,
      database,
      leaderOnly: options.leaderOnly ?? false,
    });
    const replica = new Replica<NvStoreTables>(client, {
      database,
      tables: Object.fromEntries([...LOGICAL_TABLES, ...MEMBERSHIP_TABLES].map((t) => [t, true])),
      // Plain `monitor` (full new rows), not update2: the replica applies an update2 diff of an
      // optional (0..1 set) column as a symmetric difference, but ovsdb-server sends the new
      // value for those, so clearing or changing a port's ip/node would be missed.
      method: 'monitor',
    });
    const store = new Store(client, replica, options);
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
        if (code === 'OVSDB_CONNECTION' || code === 'OVSDB_TIMEOUT') {
          throw new StoreUnavailableError(`no member of ${[remotes].flat().join(', ')} with quorum serving ${database}`, 'no', { cause: err });
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
    // Keyed by the tables the state is made of, not the snapshot: members' heartbeats change the
    // snapshot several times a second, and an unchanged state lets everything derived from it be
    // reused (the programmer computes each node's pipeline from one state object).
    const snapshot = this.replica.snapshot();
    const tables = STATE_TABLES.map((t) => snapshot.tables.get(t));
    if (!this.cached || tables.some((t, i) => t !== this.cached!.tables[i])) {
      this.cached = {
        tables,
        state: logicalState(
          snapshot.rows('Transport_Node').map(nodeFromRow),
          snapshot.rows('Logical_Switch').map(switchFromRow),
          snapshot.rows('Logical_Port').map(portFromRow),
          this.routersOf(snapshot),
        ),
      };
    }
    return this.cached.state;
  }

  listNodes(): TransportNode[] {
    return sorted(this.replica.rows('Transport_Node').map(nodeFromRow));
  }
  getNode(name: string): TransportNode {
    const r = this.replica.find('Transport_Node', (x) => x.name === name);
    if (!r) throw new NotFoundError(KIND.Transport_Node, name);
    return nodeFromRow(r);
  }
  listSwitches(): LogicalSwitch[] {
    return sorted(this.replica.rows('Logical_Switch').map(switchFromRow));
  }
  getSwitch(name: string): LogicalSwitch {
    const r = this.replica.find('Logical_Switch', (x) => x.name === name);
    if (!r) throw new NotFoundError(KIND.Logical_Switch, name);
    return switchFromRow(r);
  }
  listPorts(): LogicalPort[] {
    return sorted(this.replica.rows('Logical_Port').map(portFromRow));
  }
  getPort(name: string): LogicalPort {
    const r = this.replica.find('Logical_Port', (x) => x.name === name);
    if (!r) throw new NotFoundError(KIND.Logical_Port, name);
    return portFromRow(r);
  }
  listRouters(): LogicalRouter[] {
    return sorted(this.routersOf(this.replica.snapshot()));
  }
  getRouter(name: string): LogicalRouter {
    const found = this.routersOf(this.replica.snapshot()).find((r) => r.name === name);
    if (!found) throw new NotFoundError(KIND.Logical_Router, name);
    return found;
  }
  private routersOf(s: ReplicaSnapshot<NvStoreTables>): LogicalRouter[] {
    const interfaces = s.rows('Logical_Router_Interface');
    const gateways = s.rows('Logical_Router_Gateway');
    return s.rows('Logical_Router').map((r) => routerFromRows(r, interfaces, gateways));
  }
  members(): MemberLease[] {
    return sorted(this.replica.rows('Member').map(memberFromRow));
  }
  /** Members whose lease has not expired at `now`. */
  liveMembers(now = Date.now()): MemberLease[] {
    return this.members().filter((m) => m.expires > now);
  }
  masterships(): Mastership[] {
    return this.replica
      .rows('Mastership')
      .map(mastershipFromRow)
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  // --- transport nodes ------------------------------------------------------------------------

  async createNode(input: TransportNodeInput): Promise<TransportNode> {
    const node = parse(TransportNodeSchema, input, KIND.Transport_Node);
    const txn = this.txn(node);
    txn.add(op.insert('Transport_Node', nodeToRow(node)));
    await this.commit(txn);
    await this.settle((s) => s.rows('Transport_Node').some((r) => same(nodeFromRow(r), node)));
    return node;
  }

  async updateNode(name: string, input: UpdateInput<TransportNodeInput>): Promise<TransportNode> {
    const node = parse(TransportNodeSchema, { ...input, name: input.name ?? name }, KIND.Transport_Node);
    checkSameName(name, node.name);
    const txn = this.txn(node);
    if (node.role !== 'l3-gateway') this.notARouterGateway(txn, name);
    const i = txn.add(op.update('Transport_Node', [['name', '==', name]], withoutName(nodeToRow(node))));
    this.expectRow(await this.commit(txn), i, KIND.Transport_Node, name);
    await this.settle((s) => s.rows('Transport_Node').some((r) => same(nodeFromRow(r), node)));
    return node;
  }

  async deleteNode(name: string): Promise<void> {
    const txn = this.txn();
    txn.mustNotExist('Logical_Port', [['node', '==', [name]]], () => {
      const bound = this.listPorts().filter((p) => p.node === name).map((p) => p.name);
      return new ConflictError(`transport node "${name}" still has logical ports bound${bound.length ? `: ${bound.join(', ')}` : ''}`);
    });
    this.notARouterGateway(txn, name);
    const i = txn.add(op.delete('Transport_Node', [['name', '==', name]]));
    this.expectRow(await this.commit(txn), i, KIND.Transport_Node, name);
    await this.settle((s) => !s.rows('Transport_Node').some((r) => r.name === name));
  }

  // --- logical switches -----------------------------------------------------------------------

  async createSwitch(input: LogicalSwitchInput): Promise<LogicalSwitch> {
    const ls = parse(LogicalSwitchSchema, input, KIND.Logical_Switch);
    const txn = this.txn(ls);
    txn.add(op.insert('Logical_Switch', switchToRow(ls)));
    await this.commit(txn);
    await this.settle((s) => s.rows('Logical_Switch').some((r) => same(switchFromRow(r), ls)));
    return ls;
  }

  async updateSwitch(name: string, input: UpdateInput<LogicalSwitchInput>): Promise<LogicalSwitch> {
    const ls = parse(LogicalSwitchSchema, { ...input, name: input.name ?? name }, KIND.Logical_Switch);
    checkSameName(name, ls.name);
    const txn = this.txn(ls);
    const i = txn.add(op.update('Logical_Switch', [['name', '==', name]], withoutName(switchToRow(ls))));
    this.expectRow(await this.commit(txn), i, KIND.Logical_Switch, name);
    await this.settle((s) => s.rows('Logical_Switch').some((r) => same(switchFromRow(r), ls)));
    return ls;
  }

  async deleteSwitch(name: string): Promise<void> {
    const txn = this.txn();
    txn.mustNotExist('Logical_Port', [['switch', '==', name]], () => {
      const ports = this.listPorts().filter((p) => p.switch === name).map((p) => p.name);
      return new ConflictError(`logical switch "${name}" still has logical ports${ports.length ? `: ${ports.join(', ')}` : ''}`);
    });
    // Refused rather than cascaded: a router's interface is configuration the caller wrote, and
    // deleting it behind their back would cut the router off that subnet without a word.
    txn.mustNotExist('Logical_Router_Interface', [['switch', '==', name]], () => {
      const routers = this.listRouters().filter((r) => r.interfaces.some((x) => x.switch === name)).map((r) => r.name);
      return new ConflictError(`logical switch "${name}" still has router interfaces${routers.length ? `: ${routers.join(', ')}` : ''}`);
    }, 'router');
    const i = txn.add(op.delete('Logical_Switch', [['name', '==', name]]));
    this.expectRow(await this.commit(txn), i, KIND.Logical_Switch, name);
    await this.settle((s) => !s.rows('Logical_Switch').some((r) => r.name === name));
  }

  // --- logical ports --------------------------------------------------------------------------

  async createPort(input: LogicalPortInput): Promise<LogicalPort> {
    const port = parse(LogicalPortSchema, input, KIND.Logical_Port);
    const txn = this.portTxn(port);
    txn.add(op.insert('Logical_Port', portToRow(port)));
    await this.commit(txn);
    await this.settle((s) => s.rows('Logical_Port').some((r) => same(portFromRow(r), port)));
    return port;
  }

  async updatePort(name: string, input: UpdateInput<LogicalPortInput>): Promise<LogicalPort> {
    const port = parse(LogicalPortSchema, { ...input, name: input.name ?? name }, KIND.Logical_Port);
    checkSameName(name, port.name);
    const txn = this.portTxn(port);
    const i = txn.add(op.update('Logical_Port', [['name', '==', name]], withoutName(portToRow(port))));
    this.expectRow(await this.commit(txn), i, KIND.Logical_Port, name);
    await this.settle((s) => s.rows('Logical_Port').some((r) => same(portFromRow(r), port)));
    return port;
  }

  async deletePort(name: string): Promise<void> {
    const txn = this.txn();
    const i = txn.add(op.delete('Logical_Port', [['name', '==', name]]));
    this.expectRow(await this.commit(txn), i, KIND.Logical_Port, name);
    await this.settle((s) => !s.rows('Logical_Port').some((r) => r.name === name));
  }

  /** The guards every port write needs: its switch (and node) exist, its IP is free on the switch. */
  private portTxn(port: LogicalPort): Txn {
    const txn = this.txn(port);
    txn.mustExist('Logical_Switch', 'name', port.switch, () => new NotFoundError(KIND.Logical_Switch, port.switch));
    if (port.node !== undefined) {
      const node = port.node;
      txn.mustExist('Transport_Node', 'name', node, () => new NotFoundError(KIND.Transport_Node, node));
    }
    txn.mustNotExist('Logical_Router_Interface', [['switch', '==', port.switch], ['mac', '==', port.mac]], () => {
      const r = this.routerOnSwitch(port.switch, (i) => i.mac === port.mac);
      return new ConflictError(`MAC ${port.mac} is already used on logical switch "${port.switch}"${r ? ` by router "${r}"` : ''}`);
    }, 'router');
    if (port.ip !== undefined) {
      const ip = port.ip;
      txn.mustNotExist('Logical_Router_Interface', [['switch', '==', port.switch], ['ip', '==', ip]], () => {
        const r = this.routerOnSwitch(port.switch, (i) => i.ip.split('/')[0] === ip);
        return new ConflictError(`IP ${ip} is already used on logical switch "${port.switch}"${r ? ` by router "${r}"` : ''}`);
      }, 'router');
      txn.mustNotExist(
        'Logical_Port',
        [
          ['switch', '==', port.switch],
          ['ip', '==', [ip]],
          ['name', '!=', port.name],
        ],
        () => {
          const other = this.listPorts().find((p) => p.switch === port.switch && p.ip === ip && p.name !== port.name);
          return new ConflictError(`IP ${ip} is already used on logical switch "${port.switch}"${other ? ` by port "${other.name}"` : ''}`);
        },
      );
    }
    return txn;
  }

  // --- logical routers ------------------------------------------------------------------------

  async createRouter(input: LogicalRouterInput): Promise<LogicalRouter> {
    const router = parse(LogicalRouterSchema, input, KIND.Logical_Router);
    const txn = this.routerTxn(router);
    for (const o of routerOps(router, 'create')) txn.add(o);
    await this.commit(txn);
    await this.settle((s) => this.routersOf(s).some((r) => sameRouter(r, router)));
    return router;
  }

  async updateRouter(name: string, input: UpdateInput<LogicalRouterInput>): Promise<LogicalRouter> {
    const router = parse(LogicalRouterSchema, { ...input, name: input.name ?? name }, KIND.Logical_Router);
    checkSameName(name, router.name);
    const txn = this.routerTxn(router);
    const ops = routerOps(router, 'update');
    const i = txn.add(ops[0]!);
    for (const o of ops.slice(1)) txn.add(o);
    this.expectRow(await this.commit(txn), i, KIND.Logical_Router, name);
    await this.settle((s) => this.routersOf(s).some((r) => sameRouter(r, router)));
    return router;
  }

  async deleteRouter(name: string): Promise<void> {
    const txn = this.txn();
    const i = txn.add(op.delete('Logical_Router', [['name', '==', name]]));
    txn.add(op.delete('Logical_Router_Interface', [['router', '==', name]]));
    txn.add(op.delete('Logical_Router_Gateway', [['router', '==', name]]));
    this.expectRow(await this.commit(txn), i, KIND.Logical_Router, name);
    await this.settle((s) => !s.rows('Logical_Router').some((r) => r.name === name));
  }

  /** A router write: its guards (see routers.ts) and index clashes named after who holds the value. */
  private routerTxn(router: LogicalRouter): Txn {
    const txn = new Txn();
    const view = { nodes: () => this.listNodes(), ports: () => this.listPorts(), routers: () => this.listRouters() };
    txn.indexClash = (table, columns) => routerIndexClash(router, table, columns, view);
    routerGuards(txn, router, view);
    return txn;
  }

  private routerOnSwitch(sw: string, match: (i: LogicalRouter['interfaces'][number]) => boolean): string | undefined {
    return this.listRouters().find((r) => r.interfaces.some((i) => i.switch === sw && match(i)))?.name;
  }

  private notARouterGateway(txn: Txn, node: string): void {
    txn.mustNotExist('Logical_Router_Gateway', [['node', '==', node]], () => {
      const routers = this.listRouters().filter((r) => r.uplink?.gateways.some((g) => g.node === node)).map((r) => r.name);
      return new ConflictError(`transport node "${node}" is a gateway of logical routers${routers.length ? `: ${routers.join(', ')}` : ''}`);
    }, 'router');
  }

  // --- members and mastership -----------------------------------------------------------------

  /** Renews `member`'s lease until `expires` (ms since the epoch); needs a quorum, like every write. */
  heartbeat(member: string, expires: number, options: { timeoutMs?: number } = {}): Promise<void> {
    return heartbeat(this.committer, member, expires, options);
  }

  /** Makes `member` master of `node` with a generation higher than any before (see leases.ts). */
  bumpGeneration(node: string, member: string, options: { timeoutMs?: number } = {}): Promise<number> {
    return bumpGeneration(this.committer, node, member, options);
  }

  // --- internals ------------------------------------------------------------------------------

  /** A transaction whose index clashes read as "already exists" / "VNI in use" / "MAC in use". */
  private txn(subject?: { name: string; vni?: number; mac?: string; switch?: string }): Txn {
    const txn = new Txn();
    txn.indexClash = (table, columns): StoreError | undefined => {
      const kind = KIND[table as keyof typeof KIND];
      if (!kind || !subject) return undefined;
      if (columns.length === 1 && columns[0] === 'name') return new ConflictError(`${kind} "${subject.name}" already exists`);
      if (columns.length === 1 && columns[0] === 'vni') {
        const other = this.listSwitches().find((s) => s.vni === subject.vni && s.name !== subject.name);
        return new ConflictError(`VNI ${subject.vni} is already used${other ? ` by logical switch "${other.name}"` : ''}`);
      }
      if (columns.includes('mac')) {
        const other = this.listPorts().find((p) => p.switch === subject.switch && p.mac === subject.mac && p.name !== subject.name);
        return new ConflictError(`MAC ${subject.mac} is already used on logical switch "${subject.switch}"${other ? ` by port "${other.name}"` : ''}`);
      }
      return undefined;
    };
    return txn;
  }

  private commit(txn: Txn): Promise<OperationResult[]> {
    return this.committer.commit(txn);
  }

  private expectRow(results: OperationResult[], index: number, kind: string, name: string): void {
    if (!results[index]?.count) throw new NotFoundError(kind, name);
  }

  /**
   * Read-your-writes: waits (briefly) until the replica shows a committed write, so a read on
   * this member right after the write returns sees it. The write stands even if this times out.
   */
  private async settle(probe: (s: ReplicaSnapshot<NvStoreTables>) => boolean): Promise<void> {
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
  }
}
