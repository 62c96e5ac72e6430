// Values a topology may leave out and that must still be the same on every run: derived by
// hashing names, so they survive reordering the file and need no state.

import { createHash } from 'node:crypto';
import type { Topology } from './schema.ts';
import { DEFAULT_ENCAP, DEFAULT_REPLICATION, type Encap, type Replication } from '../model/index.ts';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function macFrom(firstOctet: string, seed: string): string {
  const bytes = [...sha256(seed).subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'));
  return [firstOctet, ...bytes].join(':');
}

/** Default MAC of a port: locally administered (02:), stable for a switch and port name. */
export function portMac(switchName: string, portName: string): string {
  return macFrom('02', `${switchName}/${portName}`);
}

/** MAC of a router's interface on a switch; 0a: keeps router MACs apart from port MACs. */
export function routerInterfaceMac(routerName: string, switchName: string): string {
  return macFrom('0a', `router/${routerName}/${switchName}`);
}

export function routerUplinkMac(routerName: string): string {
  return macFrom('0a', `router/${routerName}/uplink`);
}

export const DEFAULT_CONTROLLERS = 3;
export const DEFAULT_UNDERLAY_MTU = 1600;
export const DEFAULT_MTU = 1500;
export const FIRST_AUTO_VNI = 5001;

export function defaultEncap(topology: Topology): Encap {
  return topology.defaults?.encap ?? DEFAULT_ENCAP;
}

export function defaultReplication(topology: Topology): Replication {
  return topology.defaults?.replication ?? DEFAULT_REPLICATION;
}

/** VNIs of every switch: explicit ones as given, the others the smallest free ones from 5001 up, in file order. */
export function allocateVnis(topology: Topology): Map<string, number> {
  const switches = Object.entries(topology['logical-switches'] ?? {});
  const taken = new Set<number>();
  for (const [, sw] of switches) if (sw.vni !== undefined) taken.add(sw.vni);
  const out = new Map<string, number>();
  let next = FIRST_AUTO_VNI;
  for (const [name, sw] of switches) {
    if (sw.vni !== undefined) {
      out.set(name, sw.vni);
      continue;
    }
    while (taken.has(next)) next++;
    taken.add(next);
    out.set(name, next);
  }
  return out;
}
