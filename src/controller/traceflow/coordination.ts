// The rules the members follow to run one injected trace together through the store (agent.ts
// does what they say): who assembles the answer, when the packet may be sent, when every member
// has answered, and the result from their reports. Pure.
import type { LogicalState, TracePass } from '../../model/index.ts';
import type { Mastership, TraceflowRecord, TraceflowReport, TraceflowResult } from '../store/index.ts';
import { notSent, observedPath } from './observed-path.ts';
import { passFromJson } from './passes.ts';
import type { TracePlan } from './plan.ts';

/** The member that answers a trace: the one that took the request while it lives, else the first
 *  live member by name (a trace outlives the member that took it). */
export function assemblerOf(trace: Pick<TraceflowRecord, 'member'>, live: readonly string[]): string | undefined {
  return live.includes(trace.member) ? trace.member : [...live].sort()[0];
}

/**
 * Whether the packet may be sent: every live member has reported, and every node is either armed
 * or out of everyone's reach (a node nobody has a session with cannot receive it). A node that is
 * up but not armed would hand the packet to its VMs: never inject then. `waiting` names what is
 * missing, for the error when the wait ends.
 */
export function readyToInject(
  reports: readonly TraceflowReport[],
  live: readonly string[],
  nodes: readonly string[],
): { ready: boolean; waiting: string[] } {
  const silent = live.filter((m) => !reports.some((r) => r.member === m));
  const armed = new Set(reports.flatMap((r) => r.nodes));
  const unreachable = (n: string) => reports.length > 0 && reports.every((r) => r.disconnected.includes(n));
  const unarmed = nodes.filter((n) => !armed.has(n) && !unreachable(n));
  return {
    ready: silent.length === 0 && unarmed.length === 0,
    waiting: [...silent.map((m) => `member ${m}`), ...unarmed.map((n) => `node ${n}`)],
  };
}

/** Live members that have not reported what they observed. */
export function notObserved(reports: readonly TraceflowReport[], live: readonly string[]): string[] {
  return live.filter((m) => !reports.some((r) => r.member === m && r.phase === 'observed'));
}

/** Nodes nobody watched that could have received the packet (up, yet no observed report armed
 *  them): what went there is unreachable rather than lost. */
export function unobservedNodes(reports: readonly TraceflowReport[], nodes: readonly string[]): Set<string> {
  const watched = new Set(reports.filter((r) => r.phase === 'observed').flatMap((r) => r.nodes));
  const down = (n: string) => reports.length > 0 && reports.every((r) => r.disconnected.includes(n));
  return new Set(nodes.filter((n) => !watched.has(n) && !down(n)));
}

/** "ctrl2 (hv2, hv3)": members and the nodes they master. */
export function membersWithNodes(members: readonly string[], masterships: readonly Mastership[]): string {
  return members
    .map((m) => {
      const nodes = masterships.filter((x) => x.member === m).map((x) => x.node);
      return nodes.length ? `${m} (${nodes.join(', ')})` : m;
    })
    .join(', ');
}

export interface Outcome {
  state: 'completed' | 'failed';
  result: TraceflowResult;
}

export interface OutcomeInput {
  trace: TraceflowRecord;
  plan: TracePlan;
  reports: readonly TraceflowReport[];
  logical: LogicalState;
  masterships: readonly Mastership[];
  /** Members still awaited when the bound ran out (none: all answered). */
  missing: readonly string[];
  boundMs: number;
}

/** The answer to a trace from the members' reports: its path, the passes it came from, and for a
 *  failed one what failed. */
export function outcomeOf(input: OutcomeInput): Outcome {
  const { trace, plan, reports, logical } = input;
  if (trace.injectError) {
    const path = notSent(plan, trace.injectError.detail);
    return trace.injectError.kind === 'not-plugged'
      ? { state: 'completed', result: { path, passes: [] } }
      : { state: 'failed', result: { path, passes: [], error: `the packet was not sent: ${trace.injectError.detail}` } };
  }
  const passes: TracePass[] = reports.flatMap((r) => (r.phase === 'observed' ? (r.passes ?? []) : []));
  const nodes = logical.nodes.map((n) => n.name);
  const path = observedPath(passes.map(passFromJson), logical, plan, unobservedNodes(reports, nodes));
  if (input.missing.length === 0) return { state: 'completed', result: { path, passes } };
  const who = membersWithNodes(input.missing, input.masterships);
  const error =
    trace.injected === undefined
      ? `the packet was not sent within ${input.boundMs} ms: no answer from ${who}`
      : `no answer within ${input.boundMs} ms from ${who}`;
  return { state: 'failed', result: { path, passes, error } };
}
