import { describe, expect, it } from 'vitest';
import { formatDuration, formatElapsed, parseDuration } from './duration.ts';
import { describeAccept, suggest } from './names.ts';

describe('durations', () => {
  it('reads ms, s and m, with decimals', () => {
    expect(['500ms', '5s', '1.5s', '2m', '0s', '0.25m'].map(parseDuration)).toEqual([500, 5000, 1500, 120_000, 0, 15_000]);
  });

  it('rejects anything else', () => {
    expect(['5', '5 s', 's', '-1s', '1h', '5sec', '1e3ms', '', '2d', '1m30s', '2000m'].map(parseDuration)).toEqual(
      Array(11).fill(undefined),
    );
  });

  it('writes the shortest exact form and measured times for people', () => {
    expect([500, 5000, 1500, 120_000, 90_000, 1234].map(formatDuration)).toEqual(['500ms', '5s', '1.5s', '2m', '90s', '1234ms']);
    expect([412.4, 3240, 72_400].map(formatElapsed)).toEqual(['412ms', '3.2s', '1m 12s']);
  });
});

describe('names', () => {
  it('words what a step accepts', () => {
    expect(describeAccept({ kinds: ['port', 'host'], ip: true })).toBe('a port, host or IPv4 address');
    expect(describeAccept({ kinds: ['node'], roles: ['l3-gateway'] })).toBe('an l3-gateway');
    expect(describeAccept({ kinds: ['member', 'node', 'host'], masterOf: true })).toBe(
      'a controller member, transport node, host or master-of:NODE',
    );
  });

  it('suggests a close name, counting a swap as one edit', () => {
    expect(suggest('pign', ['ping', 'flood'])).toBe('ping');
    expect(suggest('web9', ['web1', 'app1'])).toBe('web1');
    expect(suggest('zzz', ['web1', 'app1'])).toBeUndefined();
  });
});
