// What a node's ovs-vswitchd and its boot script (image/lib/ovs.sh, transport-node.sh) write into
// its database, simulated: the boot configuration (br-int and br-phy, system-id, the VMs'
// interfaces), and vswitchd's answer to every change: an OpenFlow port number for each new
// interface of a bridge, its link up, BFD's status on tunnels (a callback says whether the remote
// answers), and cur_cfg caught up with next_cfg.
import { mapDatum, mapValue, setDatum, type Atom, type Datum } from './datum.ts';
import type { Database, Transaction } from './database.ts';
import { makeRow, valueOf, type Row } from './rows.ts';
import type { TableInfo } from './schema.ts';
import { nextId } from './uuids.ts';

/** OpenFlow's number for a bridge's own (internal) port. */
export const LOCAL_OFPORT = 65534;
/** The highest number OVS gives a port by itself. */
const MAX_OFPORT = 65279;
export const TUNNEL_TYPES: ReadonlySet<string> = new Set(['geneve', 'vxlan', 'gre', 'stt', 'lisp', 'erspan', 'gtpu', 'bareudp']);

export interface VmPort {
  /** The logical port it is (external_ids:iface-id). */
  ifaceId: string;
  /** The interface's name on br-int. */
  name: string;
  /** The VM's MAC (external_ids:attached-mac). */
  mac: string;
  /** The Interface's type: "" (default) for a VM's veth or tap, "internal" for OVS's own. */
  type?: string;
}

export interface BootConfig {
  systemId: string;
  role: string;
  datapathId: bigint;
  underlayMac: string;
  underlayNic: string;
  vmPorts: readonly VmPort[];
  controllers: readonly string[];
  ovsVersion: string;
}

/** Builds row values with column names checked against the schema's. */
function row(table: TableInfo, values: Record<string, Datum>): Row {
  return makeRow(table, nextId(), values);
}

const map = (table: TableInfo, column: string, entries: [string, string][]) => mapDatum(table.byName.get(column)!, entries);
const set = (table: TableInfo, column: string, atoms: Atom[]) => setDatum(table.byName.get(column)!, atoms);

export const dpidText = (dpid: bigint) => dpid.toString(16).padStart(16, '0');

/** An interface and the port holding it, put in the transaction; the port's id. */
export function addPort(txn: Transaction, name: string, iface: Record<string, Datum>): number {
  const interfaces = txn.db.table('Interface');
  const ports = txn.db.table('Port');
  const i = row(interfaces, { name, ...iface });
  const p = row(ports, { name, interfaces: set(ports, 'interfaces', [i._id]) });
  txn.put('Interface', i);
  txn.put('Port', p);
  return p._id;
}

export function vmInterface(txn: Transaction, vm: VmPort): Record<string, Datum> {
  return {
    ...(vm.type ? { type: vm.type } : {}),
    external_ids: map(txn.db.table('Interface'), 'external_ids', [
      ['attached-mac', vm.mac],
      ['iface-id', vm.ifaceId],
      ['iface-status', 'active'],
    ]),
  };
}

/** The configuration a transport node boots with, in one transaction (as its ovs-vsctl init). */
export function boot(txn: Transaction, config: BootConfig): void {
  const { db } = txn;
  const bridges = db.table('Bridge');
  const internal = { type: 'internal' };
  const intPorts = [addPort(txn, 'br-int', internal), ...config.vmPorts.map((vm) => addPort(txn, vm.name, vmInterface(txn, vm)))];
  const phyPorts = [addPort(txn, 'br-phy', { ...internal, mac_in_use: config.underlayMac }), addPort(txn, config.underlayNic, {})];
  const controllers = config.controllers.map((target) => row(db.table('Controller'), { target, max_backoff: [1000] }));
  for (const c of controllers) txn.put('Controller', c);
  const brInt = row(bridges, {
    name: 'br-int',
    datapath_type: 'netdev',
    datapath_id: [dpidText(config.datapathId)],
    fail_mode: ['secure'],
    protocols: set(bridges, 'protocols', ['OpenFlow13']),
    other_config: map(bridges, 'other_config', [['disable-in-band', 'true']]),
    ports: set(bridges, 'ports', intPorts),
    controller: set(
      bridges,
      'controller',
      controllers.map((c) => c._id),
    ),
  });
  const brPhy = row(bridges, {
    name: 'br-phy',
    datapath_type: 'netdev',
    datapath_id: [`0000${config.underlayMac.replaceAll(':', '')}`],
    other_config: map(bridges, 'other_config', [
      ['disable-in-band', 'true'],
      ['hwaddr', config.underlayMac],
    ]),
    ports: set(bridges, 'ports', phyPorts),
  });
  txn.put('Bridge', brInt);
  txn.put('Bridge', brPhy);
  const root = db.table('Open_vSwitch');
  txn.put(
    'Open_vSwitch',
    row(root, {
      bridges: set(root, 'bridges', [brInt._id, brPhy._id]),
      external_ids: map(root, 'external_ids', [
        ['hostname', config.systemId],
        ['nvlab-role', config.role],
        ['system-id', config.systemId],
      ]),
      next_cfg: 1,
      cur_cfg: 0,
      ovs_version: [config.ovsVersion],
      db_version: [db.info.version],
    }),
  );
}

// Counters as ovs-vswitchd first writes them (no data plane here: they stay at zero), and where
// a tunnel's packets leave; the same value on every row, so they cost a reference each.
const zeros = (keys: string[]) => keys.map((k): [string, number] => [k, 0]);
const TUNNEL_COUNTERS = zeros(['rx_bytes', 'rx_packets', 'tx_bytes', 'tx_packets']);
const PORT_COUNTERS = zeros([
  'collisions',
  'rx_bytes',
  'rx_crc_err',
  'rx_dropped',
  'rx_errors',
  'rx_frame_err',
  'rx_missed_errors',
  'rx_multicast_packets',
  'rx_over_err',
  'rx_packets',
  'tx_bytes',
  'tx_dropped',
  'tx_errors',
  'tx_packets',
]);
const constants = new WeakMap<TableInfo, Record<'tunnelStatistics' | 'portStatistics' | 'tunnelStatus', Datum>>();
/** The Interface values every row of a kind starts with, made once per schema. */
function constant(t: TableInfo, what: 'tunnelStatistics' | 'portStatistics' | 'tunnelStatus'): Datum {
  let c = constants.get(t);
  if (!c) {
    const status: [string, string][] = [
      ['tunnel_egress_iface', 'br-phy'],
      ['tunnel_egress_iface_carrier', 'up'],
    ];
    c = {
      tunnelStatistics: mapDatum(t.byName.get('statistics')!, TUNNEL_COUNTERS),
      portStatistics: mapDatum(t.byName.get('statistics')!, PORT_COUNTERS),
      tunnelStatus: mapDatum(t.byName.get('status')!, status),
    };
    constants.set(t, c);
  }
  return c[what];
}

/** What BFD reports on a tunnel: up and forwarding when the remote answers, else down. */
export function bfdStatus(interfaces: TableInfo, old: Row, forwarding: boolean, cpathDown: boolean): Datum {
  const previous = valueOf(interfaces, old, 'bfd_status');
  const was = mapValue(previous, 'forwarding');
  const flaps = Number(mapValue(previous, 'flap_count') ?? 0) + (was !== undefined && (was === 'true') !== forwarding ? 1 : 0);
  const firstUp = was === undefined && forwarding ? 1 : 0;
  const diagnostic = cpathDown
    ? 'Concatenated Path Down'
    : !forwarding && was !== undefined
      ? 'Control Detection Time Expired'
      : 'No Diagnostic';
  return mapDatum(interfaces.byName.get('bfd_status')!, [
    ['diagnostic', diagnostic],
    ['flap_count', String(flaps + firstUp)],
    ['forwarding', String(forwarding)],
    ['remote_diagnostic', 'No Diagnostic'],
    ['remote_state', forwarding ? 'up' : 'down'],
    ['state', forwarding ? 'up' : 'down'],
  ]);
}

export interface Vswitchd {
  /** Whether BFD on a tunnel to `remoteIp` is forwarding. */
  bfdForwarding(remoteIp: string, tunnel: string): boolean;
  /** The next number to try for a new port of br-int (OVS does not reuse one at once). */
  cursor: number;
}

/** A bridge's interfaces (each with its port's id). */
export function bridgeInterfaces(db: Pick<Database, 'get'>, bridge: Row): Row[] {
  const out: Row[] = [];
  for (const p of (bridge.ports as readonly number[] | undefined) ?? []) {
    const port = db.get('Port', p);
    for (const i of (port?.interfaces as readonly number[] | undefined) ?? []) {
      const iface = db.get('Interface', i);
      if (iface) out.push(iface);
    }
  }
  return out;
}

/** vswitchd's reaction to the database as the transaction shows it; the ids of br-int
 *  interfaces it gave a port number. */
export function reconcile(txn: Transaction, vswitchd: Vswitchd): number[] {
  const interfaces = txn.db.table('Interface');
  const numbered: number[] = [];
  for (const bridge of txn.rows('Bridge')) {
    const ifaces = bridgeInterfaces(txn, bridge);
    const used = new Set(ifaces.map((i) => (i.ofport as readonly number[] | undefined)?.[0]).filter((n) => n !== undefined));
    const isInt = bridge.name === 'br-int';
    for (const iface of ifaces) {
      const changes: Record<string, Datum> = {};
      if (iface.ofport === undefined) {
        const ofport = iface.name === bridge.name ? LOCAL_OFPORT : allocate(used, iface, isInt ? vswitchd : undefined);
        used.add(ofport);
        changes.ofport = [ofport];
        if (isInt) numbered.push(iface._id);
      }
      if (iface.link_state === undefined) changes.link_state = ['up'];
      if (iface.admin_state === undefined) changes.admin_state = ['up'];
      const type = String(iface.type ?? '');
      const tunnel = TUNNEL_TYPES.has(type);
      if (iface.statistics === undefined) changes.statistics = constant(interfaces, tunnel ? 'tunnelStatistics' : 'portStatistics');
      if (tunnel && iface.status === undefined) changes.status = constant(interfaces, 'tunnelStatus');
      if (tunnel) {
        const bfd = iface.bfd;
        if (mapValue(bfd, 'enable') === 'true') {
          const remoteIp = String(mapValue(iface.options, 'remote_ip') ?? '');
          const forwarding = vswitchd.bfdForwarding(remoteIp, String(iface.name));
          changes.bfd_status = bfdStatus(interfaces, iface, forwarding, mapValue(bfd, 'cpath_down') === 'true');
        } else if (iface.bfd_status !== undefined) changes.bfd_status = interfaces.byName.get('bfd_status')!.empty;
      }
      txn.update(interfaces, iface, changes);
    }
  }
  const root = txn.db.table('Open_vSwitch');
  for (const r of txn.rows('Open_vSwitch')) if (r.cur_cfg !== r.next_cfg) txn.update(root, r, { cur_cfg: valueOf(root, r, 'next_cfg') });
  return numbered;
}

/** ofport_request when free, else the next never-used number from the cursor (or the lowest free). */
function allocate(used: Set<number>, iface: Row, vswitchd: Vswitchd | undefined): number {
  const requested = (iface.ofport_request as readonly number[] | undefined)?.[0];
  if (requested !== undefined && !used.has(requested)) return requested;
  let n = vswitchd ? vswitchd.cursor : 1;
  for (let tries = 0; tries < MAX_OFPORT; tries++, n = n >= MAX_OFPORT ? 1 : n + 1) {
    if (used.has(n)) continue;
    if (vswitchd) vswitchd.cursor = n >= MAX_OFPORT ? 1 : n + 1;
    return n;
  }
  throw new Error('no free OpenFlow port number');
}
