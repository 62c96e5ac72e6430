// What the simulator's integration tests read from a member's southbound, in a form two nodes can
// be compared by: UUIDs as "U" (each database makes its own), OpenFlow port numbers as whether
// the interface has one, maps as sorted objects.
import type { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import { Uuid } from '../../../src/ovsdb/index.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

const IS_UUID = new RegExp(`^${UUID.source}$`);

/** Any JSON-ish value with every UUID as "U" and Maps as objects sorted by key; an object keyed
 *  by UUIDs (rows of a table-updates) becomes the list of its values, in a stable order. */
export function plain(value: unknown): unknown {
  if (value instanceof Uuid) return 'U';
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'string') return value.replace(UUID, 'U');
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([k]) => IS_UUID.test(k))) {
      return entries.map(([, v]) => plain(v)).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** An OpenFlow port number as what matters of it: the bridge's own port, or any number at all. */
export const numbered = (ofport: unknown): unknown => {
  const n = Array.isArray(ofport) ? ofport[0] : ofport;
  return n === 65534 ? 'LOCAL' : typeof n === 'number' && n > 0 ? 'numbered' : n;
};

const byName = (m: ReadonlyMap<string, number> | undefined) => Object.fromEntries([...(m ?? [])].map(([k, v]) => [k, numbered(v)]).sort());

/** What the member makes of the node: identity, ports, and br-int's interfaces as rows. */
export function observe(sessions: NodeSessions, node: string) {
  const facts = sessions.facts(node);
  const replica = sessions.view(node)!.replica;
  const root = replica.rows('Open_vSwitch')[0]!;
  return {
    datapathId: sessions.datapathId(node),
    underlayMac: sessions.underlayMac(node),
    externalIds: plain(root.external_ids),
    bridges: replica
      .rows('Bridge')
      .map((b) => String(b.name))
      .sort(),
    vmPorts: byName(facts.vmPorts),
    tunnelPorts: byName(facts.tunnelPorts),
    physicalPorts: byName(facts.physicalPorts),
    interfaces: replica
      .rows('Interface')
      .map((i) => ({
        name: i.name,
        type: i.type,
        ofport: numbered(i.ofport),
        external_ids: plain(i.external_ids),
        options: plain(i.options),
        bfd: plain(i.bfd),
        bfd_status: plain(i.bfd_status),
        link_state: i.link_state,
      }))
      .sort((a, b) => (String(a.name) < String(b.name) ? -1 : 1)),
  };
}

/** Sends one raw transact on the node's session: its result as sent, UUIDs as "U". */
export async function rawTransact(sessions: NodeSessions, node: string, ops: unknown[]): Promise<unknown> {
  return plain(await sessions.view(node)!.client.request('transact', ['Open_vSwitch', ...ops]));
}
