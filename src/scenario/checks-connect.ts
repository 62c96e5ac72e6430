// The `connect` check: a real TCP or UDP connection from a VM's namespace (or a host) to a
// listener the driver starts on the target for it, judged open, refused (a reset or an ICMP
// unreachable) or filtered (no answer within the attempt's bound). Security groups are checked
// this way: what a rule allows opens, what it rejects is refused, what it drops is filtered.

import { z } from 'zod';
import { intIn } from '../model/index.ts';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import { CONNECT_OUTCOMES, CONNECT_PROTOS, type ConnectResult } from './driver.ts';
import { durationSchema, formatDuration } from './duration.ts';
import { addressOf } from './lab-model.ts';
import { ACCEPT, PORT_OR_HOST, defineStep, nameRef } from './step-def.ts';

/** How long one attempt waits for an answer unless the step says. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
// Under 3 s: an ARP request nobody answers turns into a local "host unreachable" after 3 s, which
// would read as an ICMP error from the target when it is silence.
export const MAX_CONNECT_TIMEOUT_MS = 2500;
const MIN_CONNECT_TIMEOUT_MS = 100;

const TIMEOUT_EXPECTED = `a duration from ${formatDuration(MIN_CONNECT_TIMEOUT_MS)} to ${formatDuration(MAX_CONNECT_TIMEOUT_MS)}`;

export const ConnectSchema = z.strictObject(
  {
    from: nameRef(PORT_OR_HOST),
    to: nameRef(PORT_OR_HOST),
    proto: z.enum(CONNECT_PROTOS, { error: 'tcp or udp' }).optional(),
    port: intIn(1, 65535, 'a port'),
    expect: z.enum(CONNECT_OUTCOMES, { error: `${CONNECT_OUTCOMES.join(', ')}` }).optional(),
    listen: z.boolean({ error: 'true (the default: a listener on the target) or false' }).optional(),
    timeout: durationSchema.optional(),
    within: durationSchema.optional(),
  },
  { error: '{ from: PORT-OR-HOST, to: PORT-OR-HOST, proto?: tcp | udp, port: 1-65535, expect?: open | refused | filtered }' },
);
export type ConnectSpec = z.output<typeof ConnectSchema>;

const protoOf = (spec: ConnectSpec) => spec.proto ?? 'tcp';
const expectOf = (spec: ConnectSpec) => spec.expect ?? 'open';

/** `refused (RST) in 3 ms`, with what the listener and the driver saw. */
export function describeConnect(r: ConnectResult): string {
  const how = r.outcome === 'open' ? `open (${r.seen})` : r.outcome === 'refused' ? `refused (${r.seen})` : 'filtered (no answer)';
  const took = r.outcome === 'filtered' ? `within ${r.ms} ms` : `in ${r.ms} ms`;
  const parts = [`${how} ${took}`];
  if (r.listenerGot !== undefined && r.outcome !== 'open') {
    parts.push(r.listenerGot === 0 ? 'the listener got nothing' : `the listener got ${r.listenerGot}, its answer did not come back`);
  }
  return parts.join('; ');
}

export const connect = defineStep<ConnectSpec>({
  kind: 'connect',
  schema: ConnectSchema,
  budgetMs: DEFAULT_BUDGETS_MS.connect,
  title: (s) => `connect ${s.from} → ${s.to} ${protoOf(s)}/${s.port} (expect ${expectOf(s)})`,
  validate(spec, v) {
    v.name(['from'], spec.from, ACCEPT.portOrHost);
    if (spec.timeout !== undefined && (spec.timeout < MIN_CONNECT_TIMEOUT_MS || spec.timeout > MAX_CONNECT_TIMEOUT_MS))
      v.issue(['timeout'], `invalid value ${formatDuration(spec.timeout)}`, TIMEOUT_EXPECTED);
    if (v.name(['to'], spec.to, ACCEPT.portOrHost) && spec.to === spec.from)
      v.issue(['to'], `"${spec.to}" is the sender itself`, 'another port or host');
    if (spec.listen === false && spec.expect === undefined)
      v.issue(['expect'], 'missing key "expect": with listen: false nothing can accept', 'expect: refused or filtered');
    else if (spec.listen === false && expectOf(spec) === 'open')
      v.issue(['expect'], 'open cannot happen with listen: false: nothing listens on the target', 'refused or filtered');
  },
  check: (spec, ctx) => async () => {
    const proto = protoOf(spec);
    const ip = addressOf(ctx.model, spec.to) ?? spec.to;
    const mac = ctx.model.ports.get(spec.to)?.mac;
    const result = await ctx.driver.connect({
      from: spec.from,
      to: spec.to,
      ip,
      ...(mac ? { mac } : {}),
      proto,
      port: spec.port,
      listen: spec.listen ?? true,
      timeoutMs: spec.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    const want = expectOf(spec);
    // An answer from another port that has the address (tenants reuse them) says nothing of `to`.
    const other = result.otherMac ? `; answered by ${result.otherMac}, not ${spec.to}${mac ? ` (${mac})` : ''}` : '';
    const seen = `${proto} ${spec.to} (${ip}:${spec.port}) from ${spec.from}: ${describeConnect(result)}${other}`;
    const ok = result.outcome === want && result.otherMac === undefined;
    return { ok, message: ok ? seen : `${seen}; expected ${want}`, observed: result };
  },
  traceOnFailure: (spec) => ({ from: spec.from, to: spec.to, proto: `${protoOf(spec)}:${spec.port}` }),
});
