// The member's southbound loop: decides which transport nodes this member is master of, and
// programs those: their tunnels over OVSDB, then br-int's flows and groups over OpenFlow 1.3 by
// reconciliation (read what the switch has, send only the difference; never a wipe).
import { EventEmitter } from 'node:events';
import { OpenFlowController, OpenFlowInstallError, type OpenFlowConnection } from '../../openflow/index.ts';
import { affectedNodes, desiredFlows, desiredTunnels, expectedPorts, installed, patchRemotePorts, PipelineMemo, reconcile, sameTunnels, type ActualFlows, type DesiredFlows, type NodeFacts } from '../pipeline/index.ts';
import type { Store } from '../store/index.ts';
import { ownerOf } from '../mastership/assign.ts';
import type { Liveness } from '../mastership/liveness.ts';
import type { NodeSessions, WantedTunnel } from './node-sessions.ts';
import { type LogicalState, OPENFLOW_PORT } from '../../model/index.ts';

/** A member heartbeats this often, and its lease lasts this long (docs/controller.md). */
export const HEARTBEAT_MS = 500;
export const LEASE_MS = 2500;
/** Config changes come in bursts (a lab pushes many rows at once): reprogram once a burst has
 *  been quiet this long, or after MAX_COALESCE_MS at the latest. Short, since a reprogram that
 *  changes nothing on a switch costs no I/O (see Mastered.installed). */
const COALESCE_MS = 2;
const MAX_COALESCE_MS = 50;
/** A VM plugged in (or unplugged) on one node reaches the other nodes of its switch in batches,
 *  this long after the first plug of a batch. Until their unicast flow towards it lands, frames
 *  to it flood like any unknown unicast, and reach it. At the instant of a plug, one flow-mod to
 *  each of the switch's nodes woke every vswitchd and member at once and delayed the plugged
 *  node's own flows (2 cores, 20 hv: they landed at +44..87 ms against +25..44 ms; port-up p50
 *  63 against 50 ms with the batch, A/B on one lab, 40 samples each); in a boot storm each node
 *  gets one install per batch instead of one per VM. The lab runner still waits for the batch
 *  (programmed()). 40 ms and 15 ms were worse (p50 62 and 72 against 56), 250 ms no better. */
const REMOTE_BATCH_MS = 100;
/** A failed programming run (no quorum for a moment) is tried again this soon. */
const RETRY_MS = 200;
/** A master asks its switches which role they give it every this many heartbeats (2 s): a round
 *  trip per switch that only matters after a partition heals, when another member may have
 *  taken a switch over. */
const AUDIT_EVERY = 4;
/** A master re-reads its switch about this often, to repair what someone else changed there;
 *  spread by ±25% per node so that the nodes mastered at once are not all read at once again
 *  (20 flow dumps in one go took ~100 ms of a member's CPU). */
const VERIFY_MS = 30_000;

interface Mastered {
  generation: number;
  sw: OpenFlowConnection;
  /** What this member has installed since it last read the switch: later changes reconcile
   *  against it without a round trip. Undefined: read the switch first. */
  installed?: ActualFlows;
  /** When to read the switch again (VERIFY_MS). */
  verifyAt: number;
  /** The node's flows as last computed, reused where unchanged (reconcile skips those). */
  memo: PipelineMemo;
  /** What the last computation started from and gave: a change of other nodes' ports is
   *  patched into it instead of computing the node again. */
  last?: { logical: LogicalState; facts: NodeFacts; desired: DesiredFlows; tunnels: WantedTunnel[] };
}

export interface ProgrammerEvents {
  log: [string];
}

export class Programmer extends EventEmitter<ProgrammerEvents> {
  private readonly masters = new Map<string, Mastered>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Mastered nodes whose last programming left nothing out and nothing pending. */
  private readonly complete = new Set<string>();
  private scheduled = false;
  private burst: { timer: NodeJS.Timeout; since: number } | undefined;
  /** Whether the pending decision must reprogram every mastered node (the config changed), or
   *  only settle who is master (leases, links and switches came or went). */
  private reprogram = false;
  /** Whether the pending reprogram comes of plugs alone: the other nodes then wait for the batch. */
  private plugsOnly = false;
  private batchTimer: NodeJS.Timeout | undefined;
  /** Nodes whose own switch state changed; they alone need reprogramming. */
  private readonly touched = new Set<string>();
  private readonly knownMacs = new Map<string, string | undefined>();
  /** The iface-ids each node has plugged in, as last seen: other nodes' flows follow them. */
  private readonly knownPlugged = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private stopped = false;
  /** Logs every install with its size and time (NVLAB_CONTROLLER_DEBUG=1 in the member). */
  debug = false;

  constructor(
    private readonly me: string,
    private readonly store: Store,
    private readonly sessions: NodeSessions,
    private readonly openflow: OpenFlowController,
    private readonly liveness: Liveness,
  ) {
    super();
    store.on('change', () => (this.countReason('store'), this.schedule(true)));
    store.on('membership', () => (this.countReason('membership'), this.schedule()));
    sessions.on('change', (node) => {
      this.countReason('ovsdb');
      if (this.debug) this.emit('log', `${node}: ovsdb change`);
      this.touched.add(node);
      // Other nodes' tunnels carry this node's underlay MAC, and their unicast flows go to the
      // VMs it has plugged in: they change only when these do.
      const mac = sessions.underlayMac(node);
      const plugged = [...sessions.facts(node).vmPorts.keys()].sort().join(',');
      if (this.knownMacs.get(node) !== mac) {
        this.knownMacs.set(node, mac);
        this.knownPlugged.set(node, plugged);
        this.schedule(true);
      } else if (this.knownPlugged.get(node) !== plugged) {
        this.knownPlugged.set(node, plugged);
        this.schedule(true, true, true);
      } else {
        this.schedule();
      }
    });
    liveness.on('change', () => (this.countReason('liveness'), this.schedule()));
    openflow.on('switch', (sw) => {
      sw.on('disconnect', () => {
        for (const [node, m] of this.masters) if (m.sw === sw) this.masters.delete(node);
        this.schedule();
      });
      this.schedule();
    });
  }

  start(): void {
    const beat = async () => {
      if (this.stopped) return;
      const sent = Date.now();
      try {
        await this.store.heartbeat(this.me, sent + LEASE_MS, { timeoutMs: LEASE_MS });
      } catch {
        // No quorum: the lease runs out on its own and the others take this member's nodes.
      }
      this.schedule();
      if (++this.beats % AUDIT_EVERY === 0) void this.audit();
      this.timer = setTimeout(beat, Math.max(0, HEARTBEAT_MS - (Date.now() - sent)));
    };
    void beat();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.batchTimer) clearTimeout(this.batchTimer);
  }

  /** Nodes this member is master of now. */
  masterOf(): string[] {
    return [...this.masters.keys()].sort();
  }

  /** Nodes this member masters that are fully programmed (the lab runner waits for these). */
  programmed(): string[] {
    return [...this.complete].filter((node) => this.masters.has(node)).sort();
  }

  /** Live members as this member sees them: a valid lease, and (for peers) an open link.
   *  This member counts itself in: it cannot take a node without a quorum anyway (the
   *  generation bump needs one), and a switch demotes an older master by itself, so fencing
   *  itself when a heartbeat is slow would only churn mastership under load. */
  private liveMembers(now = Date.now()): string[] {
    const live = this.store.liveMembers(now).map((m) => m.name).filter((name) => name === this.me || this.liveness.isUp(name));
    if (!live.includes(this.me)) live.push(this.me);
    return live;
  }

  private retryTimer: NodeJS.Timeout | undefined;

  private retrySoon(ms = RETRY_MS): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule(true); // every node left incomplete runs again
    }, ms);
  }

  /** A decision soon: at once, or with `reprogram` once a burst of config changes has gone
   *  quiet. `urgent` reprograms at once: a VM just plugged in waits for it, and a node's own
   *  switch sends no bursts. `plug`: a node plugged a VM in or out, which its own node needs at
   *  once and the others in the next batch (REMOTE_BATCH_MS). */
  private schedule(reprogram = false, urgent = false, plug = false): void {
    if (this.stopped) return;
    const run = () => {
      this.scheduled = false;
      this.cancelBurst();
      const all = this.reprogram;
      const batch = this.plugsOnly;
      const touched = new Set(this.touched);
      this.reprogram = this.plugsOnly = false;
      this.touched.clear();
      this.decide(all, touched, batch);
    };
    if (reprogram) {
      // A config change pending beside the plugs goes out at once, to every node it reaches.
      this.plugsOnly = plug && (this.plugsOnly || !this.reprogram);
      this.reprogram = true;
      if (urgent) {
        // At once, taking along whatever a burst was waiting for.
        this.cancelBurst();
      } else {
        // Trailing debounce: wait for the burst to go quiet, but never longer than the bound.
        const since = this.burst?.since ?? Date.now();
        if (this.burst) clearTimeout(this.burst.timer);
        const wait = Math.max(0, Math.min(COALESCE_MS, since + MAX_COALESCE_MS - Date.now()));
        this.burst = { since, timer: setTimeout(run, wait) };
        return;
      }
    }
    if (this.scheduled || this.burst) return;
    this.scheduled = true;
    setImmediate(run);
  }

  private cancelBurst(): void {
    if (this.burst) clearTimeout(this.burst.timer);
    this.burst = undefined;
  }

  /** Calls and time of decide and program since the last debug report. */
  private readonly counts = { decide: 0, program: 0, programMs: 0, reasons: new Map<string, number>() };

  private countReason(reason: string): void {
    if (this.debug) this.counts.reasons.set(reason, (this.counts.reasons.get(reason) ?? 0) + 1);
  }

  /** Debug: a line with how often the loop ran since the last call. */
  report(): string {
    const c = this.counts;
    const line = `loop: ${c.decide} decides, ${c.program} programs in ${c.programMs.toFixed(0)} ms; schedules ${[...c.reasons].map(([k, v]) => `${k}=${v}`).join(' ')}`;
    c.decide = c.program = c.programMs = 0;
    c.reasons.clear();
    return line;
  }

  /** The logical state the last reprogramming decision was made on. */
  private decided: LogicalState | undefined;

  private decide(reprogram: boolean, touched: ReadonlySet<string>, batch = false): void {
    this.counts.decide++;
    const state = this.store.state() as LogicalState;
    // What a config change reaches: most changes are one port, which concerns the nodes of one
    // switch, or only its own node while its VM is not plugged in yet.
    let reached: Set<string> | 'all' = 'all';
    if (reprogram) {
      const logical = this.logical();
      if (this.decided) reached = affectedNodes(this.decided, logical);
      this.decided = logical;
    }
    const live = this.liveMembers();
    // Cut off from most peers, this member would only queue generation bumps that cannot
    // commit, and that would land (and move switches for nothing) when the partition heals.
    // Links, not leases, decide: a peer just healed may not have renewed its lease yet, yet
    // its store member already votes.
    const quorate = (this.liveness.upPeers().length + 1) * 2 > this.liveness.clusterSize;
    // A node whose own switch changed first: a VM just plugged in there waits for its flows.
    const nodes = touched.size === 0 ? state.nodes : [...state.nodes].sort((a, b) => Number(touched.has(b.name)) - Number(touched.has(a.name)));
    let holders: Map<string, string> | undefined; // read only while a node is being handed over
    const holderOf = (node: string) => (holders ??= new Map(this.store.masterships().map((m) => [m.node, m.member]))).get(node);
    for (const node of nodes) {
      // A master hands a node over only once its new owner has taken it (the store's Mastership
      // row names that owner). A member just back has its lease before its switches have
      // reconnected to it (they retry it about once a second), and cannot take them before.
      const mine = ownerOf(node.name, live) === this.me || (this.masters.has(node.name) && holderOf(node.name) === this.me);
      if (!mine) {
        this.relinquish(node.name);
        continue;
      }
      const name = node.name;
      const isReached = reached === 'all' || reached.has(name);
      if (batch && isReached && this.complete.has(name) && !touched.has(name) && !this.running.has(name)) {
        // Another node's plug: in the next batch, and not programmed until then.
        this.complete.delete(name);
        this.batchTimer ??= setTimeout(() => {
          this.batchTimer = undefined;
          this.schedule(true, true); // every node left incomplete runs
        }, REMOTE_BATCH_MS);
        continue;
      }
      const due = touched.has(name) || (reprogram && (isReached || !this.complete.has(name)));
      if (!this.masters.has(name) ? quorate : due) this.kick(name);
    }
    for (const node of this.masters.keys()) if (!state.nodes.some((n) => n.name === node)) this.relinquish(node);
  }

  private relinquish(node: string): void {
    const mastered = this.masters.get(node);
    if (!mastered) return;
    this.masters.delete(node);
    this.complete.delete(node);
    // Step down at the switch too, so it never keeps a master the cluster does not count on.
    // Refused as stale when the new master already asserted itself; that is fine.
    mastered.sw.role('slave', BigInt(mastered.generation)).catch(() => {});
    this.emit('log', `${node}: no longer master`);
  }

  /** OpenFlow 1.3 switches do not tell a master it was demoted: ask each switch this member
   *  masters what role it holds, and assert again where another member took over meanwhile. */
  private async audit(): Promise<void> {
    await Promise.all(
      [...this.masters].map(async ([node, mastered]) => {
        try {
          if (Date.now() > mastered.verifyAt) this.kick(node); // re-reads the switch
          const { role } = await mastered.sw.role('nochange', 0n);
          if (role !== 'master' && this.masters.get(node) === mastered) {
            this.masters.delete(node);
            this.complete.delete(node);
            this.emit('log', `${node}: the switch had demoted this member; asserting again`);
            this.schedule();
          }
        } catch {
          // a switch that does not answer is handled by its disconnect
        }
      }),
    );
  }

  /** Runs program(node) now, or once more after the run in progress. */
  private kick(node: string): void {
    if (this.running.has(node)) {
      this.dirty.add(node);
      return;
    }
    const t0 = performance.now();
    this.counts.program++;
    const run = this.program(node)
      .then((complete) => {
        if (complete && !this.dirty.has(node)) this.complete.add(node);
        else this.complete.delete(node);
      })
      .catch((error: unknown) => {
        this.complete.delete(node);
        this.emit('log', `${node}: ${error instanceof Error ? error.message : String(error)}`);
        // Typically the store had no leader for a moment (an election): try again soon rather
        // than at the next heartbeat, which may itself wait out its bound (2.5 s).
        this.retrySoon();
      })
      .finally(() => {
        this.counts.programMs += performance.now() - t0;
        this.running.delete(node);
        if (this.dirty.delete(node)) this.kick(node);
      });
    this.running.set(node, run);
  }

  private logicalCache: { state: LogicalState; key: string; logical: LogicalState; facts: unknown[]; macs: (string | undefined)[] } | undefined;

  /** The store's logical state with each node's underlay MAC as its switch reports it, and each
   *  port marked down while its connected node has not plugged it in. One object per (state,
   *  MACs, ports down): the pipeline derives what it needs from it once for all nodes. */
  private logical(): LogicalState {
    const state = this.store.state() as LogicalState;
    // Nothing to look at again while neither the state nor any node's MAC or OpenFlow ports
    // changed (a node's facts are one object while they stay equal).
    const facts = state.nodes.map((n) => (this.sessions.view(n.name) ? this.sessions.facts(n.name) : undefined));
    const macs = state.nodes.map((n) => this.sessions.underlayMac(n.name));
    const cache = this.logicalCache;
    if (cache?.state === state && cache.facts.every((f, i) => f === facts[i]) && cache.macs.every((m, i) => m === macs[i])) return cache.logical;
    const factsOf = new Map(state.nodes.map((n, i) => [n.name, facts[i]]));
    const down = new Set<string>();
    for (const p of state.ports) {
      // A node this member has no session with is not known to lack the VM: its flows stay.
      const f = p.node === undefined ? undefined : factsOf.get(p.node);
      if (f && !f.vmPorts.has(p.name)) down.add(p.name);
    }
    const key = `${macs.join(',')}|${[...down].join(',')}`;
    if (cache?.state === state && cache.key === key) {
      cache.facts = facts;
      cache.macs = macs;
      return cache.logical;
    }
    const logical: LogicalState = {
      ...state,
      nodes: state.nodes.map((n, i) => (macs[i] ? { ...n, underlayMac: macs[i] } : n)),
      ports: down.size === 0 ? state.ports : state.ports.map((p) => (down.has(p.name) ? { ...p, up: false } : p)),
    };
    this.logicalCache = { state, key, logical, facts, macs };
    return logical;
  }

  private switchOf(node: string): OpenFlowConnection | undefined {
    const dpid = this.sessions.datapathId(node);
    if (dpid === undefined) return undefined;
    return this.openflow.connections.find((c) => c.isOpen && c.datapathId === dpid);
  }

  /** Programs one node; true when nothing the node should have is missing (every wanted tunnel
   *  and bound VM has its OpenFlow port, and the switch now holds exactly the desired flows). */
  private async program(node: string): Promise<boolean> {
    const sw = this.switchOf(node);
    if (!sw || !this.sessions.view(node)) return false; // comes back when the node connects
    let mastered = this.masters.get(node);
    if (!mastered || mastered.sw !== sw) {
      // A rising generation through the quorum: the switch refuses any older master.
      const generation = await this.store.bumpGeneration(node, this.me, { timeoutMs: LEASE_MS });
      await sw.role('master', BigInt(generation));
      mastered = { generation, sw, verifyAt: 0, memo: new PipelineMemo() };
      this.masters.set(node, mastered);
      this.emit('log', `${node}: master (generation ${generation})`);
    }
    const logical = this.logical();
    const last = mastered.last;
    // Most changes are ports elsewhere: the node's tunnels stay, and its flows are patched.
    const unchangedTunnels = last !== undefined && sameTunnels(last.logical, logical);
    const wantedTunnels: WantedTunnel[] = unchangedTunnels
      ? last.tunnels
      : desiredTunnels(logical, node).map((t) => ({
          name: t.name,
          encap: t.encap,
          remoteIp: t.remoteIp,
          ...(t.remoteMac ? { remoteMac: t.remoteMac } : {}),
          ...(t.bfd ? { bfd: true } : {}),
        }));
    // A restarted service node tells hypervisors not to use it until its flows are in.
    const changedTunnels = await this.sessions.syncTunnels(node, wantedTunnels, { holdCpathDown: true });
    const facts = this.sessions.facts(node);
    let t0 = performance.now();
    const patched = unchangedTunnels && last.facts === facts ? patchRemotePorts(last.desired, last.logical, logical, node, facts, mastered.memo) : undefined;
    const desired = patched?.desired ?? desiredFlows(logical, node, facts, mastered.memo);
    mastered.last = { logical, facts, desired, tunnels: wantedTunnels };
    let computeMs = performance.now() - t0;
    let actual = mastered.installed;
    if (!actual || Date.now() > mastered.verifyAt) {
      const [flows, groups] = await Promise.all([sw.flowStats(), sw.groupDesc()]);
      actual = { flows, groups };
      mastered.verifyAt = Date.now() + VERIFY_MS * (0.75 + Math.random() / 2);
    }
    t0 = performance.now();
    // The switch holds what was computed last (this member's own record): a patch's difference
    // is all there is to send.
    const changes =
      patched && last && actual.flows === last.desired.flows && actual.groups === last.desired.groups
        ? reconcile({ flows: patched.added, groups: [] }, { flows: patched.removed, groups: [] })
        : reconcile(desired, actual);
    computeMs += performance.now() - t0; // not the read of the switch in between
    if (this.debug) this.emit('log', `${node}: ${patched ? 'patched' : 'computed'} ${changes.length} changes in ${computeMs.toFixed(1)} ms`);
    if (changes.length > 0 && this.masters.get(node) === mastered) {
      try {
        mastered.installed = undefined; // until the switch confirms every change
        const sent = Date.now();
        await sw.install(changes);
        if (this.debug) this.emit('log', `${node}: ${changes.length} changes installed in ${Date.now() - sent} ms`);
      } catch (error) {
        // Another member asserted itself at the switch. Decided again rather than run again:
        // the node may have gone to its owner; if it is still ours, a newer generation follows.
        if (error instanceof OpenFlowInstallError && error.failures.some((f) => f.error.codeName === 'IS_SLAVE')) {
          if (this.masters.get(node) === mastered) this.masters.delete(node);
          this.schedule();
          return false;
        }
        throw error;
      }
    }
    // Every port the node should have is on br-int (VMs, router interfaces and uplinks, gateway
    // NICs): a gateway's flows for its router are only whole then.
    const expected = expectedPorts(logical, node);
    const portsIn =
      expected.vmPorts.every((p) => facts.vmPorts.has(p)) && expected.physicalPorts.every((p) => facts.physicalPorts?.has(p) === true);
    if (this.masters.get(node) === mastered) {
      mastered.installed = installed(desired);
      // Flows are in: release cpath_down, which a restarted service node or gateway boots with so
      // that others keep away from it meanwhile. A gateway also waits for its router's ports,
      // which the node agent plugs in after ovs-vswitchd starts.
      if (portsIn) await this.sessions.syncTunnels(node, wantedTunnels);
    }
    return !changedTunnels && wantedTunnels.every((t) => facts.tunnelPorts.has(t.name)) && portsIn;
  }
}

export async function startOpenFlow(port = OPENFLOW_PORT): Promise<OpenFlowController> {
  // As for the OVSDB sessions (node-sessions.ts): a dead switch closes its connection, and
  // probes every second on every switch cost a member more than they ever told it.
  const controller = new OpenFlowController({ echoInterval: 5000, deadTime: 15000 });
  await controller.listen(port, '0.0.0.0');
  return controller;
}
