// The registry of step kinds, the type of a parsed step, and the type of a step as a file (or a
// TypeScript caller) writes it. Adding a kind: define it in its family file, list it here.

import type { z } from 'zod';
import { NODE_ACTIONS, addNode, addPort, link, migrate, removeNode, removePort, sleep } from './actions.ts';
import type { AddNodeSchema, AddPortSchema, LinkSchema, MigrateSchema } from './actions.ts';
import type {
  AddNodeSpec,
  AddPortSpec,
  LinkSpec,
  MigrateSpec,
  NodeTargetSpec,
  RemoveNodeSpec,
  RemovePortSpec,
  SleepSpec,
} from './actions.ts';
import { activeGateway, exec, master, type ActiveGatewaySpec, type ExecSpec, type MasterSpec } from './checks-control.ts';
import type { ActiveGatewaySchema, ExecSchema, MasterSchema } from './checks-control.ts';
import { flood, ping, reach, type FloodSpec, type PingSpec, type ReachSpec } from './checks-reach.ts';
import type { FloodSchema, PingSchema } from './checks-reach.ts';
import { tunnelsOn, tunnelsUp, type TunnelsSpec, type TunnelsUpSpec } from './checks-tunnels.ts';
import { trace, type TraceSchema, type TraceSpec } from './checks-trace.ts';
import { connect, type ConnectSchema, type ConnectSpec } from './checks-connect.ts';
import { spoof, type SpoofSchema, type SpoofSpec } from './checks-spoof.ts';
import type { TunnelsSchema } from './checks-tunnels.ts';
import type { NodeAction } from './driver.ts';
import type { StepDef, StepOf } from './step-def.ts';
import { traffic, type TrafficSchema, type TrafficStep } from './traffic.ts';

/** A step as parsed and validated: what the runner runs. */
export type Step =
  | StepOf<'expect-tunnels-up', TunnelsUpSpec>
  | StepOf<'expect-tunnels', TunnelsSpec>
  | StepOf<'ping', PingSpec>
  | StepOf<'reach', ReachSpec>
  | StepOf<'flood', FloodSpec>
  | StepOf<'expect-master', MasterSpec>
  | StepOf<'expect-active-gateway', ActiveGatewaySpec>
  | StepOf<'exec', ExecSpec>
  | StepOf<'trace', TraceSpec>
  | StepOf<'connect', ConnectSpec>
  | StepOf<'spoof', SpoofSpec>
  | StepOf<NodeAction, NodeTargetSpec>
  | StepOf<'link', LinkSpec>
  | StepOf<'add-port', AddPortSpec>
  | StepOf<'remove-port', RemovePortSpec>
  | StepOf<'migrate', MigrateSpec>
  | StepOf<'add-node', AddNodeSpec>
  | StepOf<'remove-node', RemoveNodeSpec>
  | StepOf<'sleep', SleepSpec>
  | TrafficStep;

export type StepKind = Step['kind'];

type AnyDef = StepDef<unknown, unknown>;

export const STEP_DEFS: readonly AnyDef[] = [
  tunnelsUp,
  tunnelsOn,
  ping,
  reach,
  flood,
  master,
  activeGateway,
  exec,
  trace,
  connect,
  spoof,
  ...NODE_ACTIONS,
  link,
  addPort,
  removePort,
  migrate,
  addNode,
  removeNode,
  sleep,
  traffic,
];

const BY_KIND = new Map(STEP_DEFS.map((d) => [d.kind, d]));

/** Step names a list item may start with (`expect` covers the forms under it). */
export const STEP_KEYS: readonly string[] = ['expect', ...STEP_DEFS.filter((d) => !d.underExpect).map((d) => d.key)];
export const TOP_LEVEL_DEFS: ReadonlyMap<string, AnyDef> = new Map(STEP_DEFS.filter((d) => !d.underExpect).map((d) => [d.key, d]));
/** The forms under `expect:`: `tunnels-up` (a text) and the keys of its mappings. */
export const EXPECT_DEFS: ReadonlyMap<string, AnyDef> = new Map(STEP_DEFS.filter((d) => d.underExpect).map((d) => [d.key, d]));

export function defOf(kind: StepKind): AnyDef {
  const def = BY_KIND.get(kind);
  if (!def) throw new Error(`no step kind ${kind}`);
  return def;
}

/** The short line reports show for a step: `ping web1 → web2`. */
export function titleOf(step: Step): string {
  return defOf(step.kind).title(step.spec);
}

/** A check's budget: its `within:`, else its kind's default; undefined for actions. */
export function budgetOf(step: Step): number | undefined {
  const def = defOf(step.kind);
  return def.budgetMs === undefined ? undefined : (step.within ?? def.budgetMs);
}

// ---- a step as written: what a topology file holds, and what the TypeScript API accepts ----

type Within = { within?: string };
type ExpectInput =
  | 'tunnels-up'
  | ({ tunnels: z.input<typeof TunnelsSchema> } & Within)
  | ({ master: z.input<typeof MasterSchema> } & Within)
  | ({ 'active-gateway': z.input<typeof ActiveGatewaySchema> } & Within);

export type StepInput =
  | ({ expect: ExpectInput } & Within)
  | ({ ping: z.input<typeof PingSchema> } & Within)
  | ({ reach: 'all' } & Within)
  | ({ flood: z.input<typeof FloodSchema> } & Within)
  | ({ exec: z.input<typeof ExecSchema> } & Within)
  | ({ trace: z.input<typeof TraceSchema> } & Within)
  | ({ connect: z.input<typeof ConnectSchema> } & Within)
  | ({ spoof: z.input<typeof SpoofSchema> } & Within)
  | { [A in NodeAction]: { [K in A]: string } }[NodeAction]
  | { link: z.input<typeof LinkSchema> }
  | { 'add-port': z.input<typeof AddPortSchema> }
  | { 'remove-port': string }
  | { migrate: z.input<typeof MigrateSchema> }
  | { 'add-node': z.input<typeof AddNodeSchema> }
  | { 'remove-node': string }
  | { sleep: string }
  | { traffic: Omit<z.input<typeof TrafficSchema>, 'during'> & { during: StepInput[] } };
