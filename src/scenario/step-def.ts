// The shape every step kind registers: its schema (the single source of truth for its keys and
// types), its title, its cross-references to the lab, and how it runs. The parser and the runner
// are generic over these; each family of steps lives in its own file.

import { z } from 'zod';
import type { IssuePath } from '../topology/issues.ts';
import type { Clock } from './clock.ts';
import type { LabDriver, TrafficHandle, TrafficStats } from './driver.ts';
import type { LabModel } from './lab-model.ts';
import type { TraceRequest } from '../model/index.ts';
import type { Accept } from './names.ts';
import type { StepLocation, StepResult } from './results.ts';
import type { Step } from './steps.ts';

/** What a step kind's `validate` can use; paths are relative to the step's own value. */
export interface ValidateContext {
  /** The lab as it is when this step runs: the plan plus the changes of the steps before it. */
  readonly model: LabModel;
  /** Keys of the step the schema rejected (reported already): absent from the spec though written. */
  readonly dropped: ReadonlySet<string>;
  issue(path: IssuePath, message: string, expected?: string): void;
  /** Reports an issue at `path` unless `value` names what `accept` asks for; returns whether it did. */
  name(path: IssuePath, value: string, accept: Accept): boolean;
  /** Parses and validates nested steps (traffic's `during`). */
  steps(raw: readonly unknown[], path: IssuePath): Step[];
}

export interface RunContext {
  readonly driver: LabDriver;
  /** The lab as it is now. */
  readonly model: LabModel;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Runs nested steps; once one fails the rest are skipped and the scenario is failing. */
  runSteps(steps: readonly Step[]): Promise<StepResult[]>;
  /** Registers a traffic handle to be stopped if the scenario ends early; returns the unregister. */
  track(handle: TrafficHandle): () => void;
}

/** One try of a check. `message` says what was seen; on failure, also what was expected. */
export interface Attempt {
  ok: boolean;
  message: string;
  observed?: unknown;
}

export interface Outcome {
  ok: boolean;
  message?: string;
  observed?: unknown;
  traffic?: TrafficStats;
  steps?: StepResult[];
}

/** `S` is the spec a parsed step holds; `R` what the schema outputs, when `build` turns it into `S`. */
export interface StepDef<S, R = S> {
  /** Kind in results and reports: `ping`, `expect-master`, … */
  kind: string;
  /** The YAML key: `ping` (defineStep's default, the kind); for the `expect:` forms the key inside it (`master`) or its text (`tunnels-up`). */
  key: string;
  /** Lives under `expect:`. */
  underExpect?: boolean;
  schema: z.ZodType<R>;
  /** Finishes the spec from the schema's output (traffic parses its nested steps here). */
  build?(raw: R, v: ValidateContext): S;
  /** Checks only: the default budget, ms. */
  budgetMs?: number;
  title(spec: S): string;
  validate?(spec: S, v: ValidateContext): void;
  /** Actions that change the logical configuration: the lab after the step. */
  apply?(spec: S, model: LabModel): LabModel;
  /** Checks: makes the attempt function (it may keep state between attempts). */
  check?(spec: S, ctx: RunContext): () => Promise<Attempt>;
  /** Actions and traffic: runs once. */
  run?(spec: S, ctx: RunContext): Promise<Outcome>;
  /** Checks that failed for good: the packet to trace to show why (the failing pair), given
   *  what the last attempt observed; undefined: nothing to trace. */
  traceOnFailure?(spec: S, observed: unknown, model: LabModel): TraceRequest | undefined;
}

/** Infers a step's spec from its schema; `key` defaults to `kind`, as it is for all but the `expect:` forms. */
export function defineStep<S, R = S>(def: Omit<StepDef<S, R>, 'key'> & { key?: string }): StepDef<S, R> {
  return { ...def, key: def.key ?? def.kind };
}

/** A parsed step: its kind, its spec as the schema outputs it, its budget and where it is written. */
export interface StepOf<K extends string, S> {
  kind: K;
  spec: S;
  /** Checks: `within:` in ms; absent means the kind's default. */
  within?: number;
  at?: StepLocation;
}

// ---- schema pieces shared by the step families ----

/** A name the step refers to; whether it exists in the lab is checked after the schema. */
export const nameRef = (expected: string) => z.string({ error: expected }).min(1, { error: expected });
export const nameList = (expected: string) => z.array(nameRef(expected), { error: `a list of ${expected.replace(/^an? /, '')}s` });

export const PORT_OR_HOST = 'a port or host';
export const TARGET = 'a port, host or IPv4 address';
export const NODE_TARGET = 'a controller member, transport node, host or master-of:NODE';

/** Where a name is accepted, as names.ts checks it. */
export const ACCEPT = {
  portOrHost: { kinds: ['port', 'host'] },
  target: { kinds: ['port', 'host'], ip: true },
  node: { kinds: ['node'] },
  nodeOrHost: { kinds: ['node', 'host'] },
  hypervisor: { kinds: ['node'], roles: ['hypervisor'] },
  member: { kinds: ['member'] },
  nodeTarget: { kinds: ['member', 'node', 'host'], masterOf: true },
  execTarget: { kinds: ['port', 'host', 'node', 'member'] },
  port: { kinds: ['port'] },
  switch: { kinds: ['switch'] },
  router: { kinds: ['router'] },
} as const satisfies Record<string, Accept>;
