// Injected traceflows in the store: how the members coordinate one (src/controller/traceflow/
// agent.ts, docs/controller.md "Traceflows"). A `Traceflow` row holds the request, its state and,
// once done, its result; the member that masters the source node marks it injected. Each member
// writes one `Traceflow_Report` row per trace: armed (the nodes it armed, those it found
// disconnected), then observed (the passes it read). Results and passes are JSON.
import { op, type Condition } from '../../ovsdb/index.ts';
import { TraceRequestSchema, type TracePass, type TracePath, type TraceRequest, type TraceflowState } from '../../model/index.ts';
import type { Committer } from './committer.ts';
import type { Snapshot } from './description.ts';
import { ConflictError } from './errors.ts';
import type { NvStoreTables } from './rows.ts';
import { Txn } from './txn.ts';

export interface TraceflowResult {
  path?: TracePath;
  passes?: TracePass[];
  /** Failed: why. */
  error?: string;
}

export interface TraceflowRecord {
  id: string;
  /** The member that answered the request (it assembles the result while it lives). */
  member: string;
  request: TraceRequest;
  /** ms since the epoch. */
  created: number;
  state: TraceflowState;
  /** When the packet was sent, or why it was not. */
  injected?: number;
  injectError?: InjectError;
  result?: TraceflowResult;
  finished?: number;
}

/** Why a trace's packet was not sent: its source port is not plugged in (a finding, the trace
 *  completes), or not every node could be armed in time (the trace fails). */
export interface InjectError {
  kind: 'not-plugged' | 'not-armed';
  detail: string;
}

export type ReportPhase = 'armed' | 'observed';

export interface TraceflowReport {
  traceflow: string;
  member: string;
  phase: ReportPhase;
  /** The nodes it armed. */
  nodes: string[];
  /** Nodes it has no session with (down or cut off): nothing can reach them through it. */
  disconnected: string[];
  /** Nodes it masters but could not arm, and why. */
  unarmed?: Record<string, string>;
  /** Observed: what the packet did on its nodes. */
  passes?: TracePass[];
}

const opt = <T>(v: T | undefined): T[] => (v === undefined ? [] : [v]);
const json = (v: unknown): string[] => (v === undefined ? [] : [JSON.stringify(v)]);
const parsed = <T>(set: readonly string[]): T | undefined => (set[0] === undefined ? undefined : (JSON.parse(set[0]) as T));

export function traceflowFromRow(r: NvStoreTables['Traceflow']): TraceflowRecord {
  const result = parsed<TraceflowResult>(r.result);
  const injectError = parsed<InjectError>(r.inject_error);
  return {
    id: r.id,
    member: r.member,
    request: TraceRequestSchema.parse(JSON.parse(r.request)),
    created: r.created,
    state: r.state as TraceflowState,
    ...(r.injected[0] === undefined ? {} : { injected: r.injected[0] }),
    ...(injectError ? { injectError } : {}),
    ...(result ? { result } : {}),
    ...(r.finished[0] === undefined ? {} : { finished: r.finished[0] }),
  };
}

export function reportFromRow(r: NvStoreTables['Traceflow_Report']): TraceflowReport {
  const unarmed = parsed<Record<string, string>>(r.unarmed);
  const passes = parsed<TracePass[]>(r.passes);
  return {
    traceflow: r.traceflow,
    member: r.member,
    phase: r.phase as ReportPhase,
    nodes: [...r.nodes].sort(),
    disconnected: [...r.disconnected].sort(),
    ...(unarmed ? { unarmed } : {}),
    ...(passes ? { passes } : {}),
  };
}

/** Every traceflow, oldest first (the order they run in, one at a time). */
export function traceflowsOf(s: Snapshot): TraceflowRecord[] {
  return s
    .rows('Traceflow')
    .map(traceflowFromRow)
    .sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function reportsOf(s: Snapshot, id: string): TraceflowReport[] {
  return s
    .rows('Traceflow_Report')
    .filter((r) => r.traceflow === id)
    .map(reportFromRow)
    .sort((a, b) => (a.member < b.member ? -1 : 1));
}

export async function createTraceflow(
  committer: Committer,
  t: Pick<TraceflowRecord, 'id' | 'member' | 'request' | 'created'>,
): Promise<void> {
  const txn = new Txn();
  txn.indexClash = () => new ConflictError(`traceflow ${t.id} exists`);
  txn.add(op.insert('Traceflow', { id: t.id, member: t.member, request: JSON.stringify(t.request), created: t.created, state: 'running' }));
  await committer.commit(txn);
}

/** Writes a member's report of a trace, replacing its earlier one. */
export async function reportTraceflow(committer: Committer, r: TraceflowReport): Promise<void> {
  const row = {
    phase: r.phase,
    nodes: [...r.nodes],
    disconnected: [...r.disconnected],
    unarmed: json(r.unarmed),
    passes: json(r.passes),
  };
  const where: Condition[] = [
    ['traceflow', '==', r.traceflow],
    ['member', '==', r.member],
  ];
  const update = new Txn();
  const i = update.add(op.update('Traceflow_Report', where, row));
  if ((await committer.commit(update))[i]?.count) return;
  // Only this member writes its row: a clash means its own insert went through a moment ago.
  const insert = new Txn();
  insert.add(op.insert('Traceflow_Report', { traceflow: r.traceflow, member: r.member, ...row }));
  try {
    await committer.commit(insert);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    await committer.commit(update);
  }
}

const running = (id: string): Condition[] => [
  ['id', '==', id],
  ['state', '==', 'running'],
];

/** The packet was sent (at `at`), or was not (`error`). */
export async function markInjected(committer: Committer, id: string, outcome: { at: number } | { error: InjectError }): Promise<void> {
  const txn = new Txn();
  txn.add(op.update('Traceflow', running(id), 'at' in outcome ? { injected: [outcome.at] } : { inject_error: json(outcome.error) }));
  await committer.commit(txn);
}

/** Ends a running trace; false when it had ended already (another member finished it). */
export async function finishTraceflow(
  committer: Committer,
  id: string,
  state: Exclude<TraceflowState, 'running'>,
  result: TraceflowResult,
  finished: number,
): Promise<boolean> {
  const txn = new Txn();
  const i = txn.add(op.update('Traceflow', running(id), { state, result: json(result), finished: opt(finished) }));
  return ((await committer.commit(txn))[i]?.count ?? 0) > 0;
}

/** Removes all but the `keep` latest ended traceflows, and the reports of any trace gone. */
export async function pruneTraceflows(committer: Committer, s: Snapshot, keep: number): Promise<void> {
  const ended = traceflowsOf(s).filter((t) => t.state !== 'running');
  const old = new Set(ended.slice(0, Math.max(0, ended.length - keep)).map((t) => t.id));
  const live = new Set(s.rows('Traceflow').map((r) => r.id));
  const orphans = new Set(s.rows('Traceflow_Report').flatMap((r) => (old.has(r.traceflow) || !live.has(r.traceflow) ? [r.traceflow] : [])));
  if (old.size === 0 && orphans.size === 0) return;
  const txn = new Txn();
  for (const id of old) txn.add(op.delete('Traceflow', [['id', '==', id]]));
  for (const id of orphans) txn.add(op.delete('Traceflow_Report', [['traceflow', '==', id]]));
  await committer.commit(txn);
}
