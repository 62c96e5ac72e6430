// Connectivity checks: `ping`, `reach: all` and `flood` (copies counted per receiver and on the
// sender's underlay, which tells source-node replication from service-node replication).

import { z } from 'zod';
import { mapLimit } from '../util/pool.ts';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import { FRAME_KINDS, type FloodResult, type LabDriver } from './driver.ts';
import { durationSchema } from './duration.ts';
import { addressOf, reachPairs, type LabModel, type ReachPair } from './lab-model.ts';
import { ACCEPT, PORT_OR_HOST, TARGET, defineStep, nameList, nameRef, type ValidateContext } from './step-def.ts';
import { plural } from '../util/words.ts';

export const DEFAULT_PING_COUNT = 3;
/** Pings `reach: all` has in flight at once. */
export const REACH_CONCURRENCY = 4;

export const PingSchema = z.strictObject(
  {
    from: nameRef(PORT_OR_HOST),
    to: nameRef(TARGET),
    count: z
      .int({ error: 'a packet count from 1 to 100' })
      .min(1, { error: 'a packet count from 1 to 100' })
      .max(100, { error: 'a packet count from 1 to 100' })
      .optional(),
    expect: z.enum(['reply', 'fail'], { error: 'reply (the default) or fail' }).optional(),
    within: durationSchema.optional(),
  },
  { error: '{ from: PORT-OR-HOST, to: PORT, HOST OR IP, count?, expect?: fail }' },
);
export type PingSpec = z.output<typeof PingSchema>;

export const ReachSchema = z.literal('all', { error: 'all' });
export type ReachSpec = z.output<typeof ReachSchema>;

export const FloodSchema = z.strictObject(
  {
    from: nameRef(PORT_OR_HOST),
    frame: z.enum(FRAME_KINDS, { error: `a frame kind: ${FRAME_KINDS.join(', ')}` }).optional(),
    receivers: nameList('a port or host').optional(),
    not: nameList('a port or host').optional(),
    'copies-from-source': z.int({ error: 'a number of copies, 0 or more' }).min(0, { error: 'a number of copies, 0 or more' }).optional(),
    within: durationSchema.optional(),
  },
  { error: '{ from: PORT-OR-HOST, frame?, receivers?: [...], not?: [...], copies-from-source? }' },
);
export type FloodSpec = z.output<typeof FloodSchema>;

const copies = (n: number): string => (n === 0 ? 'none' : plural(n, 'copy', 'copies'));

async function pingOnce(driver: LabDriver, model: LabModel, from: string, to: string, count: number) {
  const ip = addressOf(model, to) ?? to;
  const mac = model.ports.get(to)?.mac;
  const result = await driver.ping({ from, to, ip, count, ...(mac ? { mac } : {}) });
  return { ip, result };
}

export const ping = defineStep<PingSpec>({
  kind: 'ping',
  schema: PingSchema,
  budgetMs: DEFAULT_BUDGETS_MS.ping,
  title: (s) => `ping ${s.from} → ${s.to}${s.expect === 'fail' ? ' (expect fail)' : ''}`,
  validate(spec, v) {
    v.name(['from'], spec.from, ACCEPT.portOrHost);
    if (v.name(['to'], spec.to, ACCEPT.target) && spec.to === spec.from)
      v.issue(['to'], `"${spec.to}" is the sender itself`, 'another port, host or address');
  },
  check: (spec, ctx) => async () => {
    const count = spec.count ?? DEFAULT_PING_COUNT;
    const { ip, result } = await pingOnce(ctx.driver, ctx.model, spec.from, spec.to, count);
    const target = ip === spec.to ? ip : `${spec.to} (${ip})`;
    const note = result.note ? ` (${result.note})` : '';
    const got = `${result.received} of ${result.sent} answered${note}`;
    if (spec.expect === 'fail') {
      // Nothing sent proves nothing about isolation.
      const ok = result.sent > 0 && result.received === 0;
      return {
        ok,
        message: ok ? `no reply to ${plural(result.sent, 'packet')}${note}` : `expected no reply from ${target}; ${got}`,
        observed: result,
      };
    }
    const ok = result.sent > 0 && result.received === result.sent;
    return {
      ok,
      message: ok ? `${result.received} of ${result.sent} answered` : `expected ${count} replies from ${target}; ${got}`,
      observed: result,
    };
  },
  traceOnFailure: (spec) => ({ from: spec.from, to: spec.to, proto: 'icmp' }),
});

const pairText = (p: ReachPair): string => `${p.from} → ${p.to}`;

export const reach = defineStep<ReachSpec>({
  kind: 'reach',
  schema: ReachSchema,
  budgetMs: DEFAULT_BUDGETS_MS.reach,
  title: () => 'reach all',
  // Each pair has to behave once; later attempts ping only the pairs that have not yet.
  check: (_spec, ctx) => {
    let pending: ReachPair[] | undefined;
    let all: { pairs: ReachPair[]; ambiguous: number } | undefined;
    return async () => {
      all ??= reachPairs(ctx.model);
      pending ??= all.pairs;
      const outcomes = await mapLimit(pending, REACH_CONCURRENCY, async (pair) => {
        try {
          const { result } = await pingOnce(ctx.driver, ctx.model, pair.from, pair.to, 1);
          const replied = result.received > 0;
          return { pair, ok: replied === pair.reach, seen: replied ? 'replied' : 'no reply' };
        } catch (error) {
          return { pair, ok: false, seen: `error: ${(error as Error).message}` };
        }
      });
      pending = outcomes.filter((o) => !o.ok).map((o) => o.pair);
      const reaching = all.pairs.filter((p) => p.reach).length;
      const isolated = all.pairs.length - reaching;
      const summary = `${plural(reaching, 'pair')} reaching, ${plural(isolated, 'pair')} isolated`;
      const skipped = all.ambiguous > 0 ? `; ${plural(all.ambiguous, 'pair')} not checked (the sender's switch uses the same address)` : '';
      const failures = outcomes.filter((o) => !o.ok);
      const observed = { pairs: all.pairs.length, failing: failures.map((o) => ({ ...o.pair, seen: o.seen })) };
      if (failures.length === 0) return { ok: true, message: `${summary}${skipped}`, observed };
      const listed = failures.slice(0, 8).map((o) => `${pairText(o.pair)} ${o.seen}${o.pair.reach ? '' : ' (should be isolated)'}`);
      if (failures.length > 8) listed.push(`and ${failures.length - 8} more`);
      return { ok: false, message: `expected ${summary}; ${listed.join('; ')}`, observed };
    };
  },
  traceOnFailure: (_spec, observed) => {
    const first = (observed as { failing?: ReachPair[] } | undefined)?.failing?.[0];
    return first ? { from: first.from, to: first.to, proto: 'icmp' } : undefined;
  },
});

/** Receivers and non-receivers a flood step checks: as written, or by default from the sender's switch. */
export function floodAudience(spec: FloodSpec, model: LabModel): { receivers: string[]; not: string[] } {
  const port = model.ports.get(spec.from);
  const others = [...model.ports.values()].filter((p) => p.name !== spec.from);
  return {
    receivers: spec.receivers ?? (port ? others.filter((p) => p.switch === port.switch).map((p) => p.name) : []),
    not: spec.not ?? (port && !spec.receivers ? others.filter((p) => p.switch !== port.switch).map((p) => p.name) : []),
  };
}

function validateFlood(spec: FloodSpec, v: ValidateContext): void {
  const fromOk = v.name(['from'], spec.from, ACCEPT.portOrHost);
  if (fromOk && spec.receivers === undefined && !v.model.ports.has(spec.from)) {
    v.issue(
      ['receivers'],
      `missing key "receivers": ${spec.from} is a host`,
      'the ports and hosts that get a copy (only a port sender has a default: its switch)',
    );
  }
  const seen = new Map<string, string>();
  for (const list of ['receivers', 'not'] as const) {
    (spec[list] ?? []).forEach((n, i) => {
      if (!v.name([list, i], n, ACCEPT.portOrHost)) return;
      if (n === spec.from) v.issue([list, i], `"${n}" is the sender`, 'other ports and hosts: a sender never gets its own frame back');
      else if (seen.has(n))
        v.issue([list, i], `"${n}" is already listed in ${seen.get(n)}`, 'each port or host once, in receivers or in not');
      else seen.set(n, list);
    });
  }
}

function judgeFlood(spec: FloodSpec, audience: { receivers: string[]; not: string[] }, r: FloodResult) {
  const got = (n: string): number => r.copies[n] ?? 0;
  const wrong: string[] = [];
  for (const n of audience.receivers) if (got(n) !== 1) wrong.push(`${n} got ${copies(got(n))}`);
  for (const n of audience.not) if (got(n) !== 0) wrong.push(`${n} got ${copies(got(n))}`);
  const want = spec['copies-from-source'];
  if (want !== undefined && r.fromSource !== want) wrong.push(`${copies(r.fromSource)} left the source node`);
  const parts = [`receivers ${audience.receivers.length > 0 ? audience.receivers.join(', ') : 'none'}`];
  if (audience.not.length > 0) parts.push(`none at ${audience.not.join(', ')}`);
  if (want !== undefined) parts.push(`${copies(want)} from the source`);
  if (wrong.length === 0) {
    const seen = `${plural(audience.receivers.length, 'receiver')} got one copy each, ${audience.not.length} others none; ${copies(r.fromSource)} from the source`;
    return { ok: true, message: seen, observed: r };
  }
  return { ok: false, message: `expected ${parts.join(', ')}; ${wrong.join(', ')}`, observed: r };
}

export const flood = defineStep<FloodSpec>({
  kind: 'flood',
  schema: FloodSchema,
  budgetMs: DEFAULT_BUDGETS_MS.flood,
  title: (s) => `flood ${s.frame ?? 'broadcast'} from ${s.from}`,
  validate: validateFlood,
  check: (spec, ctx) => async () => {
    const audience = floodAudience(spec, ctx.model);
    const frame = spec.frame ?? 'broadcast';
    const result = await ctx.driver.flood({ from: spec.from, frame, watch: [...audience.receivers, ...audience.not] });
    return judgeFlood(spec, audience, result);
  },
  // The first receiver that got no copy, or a copy too many; else (only the source's count was
  // off) the first receiver, to show the replication.
  traceOnFailure: (spec, observed, model) => {
    const r = observed as FloodResult | undefined;
    const audience = floodAudience(spec, model);
    const got = (n: string) => r?.copies[n] ?? 0;
    const to =
      audience.receivers.find((n) => got(n) !== 1) ?? audience.not.find((n) => got(n) !== 0) ?? audience.receivers[0] ?? audience.not[0];
    // The trace's name for an unknown-unicast frame is `unknown`.
    const frame = spec.frame === 'unknown-unicast' ? 'unknown' : (spec.frame ?? 'broadcast');
    return to ? { from: spec.from, to, proto: 'icmp', frame } : undefined;
  },
});
