// A node's tunnels as the status API shows them, from their OVSDB Interface rows (type, options,
// link_state, bfd_status, statistics) and, where the switch answered, its OpenFlow port counters
// (live, where OVSDB's statistics are refreshed by ovs-vswitchd every few seconds). Pure.
import type { PortStats } from '../../openflow/index.ts';
import type { BfdStatus, Counters, TunnelStatus } from '../../model/index.ts';

/** An Interface row as the node's replica holds it (maps as Map, empty optionals as []). */
export type InterfaceRow = Record<string, unknown>;

/** OVS's "not counted" value of a 64-bit counter. */
const NOT_COUNTED = 0xffffffffffffffffn;

/** A map column as plain strings by key. */
export function stringMap(value: unknown): Map<string, string> {
  return value instanceof Map ? new Map([...value].map(([k, v]) => [String(k), String(v)])) : new Map();
}

/** An optional (0..1) column's value, undefined when empty. */
export function optional<T>(value: unknown): T | undefined {
  return Array.isArray(value) ? (value[0] as T | undefined) : (value as T | undefined);
}

/** BFD as `bfd_status` reports it; undefined where BFD does not run (the column is empty). */
export function bfdStatus(status: ReadonlyMap<string, string>): BfdStatus | undefined {
  const state = status.get('state');
  if (state === undefined) return undefined;
  const flaps = Number(status.get('flap_count'));
  const diagnostic = status.get('diagnostic');
  return {
    state,
    forwarding: status.get('forwarding') === 'true',
    ...(status.has('remote_state') ? { remoteState: status.get('remote_state')! } : {}),
    ...(diagnostic && diagnostic !== 'No Diagnostic' ? { diagnostic } : {}),
    ...(Number.isInteger(flaps) ? { flaps } : {}),
  };
}

/** One way's counters from the `statistics` column (rx_packets, rx_bytes, ...); undefined when
 *  it holds neither packets nor bytes that way. */
export function ovsdbCounters(statistics: ReadonlyMap<string, string>, way: 'rx' | 'tx'): Counters | undefined {
  const get = (key: string) => (statistics.has(`${way}_${key}`) ? Number(statistics.get(`${way}_${key}`)) : undefined);
  const packets = get('packets');
  const bytes = get('bytes');
  if (packets === undefined || bytes === undefined) return undefined;
  const dropped = get('dropped');
  const errors = get('errors');
  return { packets, bytes, ...(dropped !== undefined ? { dropped } : {}), ...(errors !== undefined ? { errors } : {}) };
}

const counted = (v: bigint): number | undefined => (v === NOT_COUNTED ? undefined : Number(v));

/** One way's counters from an OpenFlow port statistics entry. */
export function portCounters(stats: PortStats, way: 'rx' | 'tx'): Counters | undefined {
  const [packets, bytes, dropped, errors] = (
    way === 'rx'
      ? [stats.rxPackets, stats.rxBytes, stats.rxDropped, stats.rxErrors]
      : [stats.txPackets, stats.txBytes, stats.txDropped, stats.txErrors]
  ).map(counted);
  if (packets === undefined || bytes === undefined) return undefined;
  return { packets, bytes, ...(dropped !== undefined ? { dropped } : {}), ...(errors !== undefined ? { errors } : {}) };
}

/**
 * The status of each tunnel row, by interface name. `remoteOf` names the node of an underlay IP;
 * `portStats` (by OpenFlow port number), where given, counts instead of the OVSDB statistics.
 */
export function tunnelStatuses(
  rows: readonly InterfaceRow[],
  remoteOf: (ip: string) => string | undefined,
  portStats?: ReadonlyMap<number, PortStats>,
): TunnelStatus[] {
  return rows
    .map((row): TunnelStatus => {
      const options = stringMap(row.options);
      const remoteIp = options.get('remote_ip') ?? '';
      const remote = remoteOf(remoteIp);
      const key = options.get('key');
      const ofport = optional<number>(row.ofport);
      const link = optional<string>(row.link_state);
      const bfd = bfdStatus(stringMap(row.bfd_status));
      const live = ofport !== undefined && ofport > 0 ? portStats?.get(ofport) : undefined;
      const statistics = stringMap(row.statistics);
      const rx = live ? portCounters(live, 'rx') : ovsdbCounters(statistics, 'rx');
      const tx = live ? portCounters(live, 'tx') : ovsdbCounters(statistics, 'tx');
      return {
        interface: String(row.name),
        ...(remote !== undefined ? { remote } : {}),
        remoteIp,
        encap: String(row.type),
        ...(key !== undefined ? { key } : {}),
        ...(ofport !== undefined && ofport > 0 ? { ofport } : {}),
        ...(link === 'up' || link === 'down' ? { link } : {}),
        ...(bfd ? { bfd } : {}),
        ...(rx ? { rx } : {}),
        ...(tx ? { tx } : {}),
      };
    })
    .sort((a, b) => (a.interface < b.interface ? -1 : a.interface > b.interface ? 1 : 0));
}
