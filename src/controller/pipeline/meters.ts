// The meters of a node's br-int: one per local port with QoS (stages/qos.ts), a drop band at its
// rate (kbit/s) and burst (kbit); and what to send so the switch holds exactly them. Meters
// must exist before a flow names them and go only once no flow does: adds and changes go before
// the flows, deletions after.
import { dropBand, meterMod, type MeterDesc } from '../../openflow/index.ts';
import type { NodeContext } from './stages/index.ts';
import { desiredMeters } from './stages/qos.ts';
import type { MeterModMsg } from './types.ts';

/** The meter-mods (add) of a node's meters; desiredFlows gives them as `meters`. */
export function meterMods(node: NodeContext): MeterModMsg[] {
  return desiredMeters(node).map((m) => meterMod({ meterId: m.meterId, bands: [dropBand(m.qos.rateKbps, m.qos.burstKbits)] }));
}

const bandsKey = (m: Pick<MeterDesc, 'flags' | 'bands'>) => JSON.stringify([m.flags, m.bands.map((b) => [b.type, b.rate, b.burstSize])]);

/** What brings the switch's meters (`actual`) to `desired`: adds and modifies first, deletes last. */
export function reconcileMeters(
  desired: readonly MeterModMsg[],
  actual: readonly MeterDesc[],
): { before: MeterModMsg[]; after: MeterModMsg[] } {
  const have = new Map(actual.map((m) => [m.meterId, m]));
  const wanted = new Set(desired.map((m) => m.meterId));
  const before = desired.flatMap((m): MeterModMsg[] => {
    const now = have.get(m.meterId);
    if (!now) return [m];
    return bandsKey(now) === bandsKey(m) ? [] : [{ ...m, command: 'modify' }];
  });
  const after = actual.filter((m) => !wanted.has(m.meterId)).map((m) => meterMod({ command: 'delete', meterId: m.meterId, flags: 0 }));
  return { before, after };
}
