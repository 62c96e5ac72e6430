// `traffic`: continuous pings around nested steps; every lost packet is counted, and the step
// fails when more were lost than `max-loss` allows or when a nested step failed.

import { z } from 'zod';
import type { TrafficStats } from './driver.ts';
import { durationSchema, formatDuration, formatElapsed } from './duration.ts';
import { addressOf } from './lab-model.ts';
import type { StepResult } from './results.ts';
import { ACCEPT, PORT_OR_HOST, TARGET, defineStep, nameRef, type StepOf } from './step-def.ts';
import { plural } from '../util/words.ts';
import type { Step } from './steps.ts';

export const DEFAULT_TRAFFIC_INTERVAL_MS = 10;
const MIN_INTERVAL_MS = 1;
const MAX_LOSS = 'a number of packets (0 or more) or a percentage like 0.5%';

export const TrafficSchema = z.strictObject(
  {
    from: nameRef(PORT_OR_HOST),
    to: nameRef(TARGET),
    interval: durationSchema.optional(),
    'max-loss': z.union([z.int().min(0), z.string().regex(/^\d+(\.\d+)?%$/)], { error: MAX_LOSS }).optional(),
    during: z.array(z.unknown(), { error: 'a list of steps' }).min(1, { error: 'at least one step (sleep: 5s sends for five seconds)' }),
  },
  { error: '{ from: PORT-OR-HOST, to: PORT, HOST OR IP, interval?, max-loss?, during: [steps] }' },
);
type TrafficRaw = z.output<typeof TrafficSchema>;
export type TrafficSpec = Omit<TrafficRaw, 'during'> & { during: Step[] };
export type TrafficStep = StepOf<'traffic', TrafficSpec>;

/** Whether `lost` of `sent` is within `maxLoss` (packets, or "N%"). */
export function lossAllowed(stats: TrafficStats, maxLoss: number | string): boolean {
  if (typeof maxLoss === 'number') return stats.lost <= maxLoss;
  const percent = Number(maxLoss.slice(0, -1));
  return stats.sent === 0 ? stats.lost === 0 : (stats.lost / stats.sent) * 100 <= percent;
}

/** `lost 37 of 1200 packets in 1 outage of 370ms`. */
export function describeLoss(stats: TrafficStats): string {
  const base = `lost ${stats.lost} of ${plural(stats.sent, 'packet')}`;
  const outages = stats.outages?.filter((o) => o.lost > 0) ?? [];
  if (outages.length === 0) return base;
  const longest = Math.max(...outages.map((o) => o.ms));
  return outages.length === 1
    ? `${base} in 1 outage of ${formatElapsed(longest)}`
    : `${base} in ${outages.length} outages, the longest ${formatElapsed(longest)}`;
}

function firstFailed(steps: readonly StepResult[]): StepResult | undefined {
  for (const s of steps) {
    if (s.status !== 'failed') continue;
    return firstFailed(s.steps ?? []) ?? s;
  }
  return undefined;
}

export const traffic = defineStep<TrafficSpec, TrafficRaw>({
  kind: 'traffic',
  schema: TrafficSchema,
  title: (s) => `traffic ${s.from} → ${s.to} every ${formatDuration(s.interval ?? DEFAULT_TRAFFIC_INTERVAL_MS)}`,
  build: (raw, v) => ({ ...raw, during: v.steps(raw.during, ['during']) }),
  validate(spec, v) {
    v.name(['from'], spec.from, ACCEPT.portOrHost);
    if (v.name(['to'], spec.to, ACCEPT.target) && spec.to === spec.from)
      v.issue(['to'], `"${spec.to}" is the sender itself`, 'another port, host or address');
    if (spec.interval !== undefined && spec.interval < MIN_INTERVAL_MS) v.issue(['interval'], 'an interval of 0', 'at least 1ms');
  },
  async run(spec, ctx) {
    const ip = addressOf(ctx.model, spec.to) ?? spec.to;
    const mac = ctx.model.ports.get(spec.to)?.mac;
    const intervalMs = spec.interval ?? DEFAULT_TRAFFIC_INTERVAL_MS;
    const handle = await ctx.driver.startTraffic({ from: spec.from, to: spec.to, ip, intervalMs, ...(mac ? { mac } : {}) });
    const untrack = ctx.track(handle);
    // If the runner itself throws, the handle stays tracked and the scenario's cleanup stops it.
    const steps = await ctx.runSteps(spec.during);
    untrack();
    let stats: TrafficStats;
    try {
      stats = await handle.stop();
    } catch (error) {
      return { ok: false, message: `could not stop the traffic and count it: ${(error as Error).message}`, steps };
    }
    const maxLoss = spec['max-loss'] ?? 0;
    const loss = describeLoss(stats);
    const failed = firstFailed(steps);
    if (failed) return { ok: false, message: `step ${failed.id} failed; ${loss}`, traffic: stats, steps };
    if (stats.sent === 0) return { ok: false, message: 'expected pings to be sent; none was', traffic: stats, steps };
    if (!lossAllowed(stats, maxLoss)) {
      const max = typeof maxLoss === 'number' ? plural(maxLoss, 'packet') : maxLoss;
      return { ok: false, message: `expected at most ${max} lost; ${loss}`, traffic: stats, steps };
    }
    return { ok: true, message: loss, traffic: stats, steps };
  },
});
