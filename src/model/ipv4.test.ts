import { describe, expect, it } from 'vitest';
import {
  broadcast,
  contains,
  formatCidr,
  formatIp,
  isUsableHost,
  lastHost,
  nthHost,
  overlaps,
  parseCidr,
  parseIfaceCidr,
  parseIp,
} from './ipv4.ts';

describe('ipv4 helpers', () => {
  it('parses and formats addresses, rejecting near misses', () => {
    expect(formatIp(parseIp('10.0.1.11')!)).toBe('10.0.1.11');
    expect(parseIp('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.1', '10.0.1.256', '010.0.1.1', '10.0.1.011', '10.0.1.1 ', ' 10.0.1.1', '1.2.3.4.5', 'a.b.c.d', ''])
      expect(parseIp(bad)).toBeUndefined();
  });

  it('parses subnets, strictly by default', () => {
    expect(formatCidr(parseCidr('10.0.1.0/24')!)).toBe('10.0.1.0/24');
    expect(parseCidr('10.0.1.5/24')).toBeUndefined();
    expect(formatCidr(parseCidr('10.0.1.5/24', false)!)).toBe('10.0.1.0/24');
    for (const bad of ['10.0.1.0', '10.0.1.0/33', '10.0.1.0/024', '10.0.1.0/']) expect(parseCidr(bad)).toBeUndefined();
    expect(parseCidr('0.0.0.0/0')).toEqual({ network: 0, prefixLength: 0 });
  });

  it('answers containment, overlap and usable addresses', () => {
    const net = parseCidr('192.168.10.0/24')!;
    expect(contains(net, parseIp('192.168.10.77')!)).toBe(true);
    expect(contains(net, parseIp('192.168.11.0')!)).toBe(false);
    expect(formatIp(broadcast(net))).toBe('192.168.10.255');
    expect(formatIp(lastHost(net))).toBe('192.168.10.254');
    expect(isUsableHost(net, net.network)).toBe(false);
    expect(isUsableHost(net, broadcast(net))).toBe(false);
    expect(formatIp(nthHost(net, 1)!)).toBe('192.168.10.1');
    expect(nthHost(net, 255)).toBeUndefined();
    expect(overlaps(parseCidr('10.0.0.0/16')!, parseCidr('10.0.200.0/24')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/24')!, parseCidr('10.0.1.0/24')!)).toBe(false);
    // A /31 has no network or broadcast address.
    expect(isUsableHost(parseCidr('10.0.0.0/31')!, parseIp('10.0.0.0')!)).toBe(true);
  });
});

describe('interface addresses', () => {
  it('take an address with its prefix length, not the subnet or its broadcast', () => {
    expect(parseIfaceCidr('10.0.1.1/24')).toEqual({ ip: 0x0a000101, prefix: 24 });
    expect(parseIfaceCidr('10.0.1.0/31')).toEqual({ ip: 0x0a000100, prefix: 31 });
    expect(parseIfaceCidr('10.0.1.7/32')).toEqual({ ip: 0x0a000107, prefix: 32 });
    for (const bad of ['10.0.1.0/24', '10.0.1.255/24', '10.0.1.1', '10.0.1.1/0', '10.0.1.1/33', '10.0.1.1/24/1'])
      expect(parseIfaceCidr(bad)).toBeUndefined();
  });
});
