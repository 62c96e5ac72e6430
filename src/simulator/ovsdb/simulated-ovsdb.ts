// One simulated transport node's Open_vSwitch database, served as its ovsdb-server serves it:
// over outgoing connections to each of its managers (the controller members), where every member
// is a client that reads the node's facts, monitors them and writes its tunnels. The node's
// ovs-vswitchd is simulated too (vswitchd.ts): new interfaces of br-int get OpenFlow port numbers,
// announced as `port` events for the node's simulated OpenFlow switch.
import { EventEmitter } from 'node:events';
import type { TlsCredentials } from '../../util/tls.ts';
import { mapValue, setDatum } from './datum.ts';
import { Database, Transaction, type Change } from './database.ts';
import { Locks } from './locks.ts';
import { ManagerLink, type LinkHandler, type LinkOptions, type RequestId } from './manager-link.ts';
import { changeUpdates, type MonitorSpec } from './monitors.ts';
import { makeRow, type Row } from './rows.ts';
import { serve, updateMethod, updateParams, type Served } from './rpc.ts';
import { vswitchSchema } from './schema.ts';
import { columnOf } from './conditions.ts';
import { rowToJson, transact } from './transact.ts';
import { nextId } from './uuids.ts';
import { addPort, boot, bridgeInterfaces, reconcile, TUNNEL_TYPES, vmInterface, type VmPort, type Vswitchd } from './vswitchd.ts';
import { Waits, type PendingWait } from './waits.ts';

export type { VmPort };

export interface SimulatedOvsdbOptions {
  /** external_ids:system-id (and hostname): the node's name, its certificate's common name. */
  systemId: string;
  /** br-int's datapath id, as its OpenFlow switch reports it. */
  datapathId: bigint;
  /** The node's transport IP (its tunnels' local end). */
  underlayIp: string;
  /** br-phy's MAC, which the transport IP answers with; default 02:00 and the IP's four bytes. */
  underlayMac?: string;
  /** external_ids:nvlab-role (default hypervisor). */
  role?: string;
  /** The VMs plugged into br-int at boot. */
  vmPorts?: readonly VmPort[];
  /** Whether BFD on a tunnel to `remoteIp` is up and forwarding (default: always). */
  bfdForwarding?: (remoteIp: string, tunnel: string) => boolean;
  /** OpenFlow targets of br-int, recorded as its Controller rows (the switch connects to them). */
  controllers?: readonly string[];
  /** The NIC on br-phy (default eth0). */
  underlayNic?: string;
  /** Pause between connection attempts to a manager (default 1000 ms, OVS's max_backoff=1000). */
  backoffMs?: number;
  /** Give up a connection attempt (with ssl:, its handshake too) after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Echo a silent manager after this long, disconnect after twice it (default 5000; 0: never). */
  probeIntervalMs?: number;
  /** The Open_vSwitch schema (default Debian's), read once per process. */
  schemaPath?: string;
}

/** A port of br-int with its OpenFlow port number. */
export interface BridgePort {
  name: string;
  ofport: number;
  /** The Interface's type: "" for a VM's (system) interface, "internal", "geneve", ... */
  type: string;
  /** A VM's logical port (external_ids:iface-id) and MAC (external_ids:attached-mac). */
  ifaceId?: string;
  attachedMac?: string;
  /** A tunnel's remote end (options:remote_ip). */
  remoteIp?: string;
}

export interface TunnelPort extends BridgePort {
  remoteIp: string;
  /** BFD runs on it (bfd:enable=true). */
  bfd: boolean;
  /** What bfd_status says (undefined without BFD). */
  forwarding?: boolean;
}

export interface PortChange extends BridgePort {
  change: 'added' | 'removed';
}

export interface SimulatedOvsdbEvents {
  /** A port of br-int got its OpenFlow number, or went. */
  port: [PortChange];
  /** A manager connection came up or went down. */
  connected: [target: string];
  disconnected: [target: string];
}

const always = () => true;
let serials = 0;

const macOf = (ip: string) =>
  `02:00:${ip
    .split('.')
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join(':')}`;

function portOf(row: Row): BridgePort {
  const ifaceId = mapValue(row.external_ids, 'iface-id');
  const attachedMac = mapValue(row.external_ids, 'attached-mac');
  const remoteIp = mapValue(row.options, 'remote_ip');
  return {
    name: String(row.name),
    ofport: (row.ofport as readonly number[] | undefined)?.[0] ?? -1,
    type: String(row.type ?? ''),
    ...(ifaceId !== undefined ? { ifaceId: String(ifaceId) } : {}),
    ...(attachedMac !== undefined ? { attachedMac: String(attachedMac) } : {}),
    ...(remoteIp !== undefined ? { remoteIp: String(remoteIp) } : {}),
  };
}

export class SimulatedOvsdb extends EventEmitter<SimulatedOvsdbEvents> implements LinkHandler, Served, Vswitchd {
  readonly systemId: string;
  readonly datapathId: bigint;
  readonly underlayIp: string;
  readonly db: Database;
  /** (Served) Names this node among the process's, for cached encodings. */
  readonly serial = ++serials;
  /** (Vswitchd) The next number to try for a new port of br-int. */
  cursor = 1;
  private links: ManagerLink[] = [];
  private readonly linkOptions: Omit<LinkOptions, 'tls'>;
  private readonly forwarding: (remoteIp: string, tunnel: string) => boolean;
  private reactionDue = false;
  private lockTable: Locks<ManagerLink> | undefined;
  private waits: Waits | undefined;

  constructor(options: SimulatedOvsdbOptions) {
    super();
    this.systemId = options.systemId;
    this.datapathId = options.datapathId;
    this.underlayIp = options.underlayIp;
    this.forwarding = options.bfdForwarding ?? always;
    this.linkOptions = {
      backoffMs: options.backoffMs ?? 1000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      probeIntervalMs: options.probeIntervalMs ?? 5000,
    };
    this.db = new Database(vswitchSchema(options.schemaPath));
    const txn = new Transaction(this.db);
    boot(txn, {
      systemId: options.systemId,
      role: options.role ?? 'hypervisor',
      datapathId: options.datapathId,
      underlayMac: options.underlayMac ?? macOf(options.underlayIp),
      underlayNic: options.underlayNic ?? 'eth0',
      vmPorts: options.vmPorts ?? [],
      controllers: options.controllers ?? [],
      ovsVersion: '3.1.0',
    });
    this.db.apply(txn.commit());
    const started = new Transaction(this.db);
    reconcile(started, this);
    this.db.apply(started.commit());
  }

  bfdForwarding(remoteIp: string, tunnel: string): boolean {
    return this.forwarding(remoteIp, tunnel);
  }

  /** Connects to every manager target (`tcp:IP:PORT`, or `ssl:IP:PORT` with `tls`: this node's
   *  key and certificate, and the members' authority), recorded as the node's Manager rows. */
  connect(targets: readonly string[], tls?: TlsCredentials): void {
    for (const link of this.links) link.stop();
    const options = { ...this.linkOptions, tls };
    this.links = targets.map((target) => new ManagerLink(target, this, options));
    const txn = new Transaction(this.db);
    const managers = this.db.table('Manager');
    const rows = targets.map((target) => makeRow(managers, nextId(), { target, max_backoff: [1000] }));
    for (const r of rows) txn.put('Manager', r);
    const root = this.db.table('Open_vSwitch');
    for (const r of txn.rows('Open_vSwitch')) {
      txn.update(root, r, {
        manager_options: setDatum(
          root.byName.get('manager_options')!,
          rows.map((m) => m._id),
        ),
      });
    }
    this.commit(txn);
    for (const link of this.links) link.start();
  }

  /** Drops every manager connection (the database stays as it is). */
  close(): void {
    for (const link of this.links) link.stop();
    this.links = [];
    this.waits?.clear();
  }

  /** Targets with a connection up. */
  connectedTargets(): string[] {
    return this.links.filter((l) => l.isConnected).map((l) => l.target);
  }

  /** br-int's ports that have their OpenFlow number. */
  interfaces(): BridgePort[] {
    const bridge = this.brInt();
    if (!bridge) return [];
    return bridgeInterfaces(this.db, bridge)
      .filter((i) => i.ofport !== undefined)
      .map(portOf);
  }

  /** br-int's tunnels (the members make them), with their ports and BFD state. */
  tunnels(): TunnelPort[] {
    const bridge = this.brInt();
    if (!bridge) return [];
    return bridgeInterfaces(this.db, bridge)
      .filter((i) => i.ofport !== undefined && TUNNEL_TYPES.has(String(i.type)))
      .map((i) => {
        const bfd = mapValue(i.bfd, 'enable') === 'true';
        const forwarding = mapValue(i.bfd_status, 'forwarding');
        return {
          ...portOf(i),
          remoteIp: String(mapValue(i.options, 'remote_ip') ?? ''),
          bfd,
          ...(forwarding !== undefined ? { forwarding: forwarding === 'true' } : {}),
        };
      });
  }

  /** Plugs a VM into br-int as the node agent does (ovs-vsctl add-port, then vswitchd numbers
   *  it); its OpenFlow port number. */
  addVmPort(vm: VmPort): number {
    const bridge = this.brInt();
    if (!bridge) throw new Error(`${this.systemId}: no br-int`);
    const txn = new Transaction(this.db);
    const port = addPort(txn, vm.name, vmInterface(txn, vm));
    const bridges = this.db.table('Bridge');
    txn.update(bridges, bridge, { ports: setDatum(bridges.byName.get('ports')!, [...(bridge.ports as readonly number[]), port]) });
    this.commit(txn);
    this.react();
    const added = this.interfaces().find((i) => i.name === vm.name);
    if (!added) throw new Error(`${this.systemId}: ${vm.name} was not added`);
    return added.ofport;
  }

  /** Unplugs the VM of logical port `ifaceId` (ovs-vsctl del-port); false if there is none. */
  removeVmPort(ifaceId: string): boolean {
    const bridge = this.brInt();
    if (!bridge) return false;
    const iface = bridgeInterfaces(this.db, bridge).find((i) => mapValue(i.external_ids, 'iface-id') === ifaceId);
    if (!iface) return false;
    const ports = [...this.db.rows('Port').values()].filter((p) => (p.interfaces as readonly number[]).includes(iface._id));
    const gone = new Set(ports.map((p) => p._id));
    const txn = new Transaction(this.db);
    const bridges = this.db.table('Bridge');
    const kept = (bridge.ports as readonly number[]).filter((p) => !gone.has(p));
    txn.update(bridges, bridge, { ports: setDatum(bridges.byName.get('ports')!, kept) });
    this.commit(txn);
    return true;
  }

  /** Asks `bfdForwarding` again for every BFD tunnel and reports what changed. */
  refreshBfd(): void {
    this.react();
  }

  /** Runs a transaction of wire operations as a local client would (ovs-vsctl): the results. */
  transact(ops: unknown[]): unknown[] {
    const out = transact(this.db, ops, { holdsLock: () => false, expired: true });
    this.publish(out.changes);
    return out.results;
  }

  /** (Served) A member's transact request, answered now or once its wait holds. */
  transactFor(link: ManagerLink, id: RequestId, ops: unknown[]): void {
    const started = Date.now();
    const wait: PendingWait = { link, id, ops, started, timer: undefined };
    const out = this.runWait(wait, false);
    if (out !== true) (this.waits ??= new Waits((w, expired) => this.runWait(w, expired) === true)).add(link, id, ops, started, out);
  }

  /** Runs a member's transaction: true once answered, else the deadline of the wait holding it. */
  private runWait(w: PendingWait, expired: boolean): true | number {
    const holdsLock = (name: string) => this.lockTable?.holds(w.link, name) ?? false;
    const out = transact(this.db, w.ops, { holdsLock, expired }, w.started);
    if (out.waitUntil !== undefined) return out.waitUntil;
    this.publish(out.changes);
    w.link.reply(w.id, out.results);
    return true;
  }

  /** A table's rows as select shows them (every column, with _uuid and _version). */
  dump(table: string): Record<string, unknown>[] {
    const t = this.db.table(table);
    const columns = [columnOf(t, '_uuid', undefined), columnOf(t, '_version', undefined), ...t.columns];
    return [...this.db.rows(table).values()].map((row) => rowToJson(t, row, columns));
  }

  /** (Served) The node's locks, made when first asked for. */
  locks(): Locks<ManagerLink> {
    return (this.lockTable ??= new Locks());
  }

  // --- LinkHandler: what the manager connections call ------------------------------------------

  up(link: ManagerLink): void {
    this.emit('connected', link.target);
  }

  request(link: ManagerLink, id: RequestId, method: string, params: unknown[]): void {
    serve(this, link, id, method, params);
  }

  down(link: ManagerLink): void {
    for (const [name, owner] of this.lockTable?.release(link) ?? []) owner.notifyText('locked', JSON.stringify([name]));
    this.waits?.drop(link);
    this.emit('disconnected', link.target);
  }

  // --- commits ----------------------------------------------------------------------------------

  private brInt(): Row | undefined {
    for (const b of this.db.rows('Bridge').values()) if (b.name === 'br-int') return b;
    return undefined;
  }

  private commit(txn: Transaction): void {
    this.publish(txn.commit());
  }

  /** Applies committed changes, tells every monitor, and lets vswitchd react (unless these are
   *  its own). */
  private publish(changes: readonly Change[], byVswitchd = false): void {
    if (changes.length === 0) return;
    const removed = this.removedPorts(changes);
    this.db.apply(changes);
    const bodies = new Map<MonitorSpec, string | null>();
    for (const link of this.links) {
      for (const monitor of link.monitors?.values() ?? []) {
        let body = bodies.get(monitor.spec);
        if (body === undefined) bodies.set(monitor.spec, (body = changeUpdates(monitor.spec, changes) ?? null));
        if (body !== null) link.notifyText(updateMethod(monitor.spec.method), updateParams(monitor, body));
      }
    }
    if (!this.reactionDue && !byVswitchd) {
      this.reactionDue = true;
      setImmediate(() => this.react());
    }
    for (const port of removed) this.emit('port', { change: 'removed', ...port });
    this.waits?.retry();
  }

  /** vswitchd's turn: numbers new ports, brings links up, reports BFD. */
  private react(): void {
    this.reactionDue = false;
    const txn = new Transaction(this.db);
    const numbered = reconcile(txn, this);
    if (txn.isEmpty) return;
    this.publish(txn.commit(), true);
    for (const id of numbered) {
      const row = this.db.get('Interface', id);
      if (row) this.emit('port', { change: 'added', ...portOf(row) });
    }
  }

  /** br-int's numbered interfaces that a commit deletes (read before it applies). */
  private removedPorts(changes: readonly Change[]): BridgePort[] {
    const deleted = changes.filter((c) => c.table.name === 'Interface' && c.old?.ofport !== undefined && !c.new);
    if (deleted.length === 0) return [];
    const bridge = this.brInt();
    const onBrInt = new Set(bridge ? bridgeInterfaces(this.db, bridge).map((i) => i._id) : []);
    return deleted.filter((c) => onBrInt.has(c.id)).map((c) => portOf(c.old!));
  }
}
