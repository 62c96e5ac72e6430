// Control-plane and free-form checks: `expect: { master: … }`, `expect: { active-gateway: … }`
// and `exec` (a command and what its exit code and output must be).

import { z } from 'zod';
import { DEFAULT_BUDGETS_MS } from './budgets.ts';
import { durationSchema } from './duration.ts';
import { ACCEPT, defineStep, nameRef, type Attempt } from './step-def.ts';

const MEMBER = 'a controller member (ctrl1 … ctrlN)';
const ANY = 'any';

export const MasterSchema = z.strictObject(
  {
    of: nameRef('a transport node'),
    is: nameRef(`${MEMBER} or any`).optional(),
    'is-not': nameRef(MEMBER).optional(),
    within: durationSchema.optional(),
  },
  { error: '{ of: NODE, is: MEMBER } or { of: NODE, is-not: MEMBER }' },
);
export type MasterSpec = z.output<typeof MasterSchema>;

export const ActiveGatewaySchema = z.strictObject(
  {
    router: nameRef('a logical router'),
    is: nameRef('an l3-gateway node of the router').optional(),
    'is-not': nameRef('an l3-gateway node of the router').optional(),
    within: durationSchema.optional(),
  },
  { error: '{ router: ROUTER, is: GATEWAY } or { router: ROUTER, is-not: GATEWAY }' },
);
export type ActiveGatewaySpec = z.output<typeof ActiveGatewaySchema>;

const EXIT = 'an exit code from 0 to 255';
export const ExecSchema = z.strictObject(
  {
    on: nameRef('a port, host, transport node or controller member'),
    cmd: z.string({ error: 'a shell command' }).min(1, { error: 'a shell command' }),
    expect: z
      .strictObject(
        {
          exit: z.int({ error: EXIT }).min(0, { error: EXIT }).max(255, { error: EXIT }).optional(),
          'stdout-contains': z.string({ error: 'a text' }).optional(),
        },
        { error: '{ exit?: CODE, stdout-contains?: TEXT }' },
      )
      .optional(),
    within: durationSchema.optional(),
  },
  { error: '{ on: NAME, cmd: COMMAND, expect?: { exit?, stdout-contains? } }' },
);
export type ExecSpec = z.output<typeof ExecSchema>;

const article = (word: string): string => (/^[aeiou]/.test(word) ? 'an' : 'a');

/** "who is X" checks share their wording: expected … ; seen … */
function judgeHolder(what: string, holder: string | undefined, is: string | undefined, isNot: string | undefined): Attempt {
  let ok = holder !== undefined;
  if (is !== undefined && is !== ANY) ok &&= holder === is;
  if (isNot !== undefined) ok &&= holder !== isNot;
  const seen = holder === undefined ? `there is none` : `${holder} is`;
  if (ok) return { ok, message: holder as string, observed: holder };
  const want =
    is !== undefined && is !== ANY
      ? `${is} as ${what}`
      : isNot !== undefined
        ? `${article(what)} ${what} other than ${isNot}`
        : `${article(what)} ${what}`;
  return { ok, message: `expected ${want}; ${seen}`, observed: holder ?? null };
}

export const master = defineStep<MasterSpec>({
  kind: 'expect-master',
  key: 'master',
  underExpect: true,
  schema: MasterSchema,
  budgetMs: DEFAULT_BUDGETS_MS['expect-master'],
  title: (s) =>
    `master of ${s.of}${s.is !== undefined ? (s.is === ANY ? ' exists' : ` is ${s.is}`) : ''}${s['is-not'] !== undefined ? ` is not ${s['is-not']}` : ''}`,
  validate(spec, v) {
    if (v.model.members.length === 0) {
      v.issue([], 'the lab has no built-in controller cluster to be master', 'a lab with controllers: 1, 3 or 5');
      return;
    }
    v.name(['of'], spec.of, ACCEPT.node);
    if (spec.is === undefined && spec['is-not'] === undefined)
      v.issue([], 'neither is nor is-not', 'is: MEMBER (or any) or is-not: MEMBER');
    if (spec.is !== undefined && spec.is !== ANY) v.name(['is'], spec.is, ACCEPT.member);
    if (spec['is-not'] !== undefined) v.name(['is-not'], spec['is-not'], ACCEPT.member);
  },
  check: (spec, ctx) => async () => judgeHolder(`master of ${spec.of}`, await ctx.driver.masterOf(spec.of), spec.is, spec['is-not']),
});

export const activeGateway = defineStep<ActiveGatewaySpec>({
  kind: 'expect-active-gateway',
  key: 'active-gateway',
  underExpect: true,
  schema: ActiveGatewaySchema,
  budgetMs: DEFAULT_BUDGETS_MS['expect-active-gateway'],
  title: (s) =>
    `active gateway of ${s.router}${s.is !== undefined ? ` is ${s.is}` : ''}${s['is-not'] !== undefined ? ` is not ${s['is-not']}` : ''}`,
  validate(spec, v) {
    if (!v.name(['router'], spec.router, ACCEPT.router)) return;
    const gateways = v.model.routers.get(spec.router)?.gateways ?? [];
    if (gateways.length === 0) {
      v.issue(['router'], `${spec.router} has no uplink, so no gateway`, 'a router with an uplink on l3 gateways');
      return;
    }
    if (spec.is === undefined && spec['is-not'] === undefined) v.issue([], 'neither is nor is-not', 'is: GATEWAY or is-not: GATEWAY');
    for (const key of ['is', 'is-not'] as const) {
      const gw = spec[key];
      if (gw !== undefined && !gateways.includes(gw))
        v.issue([key], `"${gw}" is not a gateway of ${spec.router}`, `one of ${gateways.join(', ')}`);
    }
  },
  check: (spec, ctx) => async () =>
    judgeHolder(
      `active gateway of ${spec.router}`,
      await ctx.driver.activeGateway(spec.router, ctx.model.routers.get(spec.router)?.gateways ?? []),
      spec.is,
      spec['is-not'],
    ),
});

/** A command's output as a message shows it: one line, at most 160 characters. */
export function snippet(text: string): string {
  const line = text.trim().replace(/\s*\n\s*/g, ' ⏎ ');
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 157)}…` : line);
}

export const exec = defineStep<ExecSpec>({
  kind: 'exec',
  schema: ExecSchema,
  budgetMs: DEFAULT_BUDGETS_MS.exec,
  title: (s) => `exec on ${s.on}: ${s.cmd.length > 40 ? `${s.cmd.slice(0, 39)}…` : s.cmd}`,
  validate(spec, v) {
    v.name(['on'], spec.on, ACCEPT.execTarget);
  },
  check: (spec, ctx) => async () => {
    const r = await ctx.driver.exec(spec.on, spec.cmd);
    const exit = spec.expect?.exit ?? 0;
    const contains = spec.expect?.['stdout-contains'];
    const ok = r.exitCode === exit && (contains === undefined || r.stdout.includes(contains));
    const observed = { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    if (ok) return { ok, message: `exit ${r.exitCode}`, observed };
    const want = `exit ${exit}${contains !== undefined ? ` and stdout containing ${JSON.stringify(contains)}` : ''}`;
    const seen = [`exit ${r.exitCode}`, `stdout ${snippet(r.stdout)}`];
    if (r.stderr.trim() !== '') seen.push(`stderr ${snippet(r.stderr)}`);
    return { ok, message: `expected ${want}; ${seen.join(', ')}`, observed };
  },
});
