// The switch's meters, as METER_MOD leaves them and METER_CONFIG reports them: Open vSwitch's
// userspace datapath knows drop bands only, at most 8 per meter, and reports a burst of 0 as
// the band's rate. Deleting a meter deletes the flows that use it (the datapath removes those).
import { Meter } from '../../openflow/constants.ts';
import type { MeterMod } from '../../openflow/messages.ts';
import type { MeterBand, MeterDesc, MeterFeatures } from '../../openflow/meter.ts';
import { Refused, type Refusal } from './refusal.ts';

export type MeterOutcome = { refusal: Refusal } | { deleted: number[] };

/** What ovs-vswitchd 3.1 (netdev) reports as its meter features. */
export const METER_FEATURES: MeterFeatures = { maxMeter: 262144, bandTypes: 1 << 1, capabilities: 0b1111, maxBands: 8, maxColor: 0 };

function checkBands(bands: readonly MeterBand[]): Refusal | undefined {
  if (bands.length > METER_FEATURES.maxBands) return Refused.OUT_OF_BANDS;
  for (const b of bands) {
    if (b.type !== 'drop') return Refused.BAD_BAND;
    if (b.rate === 0) return Refused.BAD_RATE;
  }
  return undefined;
}

export class MeterTable {
  private readonly meters = new Map<number, MeterDesc>();

  has(id: number): boolean {
    return this.meters.has(id);
  }

  get size(): number {
    return this.meters.size;
  }

  list(): MeterDesc[] {
    return [...this.meters.values()].sort((a, b) => a.meterId - b.meterId);
  }

  get(id: number): MeterDesc | undefined {
    return this.meters.get(id);
  }

  clear(): void {
    this.meters.clear();
  }

  apply(mod: MeterMod): MeterOutcome {
    const { meterId } = mod;
    if (mod.command === 'delete') {
      const deleted = meterId === Meter.ALL ? [...this.meters.keys()] : this.meters.has(meterId) ? [meterId] : [];
      for (const id of deleted) this.meters.delete(id);
      return { deleted };
    }
    if (meterId === 0 || meterId > Meter.MAX) return { refusal: Refused.INVALID_METER };
    const exists = this.meters.has(meterId);
    if (mod.command === 'add' && exists) return { refusal: Refused.METER_EXISTS };
    if (mod.command === 'modify' && !exists) return { refusal: Refused.UNKNOWN_METER };
    const refused = checkBands(mod.bands);
    if (refused) return { refusal: refused };
    const bands = mod.bands.map((b) => (b.burstSize === 0 ? { ...b, burstSize: b.rate } : b));
    this.meters.set(meterId, { meterId, flags: mod.flags, bands });
    return { deleted: [] };
  }
}
