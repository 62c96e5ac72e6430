// What a member reads from its switches for the status API: a transport node as it sees it (its
// OVSDB session and OpenFlow connection, the node's master, tunnels with link, BFD and counters)
// and a logical port (where it is bound and plugged, its flows on the nodes of its switch, its
// counters). Every member reads: OpenFlow lets a slave ask for statistics. The node's OVSDB rows
// are the member's replica (no round trip); the switch is asked in parallel, each request bounded.
import type { OpenFlowConnection, OpenFlowController, PortStats } from '../../openflow/index.ts';
import { cookie, CookieKind, explainCookie, switchHosts } from '../pipeline/index.ts';
import { NotFoundError, type Store } from '../store/index.ts';
import type { NodeSessions } from '../southbound/node-sessions.ts';
import { switchOf } from '../southbound/switch-identity.ts';
import { optional, portCounters, tunnelStatuses } from './tunnel-status.ts';
import type {
  LogicalPortStatistics,
  LogicalPortStatus,
  LogicalState,
  PortFlow,
  StatePort,
  TransportNodeStatus,
} from '../../model/index.ts';

/** What the status routes of the API ask of a member (src/controller/api/status-routes.ts). */
export interface SouthboundReader {
  nodeStatus(node: string): Promise<TransportNodeStatus>;
  portStatus(port: string): Promise<LogicalPortStatus>;
  portStatistics(port: string): Promise<LogicalPortStatistics>;
}

export interface StatusDeps {
  member: string;
  store: Pick<Store, 'state' | 'masterships'>;
  sessions: Pick<NodeSessions, 'view' | 'datapathId' | 'tunnelInterfaces' | 'vmInterface' | 'secure'>;
  openflow: Pick<OpenFlowController, 'connections'>;
  /** Nodes this member masters that are fully programmed. */
  programmed(): readonly string[];
  /** How long one request to a switch may take (default 2 s). */
  switchTimeoutMs?: number;
}

/** A flow's cookie without its kind (the top 8 bits): every flow about one subject on one VNI. */
const SUBJECT_MASK = (1n << 56n) - 1n;

const KIND_WORDS: Record<string, string> = { CLASSIFY_VM: 'classify', L2_LOCAL: 'deliver', L2_REMOTE: 'remote' };

const hex = (c: bigint) => `0x${c.toString(16).padStart(16, '0')}`;

/** The answer, or a rejection once `ms` have passed without one. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SouthboundStatus implements SouthboundReader {
  constructor(private readonly deps: StatusDeps) {}

  private get timeout(): number {
    return this.deps.switchTimeoutMs ?? 2000;
  }

  private switchOf(node: string): OpenFlowConnection | undefined {
    return switchOf(this.deps.sessions, this.deps.openflow.connections, node);
  }

  /** Asks a node's switch; undefined when it is not connected or does not answer in time. */
  private async ask<T>(node: string, what: string, request: (sw: OpenFlowConnection) => Promise<T>): Promise<T | undefined> {
    const sw = this.switchOf(node);
    if (!sw) return undefined;
    return within(this.timeout, `${node}: ${what}`, request(sw)).catch(() => undefined);
  }

  private logicalNode(logical: LogicalState, node: string) {
    const found = logical.nodes.find((n) => n.name === node);
    if (!found) throw new NotFoundError('transport node', node);
    return found;
  }

  private logicalPort(logical: LogicalState, port: string): { port: StatePort; vni: number } {
    const found = logical.ports.find((p) => p.name === port);
    if (!found) throw new NotFoundError('logical port', port);
    const vni = logical.switches.find((s) => s.name === found.switch)?.vni ?? 0;
    return { port: found, vni };
  }

  async nodeStatus(node: string): Promise<TransportNodeStatus> {
    const logical = this.deps.store.state();
    this.logicalNode(logical, node);
    const byIp = new Map(logical.nodes.map((n) => [n.underlayIp, n.name]));
    const master = this.deps.store.masterships().find((m) => m.node === node);
    const [aggregate, groups, ports] = await Promise.all([
      this.ask(node, 'flow count', (sw) => sw.aggregate()),
      this.ask(node, 'groups', (sw) => sw.groupStats()),
      this.ask(node, 'port statistics', (sw) => sw.portStats()),
    ]);
    const portStats = ports ? new Map<number, PortStats>(ports.map((p) => [p.portNo, p])) : undefined;
    return {
      node,
      member: this.deps.member,
      connected: { ovsdb: this.deps.sessions.view(node) !== undefined, openflow: this.switchOf(node) !== undefined },
      ...(master ? { master: { member: master.member, generation: master.generation } } : {}),
      ...(master?.member === this.deps.member ? { programmed: this.deps.programmed().includes(node) } : {}),
      ...(aggregate ? { flows: aggregate.flowCount } : {}),
      ...(groups ? { groups: groups.length } : {}),
      tunnels: tunnelStatuses(this.deps.sessions.tunnelInterfaces(node), (ip) => byIp.get(ip), portStats),
    };
  }

  /** The port's interface on its node: plugged, its OpenFlow port, and its link. */
  private plugged(port: StatePort) {
    const row = port.node ? this.deps.sessions.vmInterface(port.node, port.name) : undefined;
    const ofport = optional<number>(row?.ofport);
    return {
      plugged: row !== undefined,
      ...(row ? { interface: String(row.name) } : {}),
      ...(ofport !== undefined && ofport > 0 ? { ofport } : {}),
      linkUp: optional<string>(row?.link_state) === 'up',
    };
  }

  /** The flows about a port on one node (any kind; its VNI and name in the cookie). */
  private async flowsOn(node: string, logical: LogicalState, port: string, vni: number): Promise<PortFlow[] | undefined> {
    const about = cookie(CookieKind.CLASSIFY_VM, vni, port) & SUBJECT_MASK;
    const flows = await this.ask(node, 'flows', (sw) => sw.flowStats({ cookie: about, cookieMask: SUBJECT_MASK }));
    return flows?.map((f) => {
      const meaning = explainCookie(f.cookie, logical, f.tableId);
      return {
        node,
        kind: KIND_WORDS[meaning.kind] ?? meaning.kind.toLowerCase(),
        table: f.tableId,
        priority: f.priority,
        cookie: hex(f.cookie),
        packets: Number(f.packetCount),
        bytes: Number(f.byteCount),
        meaning: meaning.text,
      };
    });
  }

  async portStatus(name: string): Promise<LogicalPortStatus> {
    const logical = this.deps.store.state();
    const { port, vni } = this.logicalPort(logical, name);
    const hosts = new Set(switchHosts(logical).get(port.switch) ?? []);
    if (port.node) hosts.add(port.node);
    const nodes = [...hosts].sort();
    const read = await Promise.all(nodes.map((node) => this.flowsOn(node, logical, name, vni)));
    const unread = nodes.filter((_, i) => read[i] === undefined);
    const { linkUp, ...where } = this.plugged(port);
    return {
      port: name,
      switch: port.switch,
      vni,
      member: this.deps.member,
      ...(port.node ? { node: port.node } : {}),
      ...where,
      up: where.plugged && linkUp,
      flows: read.flatMap((flows) => flows ?? []),
      ...(unread.length ? { unread } : {}),
    };
  }

  async portStatistics(name: string): Promise<LogicalPortStatistics> {
    const logical = this.deps.store.state();
    const { port, vni } = this.logicalPort(logical, name);
    const { linkUp: _linkUp, ...where } = this.plugged(port);
    const base = { port: name, member: this.deps.member, ...(port.node ? { node: port.node } : {}), ...where };
    if (!port.node || where.ofport === undefined) return base;
    const [stats, flows] = await Promise.all([
      this.ask(port.node, 'port statistics', (sw) => sw.portStats(where.ofport)),
      this.flowsOn(port.node, logical, name, vni),
    ]);
    const counters = (kind: string) => {
      const of = flows?.filter((f) => f.kind === kind);
      return of?.length ? { packets: sum(of.map((f) => f.packets)), bytes: sum(of.map((f) => f.bytes)) } : undefined;
    };
    const rx = stats?.[0] ? portCounters(stats[0], 'rx') : undefined;
    const tx = stats?.[0] ? portCounters(stats[0], 'tx') : undefined;
    const classify = counters('classify');
    const delivery = counters('deliver');
    return { ...base, ...(rx ? { rx } : {}), ...(tx ? { tx } : {}), ...(classify ? { classify } : {}), ...(delivery ? { delivery } : {}) };
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
