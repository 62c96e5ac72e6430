// The member's southbound loop: decides which transport nodes this member is master of, and
// programs those: their tunnels over OVSDB, then br-int's flows and groups over OpenFlow 1.3 by
// reconciliation (read what the switch has, send only the difference; never a wipe).
// Events go to the scheduler, which says when to decide and what the decision carries; a
// decision applies the mastership rules to every node and hands the node programmer its work.
import { EventEmitter } from 'node:events';
import { OpenFlowController, type OpenFlowConnection } from '../../openflow/index.ts';
import { affectedNodes } from '../pipeline/index.ts';
import type { Store } from '../store/index.ts';
import { auditRoles } from '../mastership/audit.ts';
import { holdersFrom, isMine, isQuorate, liveMembers } from '../mastership/decision.ts';
import { Heartbeat } from '../mastership/lease.ts';
import type { Liveness } from '../mastership/liveness.ts';
import { LogicalView } from './logical-view.ts';
import { LoopMetrics } from './metrics.ts';
import { nodeAction, touchedFirst } from './node-action.ts';
import { NodeProgrammer } from './node-programmer.ts';
import type { NodeSessions } from './node-sessions.ts';
import { Scheduler, type Decision } from './scheduler.ts';
import { type LogicalState, OPENFLOW_PORT } from '../../model/index.ts';
import { serverTlsOptions, type TlsCredentials } from '../../util/tls.ts';

export interface ProgrammerEvents {
  log: [string];
}

export class Programmer extends EventEmitter<ProgrammerEvents> {
  private readonly metrics = new LoopMetrics((line) => this.emit('log', line));
  private readonly scheduler = new Scheduler((decision) => this.decide(decision));
  private readonly logical: LogicalView;
  private readonly nodes: NodeProgrammer;
  private readonly heartbeat: Heartbeat;
  /** The logical state the last reprogramming decision was made on. */
  private decided: LogicalState | undefined;

  constructor(
    private readonly me: string,
    private readonly store: Store,
    private readonly sessions: NodeSessions,
    openflow: OpenFlowController,
    private readonly liveness: Liveness,
  ) {
    super();
    this.logical = new LogicalView(store, sessions);
    this.nodes = new NodeProgrammer({
      me,
      store,
      sessions,
      openflow,
      logical: this.logical,
      metrics: this.metrics,
      log: (line) => this.emit('log', line),
      lost: () => this.scheduler.settle(),
      failed: () => this.scheduler.retrySoon(),
    });
    this.heartbeat = new Heartbeat(me, store, { beat: () => this.scheduler.settle(), audit: () => void this.audit() });
    store.on('change', () => (this.metrics.reason('store'), this.scheduler.configChanged()));
    store.on('membership', () => (this.metrics.reason('membership'), this.scheduler.settle()));
    sessions.on('change', (node) => {
      this.metrics.reason('ovsdb');
      this.metrics.ovsdbChange(node);
      this.scheduler.nodeChanged(node, sessions.underlayMac(node), sessions.facts(node).vmPorts.keys());
    });
    liveness.on('change', () => (this.metrics.reason('liveness'), this.scheduler.settle()));
    openflow.on('switch', (sw) => {
      sw.on('disconnect', () => {
        this.nodes.disconnected(sw);
        this.scheduler.settle();
      });
      this.scheduler.settle();
    });
  }

  /** Logs every install with its size and time (NVLAB_CONTROLLER_DEBUG=1 in the member). */
  get debug(): boolean {
    return this.metrics.debug;
  }

  set debug(on: boolean) {
    this.metrics.debug = on;
  }

  start(): void {
    this.heartbeat.start();
  }

  stop(): void {
    this.heartbeat.stop();
    this.scheduler.stop();
  }

  /** Nodes this member is master of now. */
  masterOf(): string[] {
    return [...this.nodes.mastered.keys()].sort();
  }

  /** Nodes this member masters now, with their switch (an injected trace arms these). */
  masteredSwitches(): Map<string, OpenFlowConnection> {
    return new Map([...this.nodes.mastered].map(([node, m]) => [node, m.sw]));
  }

  /** The logical state this member programs from (ports down while not plugged in). */
  logicalState(): LogicalState {
    return this.logical.current();
  }

  /** Nodes this member masters that are fully programmed (the lab runner waits for these). */
  programmed(): string[] {
    return this.nodes.programmed();
  }

  /** Debug: a line with how often the loop ran since the last call. */
  report(): string {
    return this.metrics.report();
  }

  private decide({ reprogram, touched, batch }: Decision): void {
    this.metrics.decided();
    const state = this.store.state() as LogicalState;
    // What a config change reaches: most changes are one port, which concerns the nodes of one
    // switch, or only its own node while its VM is not plugged in yet.
    let reached: ReadonlySet<string> | 'all' = 'all';
    if (reprogram) {
      const logical = this.logical.current();
      if (this.decided) reached = affectedNodes(this.decided, logical);
      this.decided = logical;
    }
    const live = liveMembers(
      this.me,
      this.store.liveMembers().map((m) => m.name),
      (name) => this.liveness.isUp(name),
    );
    const quorate = isQuorate(this.liveness.upPeers().length, this.liveness.clusterSize);
    const holderOf = holdersFrom(() => this.store.masterships()); // read only while a node is being handed over
    const mastered = this.nodes.mastered;
    for (const { name } of touchedFirst(state.nodes, touched)) {
      const status = {
        mine: isMine(name, { me: this.me, live, mastering: mastered.has(name), holderOf }),
        mastered: mastered.has(name),
        complete: this.nodes.isComplete(name),
        running: this.nodes.isRunning(name),
        touched: touched.has(name),
        reached: reached === 'all' || reached.has(name),
        connected: this.sessions.view(name) !== undefined,
      };
      const action = nodeAction(status, { reprogram, batch, quorate });
      if (action === 'relinquish') this.nodes.relinquish(name);
      else if (action === 'defer') {
        this.nodes.defer(name);
        this.scheduler.deferRemote();
      } else if (action === 'program') this.nodes.kick(name);
    }
    for (const node of [...mastered.keys()]) if (!state.nodes.some((n) => n.name === node)) this.nodes.relinquish(node);
  }

  private async audit(): Promise<void> {
    await auditRoles(this.nodes.mastered, {
      verify: (node) => this.nodes.kick(node),
      demoted: (node) => {
        this.nodes.demoted(node);
        this.scheduler.settle();
      },
    });
  }
}

/** Listens for br-int's OpenFlow connections: plain TCP, or with `tls` only switches with a
 *  certificate of `tls.ca` (which node each is, is switch-identity.ts's). */
export async function startOpenFlow(port = OPENFLOW_PORT, tls?: TlsCredentials): Promise<OpenFlowController> {
  // As for the OVSDB sessions (node-sessions.ts): a dead switch closes its connection, and
  // probes every second on every switch cost a member more than they ever told it.
  const controller = new OpenFlowController({ echoInterval: 5000, deadTime: 15000, ...(tls ? { tls: serverTlsOptions(tls) } : {}) });
  await controller.listen(port, '0.0.0.0');
  return controller;
}
