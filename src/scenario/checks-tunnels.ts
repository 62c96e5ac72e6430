// `expect: tunnels-up` and `expect: { tunnels: … }`: the tunnels transport nodes have, against
// the set the logical configuration needs (lab-model.ts) or the set the step names.

import { z } from 'zod';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import type { NodeTunnels } from './driver.ts';
import { durationSchema } from './duration.ts';
import { neededTunnels, type TunnelEnd } from './lab-model.ts';
import { ACCEPT, defineStep, nameList, nameRef } from './step-def.ts';
import { andList, plural } from '../util/words.ts';
import { ENCAPS } from '../model/index.ts';

const NODE = 'a transport node';
const encap = z.enum(ENCAPS, { error: `an encap: ${ENCAPS.join(', ')}` });

export const TunnelsUpSchema = z.literal('tunnels-up', { error: 'tunnels-up' });
export type TunnelsUpSpec = z.output<typeof TunnelsUpSchema>;

export const TunnelsSchema = z.strictObject(
  { on: nameRef(NODE), to: nameList(NODE), encap: encap.optional(), within: durationSchema.optional() },
  { error: '{ on: NODE, to: [NODE, ...], encap?: ENCAP }' },
);
export type TunnelsSpec = z.output<typeof TunnelsSchema>;

const end = (t: TunnelEnd): string => `${t.remote} (${t.encap})`;
const key = (t: TunnelEnd): string => `${t.remote}/${t.encap}`;
/** Problems beyond this many are counted, not listed. */
const MAX_LISTED = 8;

/** What is wrong on one node: needed tunnels that are missing or down, and tunnels nobody needs. */
export function tunnelProblems(need: readonly TunnelEnd[], seen: NodeTunnels): string[] {
  if (seen.error !== undefined) return [`cannot read its tunnels (${seen.error})`];
  const have = new Map(seen.tunnels.map((t) => [key(t), t]));
  const wanted = new Set(need.map(key));
  const missing = need.filter((t) => !have.has(key(t)));
  const down = need.filter((t) => have.get(key(t))?.up === false);
  const extra = seen.tunnels.filter((t) => !wanted.has(key(t)));
  const out: string[] = [];
  if (missing.length > 0) out.push(`missing ${missing.map(end).join(', ')}`);
  if (down.length > 0) out.push(`down ${down.map(end).join(', ')}`);
  if (extra.length > 0) out.push(`extra ${extra.map(end).join(', ')}`);
  return out;
}

export const tunnelsUp = defineStep<TunnelsUpSpec>({
  kind: 'expect-tunnels-up',
  key: 'tunnels-up',
  underExpect: true,
  schema: TunnelsUpSchema,
  budgetMs: DEFAULT_BUDGETS_MS['expect-tunnels-up'],
  title: () => 'tunnels up',
  check: (_spec, ctx) => async () => {
    const need = neededTunnels(ctx.model);
    const nodes = [...need.keys()];
    const seen = await ctx.driver.tunnels(nodes);
    const byNode = new Map(seen.map((s) => [s.node, s]));
    const total = [...need.values()].reduce((n, ends) => n + ends.length, 0);
    const problems: string[] = [];
    for (const node of nodes) {
      const found = byNode.get(node) ?? { node, error: 'the driver reported nothing', tunnels: [] };
      for (const p of tunnelProblems(need.get(node) ?? [], found)) problems.push(`${node}: ${p}`);
    }
    const observed = seen.map((s) => ({ node: s.node, ...(s.error ? { error: s.error } : {}), tunnels: s.tunnels }));
    const what = `${plural(total, 'tunnel')} on ${plural(nodes.length, 'transport node')}`;
    if (problems.length === 0) return { ok: true, message: what, observed };
    const listed = problems.slice(0, MAX_LISTED);
    if (problems.length > MAX_LISTED) listed.push(`and ${problems.length - MAX_LISTED} more`);
    return { ok: false, message: `expected exactly ${what}, all up; ${listed.join('; ')}`, observed };
  },
});

export const tunnelsOn = defineStep<TunnelsSpec>({
  kind: 'expect-tunnels',
  key: 'tunnels',
  underExpect: true,
  schema: TunnelsSchema,
  budgetMs: DEFAULT_BUDGETS_MS['expect-tunnels'],
  title: (s) => `tunnels on ${s.on} → ${s.to.length > 0 ? s.to.join(', ') : 'none'}${s.encap ? ` (${s.encap})` : ''}`,
  validate(spec, v) {
    v.name(['on'], spec.on, ACCEPT.node);
    spec.to.forEach((n, i) => {
      if (!v.name(['to', i], n, ACCEPT.node)) return;
      if (n === spec.on) v.issue(['to', i], `"${n}" is the node itself`, 'the remote ends of its tunnels');
      else if (spec.to.indexOf(n) !== i) v.issue(['to', i], `"${n}" is listed twice`, 'each remote node once');
    });
  },
  check: (spec, ctx) => async () => {
    const [seen] = await ctx.driver.tunnels([spec.on]);
    const expected = `expected ${spec.on} to have tunnels to ${spec.to.length > 0 ? andList(spec.to) : 'no node'}${spec.encap ? `, all ${spec.encap}` : ''}, all up`;
    if (!seen || seen.error !== undefined) {
      return { ok: false, message: `${expected}; cannot read its tunnels (${seen?.error ?? 'the driver reported nothing'})` };
    }
    const remotes = new Set(seen.tunnels.map((t) => t.remote));
    const problems: string[] = [];
    const missing = spec.to.filter((n) => !remotes.has(n));
    const extra = [...remotes].filter((n) => !spec.to.includes(n));
    const down = seen.tunnels.filter((t) => spec.to.includes(t.remote) && !t.up).map((t) => t.remote);
    const wrongEncap = spec.encap ? seen.tunnels.filter((t) => spec.to.includes(t.remote) && t.encap !== spec.encap) : [];
    if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
    if (extra.length > 0) problems.push(`extra ${extra.join(', ')}`);
    if (down.length > 0) problems.push(`down ${down.join(', ')}`);
    for (const t of wrongEncap) problems.push(`${t.remote} is ${t.encap}`);
    const observed = seen.tunnels;
    if (problems.length === 0) return { ok: true, message: plural(seen.tunnels.length, 'tunnel'), observed };
    return { ok: false, message: `${expected}; ${problems.join('; ')}`, observed };
  },
});
