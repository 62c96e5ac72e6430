// A member's part in injected traceflows (coordination.ts has the rules, docs/controller.md
// "Traceflows" the story). Every member watches the store's running trace, the oldest first, one
// at a time: it arms the nodes it masters and reports them, the source node's master sends the
// packet once every node is armed, every member then reads its shadows' counters, disarms and
// reports the passes, and one member (the one that took the request while it lives) assembles
// the observed path and ends the trace. Nothing here forwards requests between members: the
// store carries the trace and the reports.
import type { LogicalRouter, LogicalState } from '../../model/index.ts';
import type { OpenFlowConnection } from '../../openflow/index.ts';
import type { NodeFacts } from '../pipeline/index.ts';
import type { Store, TraceflowRecord, TraceflowReport } from '../store/index.ts';
import { assemblerOf, notObserved, outcomeOf, readyToInject } from './coordination.ts';
import { observedPasses } from './observe.ts';
import { buildFrame, markOf } from './packet.ts';
import { passToJson, type NodePass } from './passes.ts';
import { openflowPort, type PlaceResources } from './places.ts';
import { planTrace, type TracePlan } from './plan.ts';
import { armSwitch, disarmSwitch, injectFrame, readCounters, type ArmedSwitch } from './switch-ops.ts';

/** How long the source node's master waits for every node to be armed before giving up. */
export const ARM_BOUND_MS = 4000;
/** Past ARM_BOUND_MS, how long the assembler gives the source node's master to say it sent the
 *  packet or why not, before it says nobody did. */
export const SOURCE_GRACE_MS = 1000;
/** From the injection to reading the counters: the packet crosses the underlay and the far
 *  nodes' pipelines in a few ms; this leaves room for a loaded machine. */
export const OBSERVE_AFTER_MS = 300;
/** From the request to the answer, at most: past it the trace fails naming who did not answer.
 *  Below the shadows' hard timeout (10 s), so that they are still there when counted. */
export const TRACE_BOUND_MS = 8000;
/** Ended traces kept in the store for GET. */
export const KEEP_TRACES = 50;
/** While a trace runs: how often a member looks again (waits end on the clock, not on the store). */
const TICK_MS = 100;

export interface AgentDeps {
  me: string;
  store: Store;
  /** Nodes this member masters now, with their switch. */
  mastered: () => ReadonlyMap<string, OpenFlowConnection>;
  /** Whether this member has an OpenFlow connection to the node at all (master or slave). */
  connected: (node: string) => boolean;
  facts: (node: string) => NodeFacts;
  /** The logical state as the programmer sees it (ports down while not plugged in). */
  logical: () => LogicalState;
  log: (line: string) => void;
}

/** The trace's number in its shadows' cookies: any number unique among recent traces will do. */
function traceNumber(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return (h & 0xfffffe) + 1;
}

export class TraceflowAgent {
  /** The switches this member armed, per trace. */
  private readonly armed = new Map<string, ArmedSwitch[]>();
  /** Traces whose packet this member sent, or whose counters it read: its replica may not show
   *  its own write yet when it looks again, and doing either twice would spoil the counts. */
  private readonly sent = new Set<string>();
  private readonly counted = new Set<string>();
  /** Nodes it could not arm, per trace, and why. */
  private readonly unarmed = new Map<string, Record<string, string>>();
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: AgentDeps) {}

  start(): void {
    this.deps.store.on('traceflow', () => this.kick());
    this.kick(); // a trace may have been running before this member started
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Runs a step now, or right after the one under way. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      do {
        this.again = false;
        await this.step().catch((error: unknown) => this.deps.log(`traceflow: ${error instanceof Error ? error.message : String(error)}`));
      } while (this.again);
      this.running = false;
    })();
  }

  private live(): string[] {
    const names = this.deps.store.liveMembers().map((m) => m.name);
    return names.includes(this.deps.me) ? names : [...names, this.deps.me];
  }

  private async step(): Promise<void> {
    const { store, me } = this.deps;
    const traces = store.traceflows();
    const isRunning = (id: string) => traces.some((t) => t.id === id && t.state === 'running');
    for (const [id, armed] of this.armed) if (!isRunning(id)) await this.disarm(id, armed);
    for (const set of [this.sent, this.counted]) for (const id of set) if (!isRunning(id)) set.delete(id);
    const trace = traces.find((t) => t.state === 'running');
    if (!trace) return;
    // Idle members keep no timer: the store's events wake them.
    clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => this.kick(), TICK_MS).unref();
    const logical = this.deps.logical();
    const resources = { nodes: store.listNodes(), ports: store.listPorts(), switches: store.listSwitches(), routers: store.listRouters() };
    let plan: TracePlan;
    try {
      plan = planTrace(trace.request, resources);
    } catch (error) {
      // The resources changed since the request was taken: nothing can be sent.
      if (assemblerOf(trace, this.live()) === me)
        await store.finishTraceflow(trace.id, 'failed', { error: (error as Error).message }, Date.now());
      return;
    }
    const mine = store.traceflowReports(trace.id).find((r) => r.member === me);
    const pending = trace.injected === undefined && !trace.injectError;
    // Until the packet goes, nodes this member takes over (from a member that died) are armed too.
    if (!mine || (mine.phase === 'armed' && pending)) await this.arm(trace, plan, logical, resources, !mine);
    if (mine?.phase === 'armed' && !pending && !this.counted.has(trace.id)) await this.observe(trace, plan);
    else if (mine?.phase === 'armed' && pending && !this.sent.has(trace.id)) await this.injectIfReady(trace, plan, logical);
    await this.assembleIfDone(store.traceflows().find((t) => t.id === trace.id) ?? trace, plan, logical);
  }

  /** Arms the nodes it masters that it has not tried yet, and reports every node it armed. */
  private async arm(
    trace: TraceflowRecord,
    plan: TracePlan,
    logical: LogicalState,
    resources: PlaceResources & { routers: readonly LogicalRouter[] },
    first: boolean,
  ): Promise<void> {
    const armed = this.armed.get(trace.id) ?? [];
    const unarmed = this.unarmed.get(trace.id) ?? {};
    this.armed.set(trace.id, armed);
    this.unarmed.set(trace.id, unarmed);
    const tried = (node: string) => armed.some((a) => a.node === node) || node in unarmed;
    const fresh = [...this.deps.mastered()].filter(([node]) => !tried(node));
    if (fresh.length === 0 && !first) return;
    const mark = markOf(plan.frame.payload);
    await Promise.all(
      fresh.map(async ([node, sw]) => {
        try {
          const routed = plan.routed ? { routed: { next: plan.routed, routers: resources.routers } } : {};
          armed.push(await armSwitch(sw, { node, facts: this.deps.facts(node), resources, mark, trace: traceNumber(trace.id), ...routed }));
        } catch (error) {
          unarmed[node] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    const report: TraceflowReport = {
      traceflow: trace.id,
      member: this.deps.me,
      phase: 'armed',
      nodes: armed.map((a) => a.node),
      disconnected: logical.nodes.map((n) => n.name).filter((n) => !this.deps.connected(n)),
      ...(Object.keys(unarmed).length ? { unarmed } : {}),
    };
    await this.deps.store.reportTraceflow(report);
  }

  /** The source node's master: sends the packet once every node is armed (or says why not). */
  private async injectIfReady(trace: TraceflowRecord, plan: TracePlan, logical: LogicalState): Promise<void> {
    const node = plan.source.node;
    const { store } = this.deps;
    if (node === undefined) {
      if (assemblerOf(trace, this.live()) === this.deps.me)
        await store.markInjected(trace.id, {
          error: { kind: 'not-plugged', detail: `${trace.request.from} is not bound to a transport node` },
        });
      return;
    }
    const armed = this.armed.get(trace.id)?.find((a) => a.node === node);
    if (!armed) return; // not its master
    const via = plan.source.via;
    const inPort = this.sourcePort(plan);
    if (inPort === undefined) {
      const what = 'vmPort' in via ? `port ${via.vmPort}` : `NIC ${via.nic}`;
      await store.markInjected(trace.id, { error: { kind: 'not-plugged', detail: `${what} is not plugged in on ${node}` } });
      return;
    }
    const { ready, waiting } = readyToInject(
      store.traceflowReports(trace.id),
      this.live(),
      logical.nodes.map((n) => n.name),
    );
    if (ready) {
      this.sent.add(trace.id);
      await injectFrame(armed.sw, inPort, buildFrame(plan.frame));
      await store.markInjected(trace.id, { at: Date.now() });
    } else if (Date.now() - trace.created > ARM_BOUND_MS) {
      await store.markInjected(trace.id, { error: { kind: 'not-armed', detail: `waited ${ARM_BOUND_MS} ms for ${waiting.join(', ')}` } });
    }
  }

  /** After the packet went (or did not): counts, disarms and reports what its nodes saw. */
  private async observe(trace: TraceflowRecord, plan: TracePlan): Promise<void> {
    if (trace.injected !== undefined && Date.now() < trace.injected + OBSERVE_AFTER_MS) return;
    this.counted.add(trace.id);
    const armed = this.armed.get(trace.id) ?? [];
    const passes: NodePass[] = [];
    const unread = new Set<string>();
    if (trace.injected !== undefined) {
      const source = plan.source.node;
      const inPort = this.sourcePort(plan);
      // Every switch at once (each count waits for its datapath's flush); one that cannot be read
      // leaves its node out of the report, where the path shows it as unobserved.
      const read = await Promise.all(
        armed.map(async (a) => {
          try {
            return observedPasses(a.node, a.records, await readCounters(a), {
              places: a.places,
              ...(a.node === source && inPort !== undefined ? { source: { inPort, entry: plan.source.entry } } : {}),
              ...(plan.host ? { host: plan.host } : {}),
            });
          } catch (error) {
            this.deps.log(`traceflow ${trace.id}: ${a.node}: ${error instanceof Error ? error.message : String(error)}`);
            unread.add(a.node);
            return undefined;
          }
        }),
      );
      passes.push(...read.flatMap((p) => p ?? []));
    }
    await this.disarm(trace.id, armed);
    const report: TraceflowReport = {
      traceflow: trace.id,
      member: this.deps.me,
      phase: 'observed',
      nodes: armed.map((a) => a.node).filter((n) => !unread.has(n)),
      disconnected: [],
      passes: passes.map(passToJson),
    };
    await this.deps.store.reportTraceflow(report);
  }

  private async assembleIfDone(trace: TraceflowRecord, plan: TracePlan, logical: LogicalState): Promise<void> {
    const live = this.live();
    if (trace.state !== 'running' || assemblerOf(trace, live) !== this.deps.me) return;
    const reports = this.deps.store.traceflowReports(trace.id);
    const age = Date.now() - trace.created;
    if (trace.injected === undefined && !trace.injectError && age > ARM_BOUND_MS + SOURCE_GRACE_MS) {
      // The source node's master should have sent the packet or said why not by now: there is
      // none, or it died. Saying so lets every member disarm and report at once.
      const source = this.deps.store.masterships().find((m) => m.node === plan.source.node);
      const who = source ? `its master ${source.member}` : 'no member masters it';
      const detail = `nobody sent it from ${plan.source.node ?? trace.request.from} (${who})`;
      await this.deps.store.markInjected(trace.id, { error: { kind: 'not-armed', detail } });
      return;
    }
    const missing = notObserved(reports, live);
    if (missing.length > 0 && age < TRACE_BOUND_MS) return;
    const outcome = outcomeOf({
      trace,
      plan,
      reports,
      logical,
      masterships: this.deps.store.masterships(),
      missing,
      boundMs: TRACE_BOUND_MS,
    });
    if (await this.deps.store.finishTraceflow(trace.id, outcome.state, outcome.result, Date.now())) {
      this.deps.log(`traceflow ${trace.id}: ${outcome.state}${outcome.result.error ? `: ${outcome.result.error}` : ''}`);
      await this.deps.store.pruneTraceflows(KEEP_TRACES);
    }
  }

  /** The OpenFlow port the packet goes in at on the source node (none: not plugged in). */
  private sourcePort(plan: TracePlan): number | undefined {
    const { node, via } = plan.source;
    if (node === undefined) return undefined;
    const facts = this.deps.facts(node);
    const ofport = 'vmPort' in via ? facts.vmPorts.get(via.vmPort) : facts.physicalPorts?.get(via.nic);
    return ofport === undefined ? undefined : openflowPort(ofport);
  }

  private async disarm(id: string, armed: readonly ArmedSwitch[]): Promise<void> {
    this.armed.delete(id);
    this.unarmed.delete(id);
    await Promise.all(armed.map((a) => disarmSwitch(a).catch(() => {}))); // the hard timeout removes what stays
  }
}
