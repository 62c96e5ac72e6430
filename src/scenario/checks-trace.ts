// The `trace` check: the operations tool's trace of one packet (injected where the lab runs),
// checked for where it went: delivered or dropped (and why), and the nodes it crossed in order.

import { z } from 'zod';
import {
  DROP_REASONS,
  pathNodes,
  summarizeTrace,
  TRACE_FRAMES,
  traceProtoSchema,
  type DropReason,
  type TraceResult,
} from '../model/index.ts';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import { durationSchema } from './duration.ts';
import { ACCEPT, PORT_OR_HOST, TARGET, defineStep, nameList, nameRef } from './step-def.ts';

const REASONS = Object.keys(DROP_REASONS) as [DropReason, ...DropReason[]];

const TraceExpectSchema = z
  .strictObject(
    {
      delivered: z.literal(true, { error: 'true' }).optional(),
      dropped: z.literal(true, { error: 'true' }).optional(),
      via: nameList('a transport node or host').optional(),
      reason: z.enum(REASONS, { error: `a drop reason: ${REASONS.join(', ')}` }).optional(),
    },
    { error: '{ delivered: true, via?: [NODE, ...] } or { dropped: true, reason?: REASON, via?: [...] }' },
  )
  .refine((e) => (e.delivered === true) !== (e.dropped === true), { error: 'either delivered: true or dropped: true' })
  .refine((e) => e.reason === undefined || e.dropped === true, { error: 'a reason goes with dropped: true' });

export const TraceSchema = z.strictObject(
  {
    from: nameRef(PORT_OR_HOST),
    to: nameRef(TARGET),
    proto: traceProtoSchema.optional(),
    frame: z.enum(TRACE_FRAMES, { error: `a frame kind: ${TRACE_FRAMES.join(', ')}` }).optional(),
    expect: TraceExpectSchema,
    within: durationSchema.optional(),
  },
  { error: '{ from: PORT-OR-HOST, to: PORT, HOST OR IP, proto?, frame?, expect: { delivered | dropped, via?, reason? } }' },
);
export type TraceSpec = z.output<typeof TraceSchema>;

/** Whether `want` stands in `nodes` in this order (other nodes may come between). */
function crosses(nodes: readonly string[], want: readonly string[]): boolean {
  let i = 0;
  for (const n of nodes) if (n === want[i]) i++;
  return i === want.length;
}

/** What is wrong with `trace` against what the step expects; empty: nothing. */
export function judgeTrace(spec: TraceSpec, trace: TraceResult): string[] {
  const wrong: string[] = [];
  const e = spec.expect;
  if (e.delivered && !trace.delivered) wrong.push('expected it delivered');
  if (e.dropped && trace.delivered) wrong.push('expected it dropped');
  if (e.reason && trace.reason !== e.reason) wrong.push(`expected the reason ${e.reason}, not ${trace.reason ?? 'none'}`);
  if (e.via && !crosses(pathNodes(trace), e.via)) wrong.push(`expected it through ${e.via.join(' → ')}`);
  return wrong;
}

export const trace = defineStep<TraceSpec>({
  kind: 'trace',
  schema: TraceSchema,
  budgetMs: DEFAULT_BUDGETS_MS.trace,
  title: (s) => {
    const what = [s.proto && s.proto !== 'icmp' ? s.proto : '', s.frame ?? ''].filter(Boolean).join(', ');
    return `trace ${s.from} → ${s.to}${what ? ` (${what})` : ''}`;
  },
  validate(spec, v) {
    v.name(['from'], spec.from, ACCEPT.portOrHost);
    v.name(['to'], spec.to, ACCEPT.target);
    (spec.expect.via ?? []).forEach((n, i) => v.name(['expect', 'via', i], n, ACCEPT.nodeOrHost));
  },
  check: (spec, ctx) => async () => {
    const driver = ctx.driver;
    if (!driver.trace) return { ok: false, message: 'this lab cannot trace packets' };
    const result = await driver.trace({
      from: spec.from,
      to: spec.to,
      proto: spec.proto ?? 'icmp',
      ...(spec.frame ? { frame: spec.frame } : {}),
    });
    const wrong = judgeTrace(spec, result);
    const seen = summarizeTrace(result);
    return { ok: wrong.length === 0, message: wrong.length === 0 ? seen : `${wrong.join('; ')}; ${seen}`, observed: result };
  },
});
