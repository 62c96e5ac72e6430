// The `spoof` check: a VM sends frames with a forged source (an IPv4 address or a MAC that is not
// its port's) and the driver counts, by capture, how many got past the port: on the sender's
// node's underlay and at the other ports of its switch. Port security passes it (none). The same
// frames with the port's own addresses go out beside them as a control: when none of those is
// seen either, the count proves nothing and the check fails.

import { z } from 'zod';
import { intIn, ipv4Schema, macSchema } from '../model/index.ts';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import type { SpoofResult } from './driver.ts';
import { durationSchema } from './duration.ts';
import type { LabModel } from './lab-model.ts';
import { ACCEPT, defineStep, nameRef, type ValidateContext } from './step-def.ts';
import { plural } from '../util/words.ts';

/** Frames of each kind (ICMP echo request, ARP request) sent forged unless the step says. */
export const DEFAULT_SPOOF_COUNT = 5;
/** Kinds of frame sent per count: an ICMP echo request and an ARP request. */
export const SPOOF_KINDS = 2;
const LEAKED_EXPECTED = 'a number of frames, 0 or more';

export const SpoofSchema = z.strictObject(
  {
    from: nameRef('a port'),
    'src-ip': ipv4Schema.optional(),
    'src-mac': macSchema.optional(),
    to: nameRef('a port').optional(),
    count: intIn(1, 50, 'a number of frames').optional(),
    expect: z
      .strictObject(
        { leaked: z.int({ error: LEAKED_EXPECTED }).min(0, { error: LEAKED_EXPECTED }) },
        { error: '{ leaked: N }, the spoofed frames expected past the port' },
      )
      .optional(),
    within: durationSchema.optional(),
  },
  { error: '{ from: PORT, src-ip: ADDRESS or src-mac: MAC, to?: PORT, count?, expect?: { leaked: N } }' },
);
export type SpoofSpec = z.output<typeof SpoofSchema>;

const forgedText = (s: SpoofSpec): string => (s['src-ip'] !== undefined ? `src-ip ${s['src-ip']}` : `src-mac ${s['src-mac'] ?? '?'}`);

/** The other ports of the sender's switch that run somewhere now (whose node exists). */
function otherPorts(model: LabModel, from: string) {
  const port = model.ports.get(from);
  return [...model.ports.values()].filter((p) => port && p.name !== from && p.switch === port.switch && model.nodes.has(p.node));
}

/** Where the unicast frames go: as the step says, else another port of the switch, one on
 *  another node first (so the frames have to cross the underlay to get there). */
export function spoofTarget(spec: SpoofSpec, model: LabModel): string | undefined {
  if (spec.to !== undefined) return spec.to;
  const node = model.ports.get(spec.from)?.node;
  const others = otherPorts(model, spec.from);
  return (others.find((p) => p.node !== node) ?? others[0])?.name;
}

function validateSpoof(spec: SpoofSpec, v: ValidateContext): void {
  const fromOk = v.name(['from'], spec.from, ACCEPT.port);
  const ip = spec['src-ip'];
  const mac = spec['src-mac'];
  const own = v.model.ports.get(spec.from);
  // A source the schema rejected was written all the same: it is reported as bad, not as missing.
  const written = (key: 'src-ip' | 'src-mac') => spec[key] !== undefined || v.dropped.has(key);
  if (!written('src-ip') && !written('src-mac'))
    v.issue([], 'missing key "src-ip" or "src-mac"', 'the forged source: src-ip: ADDRESS or src-mac: MAC');
  else if (written('src-ip') && written('src-mac'))
    v.issue(
      [v.dropped.has('src-mac') ? 'src-ip' : 'src-mac'],
      'src-ip and src-mac in one step',
      'one forged source per step: src-ip or src-mac',
    );
  else if (fromOk && own && ip === own.ip)
    v.issue(['src-ip'], `${ip} is ${spec.from}'s own address`, `an address that is not ${spec.from}'s`);
  else if (fromOk && own?.mac !== undefined && mac === own.mac)
    v.issue(['src-mac'], `${mac} is ${spec.from}'s own MAC`, `a MAC that is not ${spec.from}'s`);
  if (spec.to !== undefined && v.name(['to'], spec.to, ACCEPT.port) && own) {
    const to = v.model.ports.get(spec.to);
    if (spec.to === spec.from) v.issue(['to'], `"${spec.to}" is the sender itself`, `another port of switch ${own.switch}`);
    else if (to && to.switch !== own.switch)
      v.issue(['to'], `"${spec.to}" is on switch ${to.switch}, not ${own.switch}`, `a port of ${spec.from}'s switch ${own.switch}`);
  }
  const sent = (spec.count ?? DEFAULT_SPOOF_COUNT) * SPOOF_KINDS;
  const leaked = spec.expect?.leaked;
  if (leaked !== undefined && leaked > sent)
    v.issue(['expect', 'leaked'], `${leaked} is more than the ${sent} spoofed frames sent`, `a number from 0 to ${sent}`);
}

/** Where the forged frames were seen, for people: `15 copies on hv1's underlay, web2 got 5`. */
function seenText(r: SpoofResult, node: string | undefined): string {
  const places = [];
  if (r.underlay > 0) places.push(`${plural(r.underlay, 'copy', 'copies')} on ${node ? `${node}'s` : 'the'} underlay`);
  for (const [port, n] of Object.entries(r.ports)) if (n > 0) places.push(`${port} got ${n}`);
  return places.length > 0 ? `: ${places.join(', ')}` : '';
}

export function judgeSpoof(spec: SpoofSpec, r: SpoofResult, node?: string) {
  const want = spec.expect?.leaked ?? 0;
  const left = `${r.leaked} of ${plural(r.sent, 'spoofed frame')} (${forgedText(spec)}) got past ${spec.from}${seenText(r, node)}`;
  const control = `${r.control.passed} of ${r.control.sent} legitimate ones did`;
  if (r.control.passed === 0) {
    const message = `${left}; none of ${plural(r.control.sent, 'legitimate frame')} was seen either, so the count proves nothing`;
    return { ok: false, message, observed: r };
  }
  if (r.leaked === want) return { ok: true, message: `${left}; ${control}`, observed: r };
  const expected = want === 0 ? 'no spoofed frame' : plural(want, 'spoofed frame');
  return { ok: false, message: `expected ${expected} past ${spec.from}; ${left}; ${control}`, observed: r };
}

export const spoof = defineStep<SpoofSpec>({
  kind: 'spoof',
  schema: SpoofSchema,
  budgetMs: DEFAULT_BUDGETS_MS.spoof,
  title: (s) => `spoof from ${s.from} (${forgedText(s)})`,
  validate: validateSpoof,
  check: (spec, ctx) => async () => {
    const to = spoofTarget(spec, ctx.model);
    const result = await ctx.driver.spoof({
      from: spec.from,
      ...(spec['src-ip'] !== undefined ? { srcIp: spec['src-ip'] } : {}),
      ...(spec['src-mac'] !== undefined ? { srcMac: spec['src-mac'] } : {}),
      ...(to !== undefined ? { to } : {}),
      count: spec.count ?? DEFAULT_SPOOF_COUNT,
      watch: otherPorts(ctx.model, spec.from).map((p) => p.name),
    });
    return judgeSpoof(spec, result, ctx.model.ports.get(spec.from)?.node);
  },
});
