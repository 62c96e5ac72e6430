// Schemas of the values that topology files and the northbound API share. Each `error` is the
// "expected …" part of an issue: the topology loader adds file positions, the API a path.
import { z } from 'zod';
import { isIp, parseCidr, parseIfaceCidr } from './ipv4.ts';
import { isUnicastMac } from './mac.ts';
import {
  ENCAPS,
  MAX_VLAN,
  MAX_VNI,
  MIN_VLAN,
  MIN_VNI,
  NAME_PATTERN,
  RATE_UNITS,
  REPLICATIONS,
  ROLES,
  RULE_ACTIONS,
  RULE_DIRECTIONS,
  RULE_PROTOCOLS,
} from './vocabulary.ts';

/** An integer in [min, max], with one message for every way to miss it. */
export function intIn(min: number, max: number, what: string) {
  const expected = `${what} from ${min} to ${max}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

const NAME_EXPECTED = 'a name matching [a-z][a-z0-9-]{0,30}';
const IP_EXPECTED = 'an IPv4 address like 10.0.1.11';
const CIDR_EXPECTED = 'an IPv4 subnet like 10.0.1.0/24, host bits zero';
const IFACE_EXPECTED = 'an IPv4 address with its prefix length like 10.0.1.1/24, not the subnet or broadcast address';
const MAC_EXPECTED = 'a unicast MAC address like 02:00:00:00:01:13';
const NIC_EXPECTED = 'an interface name like eth2 (1 to 15 characters, no / or spaces)';

export const nameSchema = z.string({ error: NAME_EXPECTED }).regex(NAME_PATTERN, { error: NAME_EXPECTED });
export const ipv4Schema = z.string({ error: IP_EXPECTED }).refine(isIp, { error: IP_EXPECTED });
export const cidrSchema = z.string({ error: CIDR_EXPECTED }).refine((s) => parseCidr(s) !== undefined, { error: CIDR_EXPECTED });
/** An interface address: the address and the prefix length of its subnet. */
export const ifaceCidrSchema = z
  .string({ error: IFACE_EXPECTED })
  .refine((s) => parseIfaceCidr(s) !== undefined, { error: IFACE_EXPECTED });
// Lower-cased so that the store's (switch, mac) index sees one spelling per address; a group
// (multicast) MAC on a port would break flooding rules.
export const macSchema = z.string({ error: MAC_EXPECTED }).refine(isUnicastMac, { error: MAC_EXPECTED }).toLowerCase();
export const vniSchema = intIn(MIN_VNI, MAX_VNI, 'a VNI');
export const vlanSchema = intIn(MIN_VLAN, MAX_VLAN, 'a VLAN');
export const nicSchema = z.string({ error: NIC_EXPECTED }).regex(/^[A-Za-z0-9_.:-]{1,15}$/, { error: NIC_EXPECTED });
export const roleSchema = z.enum(ROLES, { error: `a role: ${ROLES.join(', ')}` });
export const encapSchema = z.enum(ENCAPS, { error: `an encap: ${ENCAPS.join(', ')}` });
export const replicationSchema = z.enum(REPLICATIONS, { error: `a replication mode: ${REPLICATIONS.join(', ')}` });

const PORTS_EXPECTED = 'a port from 1 to 65535, or a range like 8000-8080';
const REMOTE_EXPECTED = "a subnet like 10.0.0.0/8 (0.0.0.0/0: anywhere) or a security group's name";
const RATE_EXPECTED = 'a rate like 500kbit, 10mbit or 1gbit';

/** A rule's transport ports: one port (a number, or its digits) or a range `A-B`. */
export function parsePortRange(ports: number | string): { min: number; max: number } | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(ports));
  if (!m) return undefined;
  const [min, max] = [Number(m[1]), Number(m[2] ?? m[1])];
  return min >= 1 && max <= 65535 && min <= max ? { min, max } : undefined;
}

/** A rate in kbit/s (`10mbit` → 10000). */
export function parseRate(rate: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/.exec(rate);
  if (!m) return undefined;
  const kbps = Math.round(Number(m[1]) * RATE_UNITS[m[2] as keyof typeof RATE_UNITS]);
  return kbps >= 1 ? kbps : undefined;
}

/** A rule's ports in their one spelling: a number for one port, `A-B` for a range. */
export function formatPortRange(range: { min: number; max: number }): number | string {
  return range.min === range.max ? range.min : `${range.min}-${range.max}`;
}

/** Ports in one spelling (`"80"` and `"80-80"` are 80), so that a rule reads back as it was stored. */
export const portRangeSchema = z
  .union([z.int(), z.string()], { error: PORTS_EXPECTED })
  .refine((p) => parsePortRange(p) !== undefined, { error: PORTS_EXPECTED })
  .overwrite((p) => {
    const r = parsePortRange(p);
    return r === undefined ? p : formatPortRange(r);
  });
/** Whether a rule's remote (valid) names a security group rather than a subnet. */
export const isRemoteGroup = (remote: string): boolean => !remote.includes('/');

/** A rule's other end: a subnet, or the addresses of a group's ports. */
export const remoteSchema = z
  .string({ error: REMOTE_EXPECTED })
  .refine((s) => parseCidr(s) !== undefined || NAME_PATTERN.test(s), { error: REMOTE_EXPECTED });
export const rateSchema = z.string({ error: RATE_EXPECTED }).refine((s) => parseRate(s) !== undefined, { error: RATE_EXPECTED });
export const directionSchema = z.enum(RULE_DIRECTIONS, { error: `a direction: ${RULE_DIRECTIONS.join(', ')}` });
export const ruleProtocolSchema = z.enum(RULE_PROTOCOLS, { error: `a protocol: ${RULE_PROTOCOLS.join(', ')}` });
export const ruleActionSchema = z.enum(RULE_ACTIONS, { error: `an action: ${RULE_ACTIONS.join(', ')}` });
