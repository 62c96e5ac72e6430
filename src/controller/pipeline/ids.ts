// How the pipeline's numbers are made from names and VNIs (the constants are in layout.ts): a
// flow's cookie and a group's id. Never allocated, so any controller member computes the same
// values and reconciliation can recognise what another member installed.
import { createHash } from 'node:crypto';
import { memoize } from '../../util/memo.ts';
import { GROUP_SLOTS, GroupKind, LAYOUT, SLOTTED_GROUP_KINDS, TRACE, type CookieKind, type StageLayout } from './layout.ts';

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

/** A distributed router's metadata in its tables (50, 51): above every VNI (24 bits), so no
 *  switch's flow ever matches it, and derived from its name. */
export const routerMetadata = (router: string): bigint => (1n << 32n) | BigInt(nameHash32(router));

/** Group id = kind (8 bits, GroupKind; plus the slot for a router's groups) | VNI or router index (24 bits). */
const groupId = (kind: number, low: number): number => (kind << 24) | low;

/** Kind 0: the VNI itself. */
export const floodLocalGroupId = (vni: number): number => vni;
export const floodAllGroupId = (vni: number): number => groupId(GroupKind.FLOOD_ALL, vni);
export const serviceFailoverGroupId = (vni: number): number => groupId(GroupKind.SERVICE_FAILOVER, vni);
export const replicateGroupId = (vni: number): number => groupId(GroupKind.REPLICATE, vni);
/** A local port's frames to router interface (slot, VNI): `fast_failover` over the router's gateways. */
export const routerFailoverGroupId = (vni: number, slot: number): number => groupId(GroupKind.ROUTER_FAILOVER + slot, vni);
/** On a standby gateway: into router interface (slot, VNI) only while every better gateway is down. */
export const routerPortGateGroupId = (vni: number, slot: number): number => groupId(GroupKind.ROUTER_PORT_GATE + slot, vni);
/** On a standby gateway: into / out of the uplink of the router with this index (routers by name). */
export const uplinkGateInGroupId = (router: number): number => groupId(GroupKind.UPLINK_GATE_IN, router);
export const uplinkGateOutGroupId = (router: number): number => groupId(GroupKind.UPLINK_GATE_OUT, router);

/** Every group kind a stage declares, with the slots of the slotted ones (0x00-0x03, 0x10-0x2f,
 *  0x30, 0x31). */
const OWNED_GROUP_KINDS = new Set(
  Object.values(LAYOUT as Record<string, StageLayout>)
    .flatMap((s) => Object.values(s.groups))
    .flatMap((k) => (SLOTTED_GROUP_KINDS.includes(k) ? Array.from({ length: GROUP_SLOTS }, (_, slot) => k + slot) : [k])),
);

/** Group ids this module owns (id 0 is no VNI); others are left alone by reconciliation. */
export function isPipelineGroup(id: number): boolean {
  if (!Number.isInteger(id) || id < 1 || id > 0xffffffff) return false;
  return OWNED_GROUP_KINDS.has(id >>> 24);
}

/** The cookie and mask that select every traceflow shadow flow (flow stats, a delete). */
export const TRACE_COOKIE = BigInt(TRACE.COOKIE_KIND) << 56n;
export const TRACE_COOKIE_MASK = 0xffn << 56n;

/** A shadow flow's cookie: the trace's kind, a trace number (24 bits) and the shadow's index. */
export function traceCookie(trace: number, index: number): bigint {
  return TRACE_COOKIE | (BigInt(trace & 0xffffff) << 32n) | BigInt(index >>> 0);
}

export const isTraceCookie = (c: bigint): boolean => (c & TRACE_COOKIE_MASK) === TRACE_COOKIE;

/** A shadow group's id: the trace kind and the shadow's index (24 bits). */
export const traceGroupId = (index: number): number => groupId(TRACE.GROUP_KIND, index & 0xffffff) >>> 0;

export const isTraceGroup = (id: number): boolean => id >>> 24 === TRACE.GROUP_KIND;
