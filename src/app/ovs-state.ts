// A transport node's Open vSwitch as `inspect` shows it: bridges, their interfaces and the
// iface-id bindings of VMs. Read with one ovs-vsctl call (three tables, one JSON document each).
import type { Runtime } from '../runtime/runtime.ts';
import { ENCAPS } from '../model/index.ts';

export interface OvsInterfaceState {
  name: string;
  type: string;
  ofport: number;
  mac: string;
  linkState: string;
  ifaceId?: string;
  options: Record<string, string>;
  /**
   * BFD where it is enabled on the interface: OVS's `bfd_status:state` (up, down, init,
   * admin_down) and `bfd_status:forwarding`, which is false while the session is up but the far
   * end says "concatenated path down" (a node holding itself back until its flows are in).
   * Forwarding is what OVS's port liveness, and so a fast_failover group, follows.
   */
  bfd?: { state: string; forwarding: boolean };
}

/** Interface types that are tunnels (ENCAPS of the topology). */
export const TUNNEL_TYPES: ReadonlySet<string> = new Set<string>(ENCAPS);

export interface OvsBridgeState {
  name: string;
  failMode: string;
  datapathType: string;
  interfaces: OvsInterfaceState[];
}

type OvsdbValue = unknown;
interface Table {
  headings: string[];
  data: OvsdbValue[][];
}

export const OVS_STATE_COMMAND = [
  'ovs-vsctl',
  '--timeout=5',
  '-f',
  'json',
  '-d',
  'json',
  '--columns=name,fail_mode,datapath_type,ports',
  'list',
  'Bridge',
  '--',
  '--columns=_uuid,interfaces',
  'list',
  'Port',
  '--',
  '--columns=_uuid,name,type,ofport,mac_in_use,link_state,external_ids,options,bfd,bfd_status',
  'list',
  'Interface',
];

function rows(table: Table): Record<string, OvsdbValue>[] {
  return table.data.map((row) => Object.fromEntries(table.headings.map((h, i) => [h, row[i]])));
}

/** OVSDB JSON: ["uuid", x], ["set", [...]], ["map", [[k, v], ...]] or a bare atom. */
function setOf(value: OvsdbValue): OvsdbValue[] {
  if (Array.isArray(value) && value[0] === 'set') return value[1] as OvsdbValue[];
  return [value];
}
function uuid(value: OvsdbValue): string {
  return Array.isArray(value) && value[0] === 'uuid' ? String(value[1]) : '';
}
function mapOf(value: OvsdbValue): Record<string, string> {
  if (Array.isArray(value) && value[0] === 'map') return Object.fromEntries(value[1] as [string, string][]);
  return {};
}
function scalar(value: OvsdbValue): string {
  return Array.isArray(value) && value[0] === 'set' ? '' : String(value);
}

function bfdOf(status: Record<string, string>): { state: string; forwarding: boolean } {
  return { state: status.state ?? 'unknown', forwarding: status.forwarding === 'true' };
}

export function parseOvsState(stdout: string): OvsBridgeState[] {
  const [bridges, ports, interfaces] = stdout
    .trim()
    .split('\n')
    .map((line) => rows(JSON.parse(line) as Table));
  if (!bridges || !ports || !interfaces) throw new Error('unexpected ovs-vsctl output');
  const interfaceByUuid = new Map(interfaces.map((i) => [uuid(i._uuid), i]));
  const portByUuid = new Map(ports.map((p) => [uuid(p._uuid), p]));
  return bridges.map((bridge) => ({
    name: String(bridge.name),
    failMode: scalar(bridge.fail_mode),
    datapathType: String(bridge.datapath_type),
    interfaces: setOf(bridge.ports)
      .flatMap((p) => setOf(portByUuid.get(uuid(p))?.interfaces))
      .flatMap((i) => {
        const row = interfaceByUuid.get(uuid(i));
        if (!row) return [];
        const ids = mapOf(row.external_ids);
        return [
          {
            name: String(row.name),
            type: String(row.type) || 'system',
            ofport: Number(scalar(row.ofport) || -1),
            mac: scalar(row.mac_in_use),
            linkState: scalar(row.link_state),
            ...(ids['iface-id'] ? { ifaceId: ids['iface-id'] } : {}),
            options: mapOf(row.options),
            ...(mapOf(row.bfd).enable === 'true' ? { bfd: bfdOf(mapOf(row.bfd_status)) } : {}),
          },
        ];
      })
      .sort((a, b) => a.ofport - b.ofport),
  }));
}

export async function readOvsState(runtime: Runtime, container: string): Promise<OvsBridgeState[]> {
  const result = await runtime.exec(container, OVS_STATE_COMMAND);
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `ovs-vsctl exited ${result.exitCode}`);
  return parseOvsState(result.stdout);
}
