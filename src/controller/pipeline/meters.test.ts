// A node's meters: one per local port with QoS, and what brings the switch's meters to them.
import { describe, expect, it } from 'vitest';
import { dropBand, meterMod, MeterFlags } from '../../openflow/index.ts';
import { desiredFlows } from './flows.ts';
import { reconcileMeters } from './meters.ts';
import { hv1Facts, securityLab } from './test-fixtures.ts';

const FLAGS = MeterFlags.KBPS | MeterFlags.BURST | MeterFlags.STATS;

describe('meters', () => {
  it('are one per local port with QoS: a drop band at its rate and burst, in kbit', () => {
    expect(desiredFlows(securityLab(), 'hv1', hv1Facts()).meters).toEqual([meterMod({ meterId: 1, bands: [dropBand(10_000, 1000)] })]);
    expect(desiredFlows(securityLab(), 'hv2', { vmPorts: new Map([['web-c', 4]]), tunnelPorts: new Map() }).meters).toBeUndefined();
  });

  it('are added or changed before the flows, and deleted after them', () => {
    const want = [meterMod({ meterId: 1, bands: [dropBand(10_000, 1000)] }), meterMod({ meterId: 2, bands: [dropBand(500, 50)] })];
    const have = [
      { meterId: 2, flags: FLAGS, bands: [dropBand(400, 40)] },
      { meterId: 7, flags: FLAGS, bands: [dropBand(1000, 100)] },
    ];
    const { before, after } = reconcileMeters(want, have);
    expect(before.map((m) => [m.command, m.meterId])).toEqual([
      ['add', 1],
      ['modify', 2],
    ]);
    expect(after.map((m) => [m.command, m.meterId])).toEqual([['delete', 7]]);
    expect(
      reconcileMeters(
        want,
        want.map(({ meterId, flags, bands }) => ({ meterId, flags, bands })),
      ),
    ).toEqual({ before: [], after: [] });
  });
});
