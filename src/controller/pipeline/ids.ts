// Numbers of the br-int pipeline: tables, registers, priorities, cookies and group ids. Every
// one is derived from names and VNIs, never allocated, so any controller member computes the
// same values and reconciliation can recognise what another member installed.
import { createHash } from 'node:crypto';
import { memoize } from '../../util/memo.ts';

export const Table = { CLASSIFY: 0, L2: 10, FLOOD: 20, REPLICATE: 30, LEARNED: 40 } as const;
/** The tables this module owns: reconciliation deletes unknown flows here, and only here. Table
 *  40 (LEARNED) holds what an L2 gateway's `learn` action writes and is left to OVS. */
export const PIPELINE_TABLES: readonly number[] = [Table.CLASSIFY, Table.L2, Table.FLOOD, Table.REPLICATE];

/** reg6: where the packet entered br-int. */
export const From = { VM: 1, TUNNEL: 2 } as const;
/** reg7 bit 0, set by a learned flow of table 40: the destination MAC sits on the physical side. */
export const LEARNED_REG = 7;

export const Priority = {
  /** Table 10: a local port's frame to a router interface goes to the router's active gateway,
   *  even on a standby gateway where the interface is local. */
  ROUTER: 120,
  /** Table 10: a local VM's MAC wins over a (misconfigured) remote one with the same MAC. Table
   *  0: a router's uplink port towards another router's uplink on the same NIC. */
  LOCAL_UNICAST: 110,
  MATCH: 100,
  /** Table 10: broadcast, multicast and unknown unicast go on to flooding. */
  FLOOD: 10,
  MISS: 0,
} as const;

/** Kind of flow, the top byte of its cookie. */
export const CookieKind = {
  CLASSIFY_VM: 0x01,
  CLASSIFY_TUNNEL: 0x02,
  L2_LOCAL: 0x03,
  L2_REMOTE: 0x04,
  L2_FLOOD: 0x06,
  FLOOD_FROM_VM: 0x07,
  FLOOD_FROM_TUNNEL: 0x08,
  /** Service node: a tunnel's frame of a switch it serves, on to replication. */
  CLASSIFY_SERVED: 0x09,
  /** Service node: replicate to the switch's other nodes. */
  REPLICATE: 0x0a,
  /** L2 gateway: the physical NIC's frames of the bridged VLAN into the switch (and learn). */
  CLASSIFY_PHYSICAL: 0x0b,
  /** L2 gateway: a tunnel's frame, looked up among the learned physical MACs. */
  L2GW_FROM_TUNNEL: 0x0c,
  /** L2 gateway: to a learned physical MAC, out the NIC with the tag. */
  L2GW_TO_PHYSICAL: 0x0d,
  /** L2 gateway: flows its `learn` action writes into table 40. */
  L2GW_LEARNED: 0x0e,
  TABLE_MISS: 0x0f,
  /** Table 10: a local port's frame to a router interface, into the router's failover group. */
  ROUTER_UNICAST: 0x10,
  /** L3 gateway, table 0: the NIC's frame to a router's uplink MAC, (gated) into the uplink. */
  UPLINK_FROM_NIC: 0x11,
  /** L3 gateway, table 0: the NIC's broadcast and multicast, (gated) into every uplink on it. */
  UPLINK_NIC_FLOOD: 0x12,
  /** L3 gateway, table 0: the uplink's frames, (gated) out the NIC. */
  UPLINK_TO_NIC: 0x13,
  /** L3 gateway, table 0: an uplink's frame to another router's uplink on the same NIC. */
  UPLINK_HAIRPIN: 0x14,
  /** L3 gateway, table 0: an uplink's broadcast and multicast: the NIC and the other uplinks. */
  UPLINK_FLOOD: 0x15,
} as const;
export type CookieKind = (typeof CookieKind)[keyof typeof CookieKind];

/** 32 bits of SHA-256 of a name: the subject of a flow (logical port, tunnel). Remembered: every
 *  flow computed carries one. */
export const nameHash32: (name: string) => number = memoize((name) => createHash('sha256').update(name).digest().readUInt32BE(0));

/** Cookie = kind (8 bits) | VNI (24 bits) | subject (32 bits: hash of a name, or a number). */
export function cookie(kind: CookieKind, vni: number, subject: string | number = 0): bigint {
  const s = typeof subject === 'string' ? nameHash32(subject) : subject >>> 0;
  return (BigInt(kind) << 56n) | (BigInt(vni & 0xffffff) << 32n) | BigInt(s);
}

export function cookieKind(c: bigint): number {
  return Number(c >> 56n);
}

export function cookieVni(c: bigint): number {
  return Number((c >> 32n) & 0xffffffn);
}

/** Group ids: the VNI in the low 24 bits, the kind of group above it: 0 flood-local, 1
 *  flood-local-and-remote, 2 service-node failover (hypervisor), 3 replicate (service node),
 *  0x10 + slot router failover, 0x20 + slot router-port gate; the uplink gates carry the
 *  router's index instead of a VNI: 0x30 in, 0x31 out. The slot (a router's index among the
 *  switch's routers, by name) takes 4 bits: hence MAX_ROUTERS_PER_SWITCH (src/model). */
export const FLOOD_REMOTE_BIT = 0x01000000;
const SERVICE_FAILOVER_BASE = 0x02000000;
const REPLICATE_BASE = 0x03000000;
const ROUTER_FAILOVER_BASE = 0x10000000;
const ROUTER_PORT_GATE_BASE = 0x20000000;
const UPLINK_GATE_IN_BASE = 0x30000000;
const UPLINK_GATE_OUT_BASE = 0x31000000;
export const floodLocalGroupId = (vni: number): number => vni;
export const floodAllGroupId = (vni: number): number => FLOOD_REMOTE_BIT | vni;
export const serviceFailoverGroupId = (vni: number): number => SERVICE_FAILOVER_BASE | vni;
export const replicateGroupId = (vni: number): number => REPLICATE_BASE | vni;
/** A local port's frames to router interface (slot, VNI): `fast_failover` over the router's gateways. */
export const routerFailoverGroupId = (vni: number, slot: number): number => (ROUTER_FAILOVER_BASE + slot * 0x01000000) | vni;
/** On a standby gateway: into router interface (slot, VNI) only while every better gateway is down. */
export const routerPortGateGroupId = (vni: number, slot: number): number => (ROUTER_PORT_GATE_BASE + slot * 0x01000000) | vni;
/** On a standby gateway: into / out of the uplink of the router with this index (routers by name). */
export const uplinkGateInGroupId = (router: number): number => UPLINK_GATE_IN_BASE | router;
export const uplinkGateOutGroupId = (router: number): number => UPLINK_GATE_OUT_BASE | router;
/** Group ids this module owns (kinds 0x00-0x03, 0x10-0x2f, 0x30, 0x31; id 0 is no VNI); others
 *  are left alone by reconciliation. */
export function isPipelineGroup(id: number): boolean {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) return false;
  const kind = id >>> 24;
  return kind <= 0x03 || (kind >= 0x10 && kind <= 0x2f) || kind === 0x30 || kind === 0x31;
}
