// The OVSDB side of the southbound: every transport node's ovsdb-server connects to every member
// (each member is one of its managers). Per node we keep a replica of its bridges, ports and
// interfaces, which tells us what the switch has: the datapath id of br-int, the OpenFlow port
// of each VM (by iface-id) and tunnel, and the MAC its transport IP answers with.
import { EventEmitter } from 'node:events';
import {
  namedUuid,
  op,
  OvsdbClient,
  OvsdbConnectionError,
  OvsdbListener,
  Replica,
  Uuid,
  uuid,
  whereUuid,
  type OvsdbMap,
} from '../../ovsdb/index.ts';
import type { NodeFacts } from '../pipeline/index.ts';
import { OVSDB_MANAGER_PORT } from '../../model/index.ts';
import type { TlsCredentials } from '../../util/tls.ts';
import { awakeTimeout } from '../../util/silence.ts';
import { identityRefusal } from './switch-identity.ts';
import { sameMap, sameSeen, type Seen } from './node-seen.ts';

const DB = 'Open_vSwitch';
export const INTEGRATION_BRIDGE = 'br-int';
const TRANSPORT_BRIDGE = 'br-phy';
const TUNNEL_MARK = 'nvlab-tunnel';

export type Row = Record<string, unknown> & { _uuid: string };

export interface NodeView {
  node: string;
  client: OvsdbClient;
  replica: Replica;
}

export interface TunnelRow {
  uuid: string;
  name: string;
  type: string;
  remoteIp: string;
  remoteMac: string | undefined;
  /** The Interface's `bfd` column. */
  bfd: Map<string, string>;
}

export interface WantedTunnel {
  name: string;
  encap: string;
  remoteIp: string;
  remoteMac?: string;
  /** Run OVS's BFD on it (docs/controller.md, "Service nodes"). */
  bfd?: boolean;
}

/**
 * OVS's BFD on a tunnel: 100 ms both ways, so a dead remote is noticed after 3 missed packets,
 * about 300 ms; no decay, so an idle tunnel is watched as closely as a busy one.
 */
export const TUNNEL_BFD: ReadonlyMap<string, string> = new Map([
  ['enable', 'true'],
  ['min_tx', '100'],
  ['min_rx', '100'],
  ['decay_min_rx', '0'],
]);
const bfdKey = (m: ReadonlyMap<string, string>) => JSON.stringify([...m].sort());
const one = <T>(value: unknown): T | undefined => (Array.isArray(value) ? (value[0] as T | undefined) : (value as T));
const mapGet = (value: unknown, key: string): string | undefined =>
  value instanceof Map ? ((value as OvsdbMap).get(key) as string | undefined) : undefined;

export interface NodeSessionEvents {
  /** A node connected, changed, or went away. */
  change: [node: string];
  /** A connection that did not become a node's session (not OVSDB, no system-id, no answer in
   *  time; over TLS, a failed handshake or a system-id its certificate does not name), with why;
   *  it is closed. */
  refused: [peer: string, reason: Error];
}

/** A switch's ovsdb-server answers our monitor at once; a peer that has not within this is cut
 *  off, so one sending a byte a second holds a socket no longer. */
const ADOPT_TIMEOUT_MS = 10_000;

export class NodeSessions extends EventEmitter<NodeSessionEvents> {
  private readonly views = new Map<string, NodeView>();

  /** `secure`: over TLS, each switch is the node its certificate names (switch-identity.ts). */
  private constructor(
    private readonly listener: OvsdbListener,
    readonly secure: boolean,
  ) {
    super();
  }

  /** Listens for the switches' ovsdb-servers: plain TCP, or with `tls` (pssl:) only switches
   *  with a certificate of `tls.ca`, each taken for the node its certificate names. */
  static async listen(port = OVSDB_MANAGER_PORT, options: { adoptTimeoutMs?: number; tls?: TlsCredentials } = {}): Promise<NodeSessions> {
    // A killed node closes its session at once; probes only find a cut-off one, which nothing
    // here waits on (mastership rides on member links, not on switches). Every probe is a
    // wake-up and a round trip on each of a member's sessions, so they are spaced out.
    const { tls } = options;
    const rpc = { echoInterval: 5000, deadTime: 15000, ...(tls ? { tls } : {}) };
    const listener = await OvsdbListener.listen(`${tls ? 'pssl' : 'ptcp'}:${port}:0.0.0.0`, rpc);
    const sessions = new NodeSessions(listener, tls !== undefined);
    listener.on('refused', (peer, reason) => sessions.emit('refused', peer, reason));
    const timeoutMs = options.adoptTimeoutMs ?? ADOPT_TIMEOUT_MS;
    listener.on('connection', (conn) => {
      let reason: Error | undefined;
      conn.once('close', (err) => (reason ??= err));
      // Counted in time this member ran: its own stall is not the node's slowness.
      const timer = awakeTimeout(timeoutMs, () => {
        conn.close(new OvsdbConnectionError(`${conn.name}: no OVSDB session within ${timeoutMs} ms`));
      });
      sessions
        .adopt(OvsdbClient.fromConnection(conn), conn.peerCommonName)
        .catch((err: Error) => {
          conn.close();
          sessions.emit('refused', conn.name, reason ?? err);
        })
        .finally(() => timer.cancel());
    });
    return sessions;
  }

  private async adopt(client: OvsdbClient, commonName: string | undefined): Promise<void> {
    const replica = await new Replica(client, {
      database: DB,
      tables: {
        Open_vSwitch: { columns: ['external_ids'] },
        Bridge: { columns: ['name', 'datapath_id', 'ports'] },
        Port: { columns: ['name', 'interfaces'] },
        // link_state, bfd_status and statistics are for the status API only (src/controller/status):
        // they change without changing what seen() compares, so they wake nothing else.
        Interface: {
          columns: ['name', 'type', 'ofport', 'external_ids', 'options', 'mac_in_use', 'bfd', 'link_state', 'bfd_status', 'statistics'],
        },
      },
    }).start();
    const root = replica.rows('Open_vSwitch')[0];
    const node = mapGet(root?.external_ids, 'system-id');
    if (!node) throw new Error('a switch without external_ids:system-id');
    // Before anything of the node it claims is touched: its session stays as it is.
    const refusal = identityRefusal(this.secure, commonName, node);
    if (refusal) throw new Error(refusal);
    const view: NodeView = { node, client, replica };
    this.views.get(node)?.client.close();
    this.views.set(node, view);
    // Only what the controller reads from a node counts as a change of it: vswitchd updates its
    // rows in several steps when a VM is plugged in, and each event costs every member a decision.
    replica.on('change', () => {
      const seen = this.seen(node);
      const last = this.lastSeen.get(node);
      if (last && sameSeen(last, seen)) return;
      this.lastSeen.set(node, seen);
      this.emit('change', node);
    });
    client.on('disconnected', () => {
      if (this.views.get(node) === view) {
        this.views.delete(node);
        this.lastSeen.delete(node);
        this.emit('change', node);
      }
    });
    this.lastSeen.set(node, this.seen(node));
    this.emit('change', node);
  }

  private readonly lastSeen = new Map<string, Seen>();

  /** What the controller reads from the node: datapath id, underlay MAC, OpenFlow ports, and
   *  tunnels with their options. */
  private seen(node: string): Seen {
    return { datapathId: this.datapathId(node), underlayMac: this.underlayMac(node), facts: this.facts(node), tunnels: this.tunnels(node) };
  }

  view(node: string): NodeView | undefined {
    return this.views.get(node);
  }

  nodes(): string[] {
    return [...this.views.keys()];
  }

  /** br-int's datapath id, as OpenFlow reports it in FEATURES. */
  datapathId(node: string): bigint | undefined {
    const bridge = this.bridge(node, INTEGRATION_BRIDGE);
    const id = one<string>(bridge?.datapath_id);
    return id ? BigInt(`0x${id}`) : undefined;
  }

  /** The MAC the node's transport IP answers with (br-phy's). */
  underlayMac(node: string): string | undefined {
    return this.memo(node, 'underlayMac', () => this.readUnderlayMac(node));
  }

  private readUnderlayMac(node: string): string | undefined {
    const view = this.views.get(node);
    const row = view?.replica.rows('Interface').find((i) => i.name === TRANSPORT_BRIDGE) as Row | undefined;
    return one<string>(row?.mac_in_use) || undefined;
  }

  private readonly lastFacts = new Map<string, NodeFacts>();

  /** The node's OpenFlow ports; the same object as long as they do not change, so that a master
   *  can tell by identity that a node's switch is as it computed it from. */
  facts(node: string): NodeFacts {
    return this.memo(node, 'facts', () => {
      const facts = this.readFacts(node);
      const last = this.lastFacts.get(node);
      if (
        last &&
        sameMap(last.vmPorts, facts.vmPorts) &&
        sameMap(last.tunnelPorts, facts.tunnelPorts) &&
        sameMap(last.physicalPorts, facts.physicalPorts)
      )
        return last;
      this.lastFacts.set(node, facts);
      return facts;
    });
  }

  private readFacts(node: string): NodeFacts {
    const vmPorts = new Map<string, number>();
    const tunnelPorts = new Map<string, number>();
    const physicalPorts = new Map<string, number>();
    for (const iface of this.interfaces(node, INTEGRATION_BRIDGE)) {
      const ofport = one<number>(iface.ofport);
      if (ofport === undefined || ofport <= 0) continue;
      const ifaceId = mapGet(iface.external_ids, 'iface-id');
      if (ifaceId) vmPorts.set(ifaceId, ofport);
      else if (mapGet(iface.external_ids, TUNNEL_MARK)) tunnelPorts.set(String(iface.name), ofport);
      else physicalPorts.set(String(iface.name), ofport); // an L2 gateway's NIC (br-int's own port too)
    }
    return { vmPorts, tunnelPorts, physicalPorts };
  }

  tunnels(node: string): TunnelRow[] {
    return this.memo(node, 'tunnels', () => this.readTunnels(node));
  }

  /** br-int's tunnel interfaces, as their OVSDB rows. */
  tunnelInterfaces(node: string): Row[] {
    return this.interfaces(node, INTEGRATION_BRIDGE).filter((i) => mapGet(i.external_ids, TUNNEL_MARK));
  }

  /** The interface on br-int that carries `external_ids:iface-id=<ifaceId>` (a VM), as its row. */
  vmInterface(node: string, ifaceId: string): Row | undefined {
    return this.interfaces(node, INTEGRATION_BRIDGE).find((i) => mapGet(i.external_ids, 'iface-id') === ifaceId);
  }

  private readTunnels(node: string): TunnelRow[] {
    return this.tunnelInterfaces(node).map((i) => ({
      uuid: i._uuid,
      name: String(i.name),
      type: String(i.type),
      remoteIp: mapGet(i.options, 'remote_ip') ?? '',
      remoteMac: mapGet(i.external_ids, 'nvlab-remote-mac'),
      bfd: new Map(i.bfd instanceof Map ? [...(i.bfd as OvsdbMap)].map(([k, v]) => [String(k), String(v)]) : []),
    }));
  }

  /**
   * Makes br-int's tunnel ports exactly `wanted`, in one transaction; other ports are left alone.
   * `holdCpathDown`: keep `bfd:cpath_down=true` where the node has it. A restarted service node
   * boots with it (image/nvlab-node) so hypervisors do not flood through it before it has flows;
   * the master clears it once they are installed.
   */
  async syncTunnels(node: string, wanted: readonly WantedTunnel[], options: { holdCpathDown?: boolean } = {}): Promise<boolean> {
    const view = this.views.get(node);
    const bridge = this.bridge(node, INTEGRATION_BRIDGE);
    if (!view || !bridge) return false;
    // The same wish against the same replica found nothing to do last time: nothing to do now.
    // A master passes the very same array while a node's tunnels stay as they are.
    const sameArray = this.memo(node, options.holdCpathDown === true ? 'syncedHeld' : 'synced', () => new WeakSet<object>());
    if (sameArray.has(wanted)) return false;
    const wish = `${options.holdCpathDown === true}|${wanted.map((w) => `${w.name} ${w.encap} ${w.remoteIp} ${w.remoteMac ?? ''} ${w.bfd === true}`).join('|')}`;
    if (this.memo(node, 'syncedTunnels', () => new Set<string>()).has(wish)) {
      sameArray.add(wanted);
      return false;
    }
    const have = new Map(this.tunnels(node).map((t) => [t.name, t]));
    const want = new Map(wanted.map((t) => [t.name, t]));
    // A tunnel is its encap and remote; its remote's MAC (learned later) is updated in place.
    const same = (t: TunnelRow, w: WantedTunnel) => t.type === w.encap && t.remoteIp === w.remoteIp;
    const stale = [...have.values()].filter((t) => !want.has(t.name) || !same(t, want.get(t.name)!));
    const fresh = [...want.values()].filter((w) => !have.has(w.name) || stale.some((t) => t.name === w.name));
    const relearned = [...have.values()].filter((t) => {
      const w = want.get(t.name);
      return w !== undefined && same(t, w) && w.remoteMac !== undefined && t.remoteMac !== w.remoteMac;
    });
    // BFD is switched on and off in place: recreating the tunnel would drop its traffic.
    const wantBfd = (w: WantedTunnel, t?: TunnelRow) => {
      if (!w.bfd) return new Map<string, string>();
      const held = options.holdCpathDown === true && t?.bfd.get('cpath_down') === 'true';
      return held ? new Map([...TUNNEL_BFD, ['cpath_down', 'true']]) : TUNNEL_BFD;
    };
    const rebfd = [...have.values()].filter((t) => {
      const w = want.get(t.name);
      return w !== undefined && same(t, w) && bfdKey(t.bfd) !== bfdKey(wantBfd(w, t));
    });
    if (stale.length === 0 && fresh.length === 0 && relearned.length === 0 && rebfd.length === 0) {
      this.memo(node, 'syncedTunnels', () => new Set<string>()).add(wish);
      sameArray.add(wanted);
      return false;
    }
    const ports = view.replica.rows('Port') as Row[];
    const staleUuids = stale.flatMap((t) => ports.filter((p) => p.name === t.name).map((p) => p._uuid));
    const ops = [
      ...relearned.map((t) =>
        // A map insert keeps an existing key's value: delete the key, then insert it anew.
        op.mutate('Interface', whereUuid(t.uuid), [
          ['external_ids', 'delete', ['nvlab-remote-mac']],
          ['external_ids', 'insert', new Map([['nvlab-remote-mac', want.get(t.name)!.remoteMac!]])],
        ]),
      ),
      ...rebfd.map((t) => op.update('Interface', whereUuid(t.uuid), { bfd: new Map(wantBfd(want.get(t.name)!, t)) })),
      ...(staleUuids.length ? [op.mutate('Bridge', whereUuid(bridge._uuid), [['ports', 'delete', staleUuids.map((u) => uuid(u))]])] : []),
      ...fresh.flatMap((t, i) => [
        op.insert(
          'Interface',
          {
            name: t.name,
            type: t.encap,
            options: new Map([
              ['remote_ip', t.remoteIp],
              ['key', 'flow'],
            ]),
            external_ids: new Map([[TUNNEL_MARK, 'true'], ...(t.remoteMac ? [['nvlab-remote-mac', t.remoteMac] as [string, string]] : [])]),
            ...(t.bfd ? { bfd: new Map(TUNNEL_BFD) } : {}),
          },
          `i${i}`,
        ),
        op.insert('Port', { name: t.name, interfaces: [namedUuid(`i${i}`)] }, `p${i}`),
      ]),
      ...(fresh.length
        ? [op.mutate('Bridge', whereUuid(bridge._uuid), [['ports', 'insert', fresh.map((_, i) => namedUuid(`p${i}`))]])]
        : []),
    ];
    await view.client.transact(DB, ops);
    return true;
  }

  /** What is read from a node's replica, computed once per snapshot of it: a member programs
   *  and checks a node many times between two changes of its OVSDB. Callers never mutate it. */
  private readonly memos = new Map<string, { snapshot: unknown; values: Map<string, unknown> }>();

  private memo<T>(node: string, what: string, read: () => T): T {
    const snapshot = this.views.get(node)?.replica.snapshot();
    let m = this.memos.get(node);
    if (!m || m.snapshot !== snapshot) this.memos.set(node, (m = { snapshot, values: new Map() }));
    if (!m.values.has(what)) m.values.set(what, read());
    return m.values.get(what) as T;
  }

  private bridge(node: string, name: string): Row | undefined {
    return this.views
      .get(node)
      ?.replica.rows('Bridge')
      .find((b) => b.name === name) as Row | undefined;
  }

  private interfaces(node: string, bridgeName: string): Row[] {
    const view = this.views.get(node);
    const bridge = this.bridge(node, bridgeName);
    if (!view || !bridge) return [];
    const snapshot = view.replica.snapshot();
    const uuidOf = (v: unknown) => (v instanceof Uuid ? v.uuid : String(v));
    const portUuids = (Array.isArray(bridge.ports) ? bridge.ports : [bridge.ports]).map(uuidOf);
    return portUuids.flatMap((p) => {
      const port = snapshot.get('Port', p) as Row | undefined;
      const ifaces = Array.isArray(port?.interfaces) ? port.interfaces : port ? [port.interfaces] : [];
      return ifaces.map((i) => snapshot.get('Interface', uuidOf(i)) as Row | undefined).filter((r): r is Row => r !== undefined);
    });
  }

  async close(): Promise<void> {
    for (const view of this.views.values()) view.client.close();
    await this.listener.close();
  }
}
