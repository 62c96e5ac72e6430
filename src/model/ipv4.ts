// Small IPv4 helpers for subnets and addresses. Addresses are unsigned 32-bit numbers inside,
// dotted quads outside; a subnet is its network address and prefix length.

/** A subnet already taken outside a lab (another lab, a network of the host). */
export interface UsedSubnet {
  subnet: string;
  /** Who holds it, named in errors: e.g. a Docker network name. */
  owner: string;
}

export interface Cidr {
  /** Network address as an unsigned 32-bit number (host bits cleared). */
  network: number;
  prefixLength: number;
}

const QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Parses a dotted quad; undefined when it is not a plain IPv4 address (no leading zeros). */
export function parseIp(text: string): number | undefined {
  const m = QUAD.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** Parses `a.b.c.d/n`. With `strict`, host bits must be zero (192.168.1.0/24, not .5/24). */
export function parseCidr(text: string, strict = true): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const len = text.slice(slash + 1);
  if (ip === undefined || !/^(0|[1-9]\d?)$/.test(len)) return undefined;
  const prefixLength = Number(len);
  if (prefixLength > 32) return undefined;
  const network = (ip & maskOf(prefixLength)) >>> 0;
  if (strict && network !== ip) return undefined;
  return { network, prefixLength };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.network)}/${cidr.prefixLength}`;
}

export function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

export function broadcast(cidr: Cidr): number {
  return cidr.network + size(cidr) - 1;
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip <= broadcast(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= broadcast(b) && b.network <= broadcast(a);
}

/** Whether `ip` may be given to a host: inside the subnet, not its network or broadcast address. */
export function isUsableHost(cidr: Cidr, ip: number): boolean {
  if (!contains(cidr, ip)) return false;
  // /31 and /32 have no network or broadcast address (RFC 3021).
  if (cidr.prefixLength >= 31) return true;
  return ip !== cidr.network && ip !== broadcast(cidr);
}

/** The n-th address after the network address (n = 1 is the first host), or undefined past the last usable one. */
export function nthHost(cidr: Cidr, n: number): number | undefined {
  const ip = cidr.network + n;
  return n >= 0 && isUsableHost(cidr, ip) ? ip : undefined;
}

/** The highest usable host address. */
export function lastHost(cidr: Cidr): number {
  return cidr.prefixLength >= 31 ? broadcast(cidr) : broadcast(cidr) - 1;
}

/**
 * An interface address with its prefix length ("10.0.1.1/24"): the address and the length, or
 * undefined when it is not one. With 2 or more host bits, the all-zero and all-one host parts
 * name the subnet and its broadcast, not an interface.
 */
export function parseIfaceCidr(text: string): { ip: number; prefix: number } | undefined {
  const slash = text.indexOf('/');
  const ip = slash < 0 ? undefined : parseIp(text.slice(0, slash));
  const cidr = parseCidr(text, false);
  if (ip === undefined || !cidr || cidr.prefixLength < 1) return undefined;
  if (size(cidr) >= 4 && (ip === cidr.network || ip === broadcast(cidr))) return undefined;
  return { ip, prefix: cidr.prefixLength };
}
