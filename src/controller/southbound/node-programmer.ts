// Programming one transport node this member masters: its tunnels over OVSDB, then br-int's
// flows and groups over OpenFlow 1.3 by reconciliation (read what the switch has, send only the
// difference; never a wipe). Holds what the member knows of each node it masters.
import {
  OpenFlowInstallError,
  type MeterDesc,
  type OpenFlowConnection,
  type OpenFlowController,
  readFlowTable,
  readGroupTable,
  type TableDigest,
} from '../../openflow/index.ts';
import {
  desiredFlows,
  desiredTunnels,
  expectedPorts,
  installed,
  reconcileMeters,
  patchRemotePorts,
  PipelineMemo,
  reconcile,
  reconciledFlow,
  reconciledGroup,
  sameTunnels,
  type ActualFlows,
  type DesiredFlows,
  type NodeFacts,
} from '../pipeline/index.ts';
import type { Store } from '../store/index.ts';
import { LEASE_MS } from '../mastership/lease.ts';
import type { LogicalState } from '../../model/index.ts';
import type { LogicalView } from './logical-view.ts';
import type { LoopMetrics } from './metrics.ts';
import type { NodeSessions, WantedTunnel } from './node-sessions.ts';
import { switchOf } from './switch-identity.ts';
import { NodeRuns } from './node-runs.ts';
import { Turns } from '../../util/turns.ts';

/** A master re-reads its switch about this often, to repair what someone else changed there;
 *  spread by ±25% per node so that the nodes mastered at once are not all read at once again
 *  (20 flow dumps in one go took ~100 ms of a member's CPU). A switch found as it was left is
 *  read as fingerprints only (Mastered.verified). */
const VERIFY_MS = 30_000;

/** What this member knows of a node it masters. A node it does not master has no entry. */
export interface Mastered {
  generation: number;
  sw: OpenFlowConnection;
  /** What this member has installed since it last read the switch: later changes reconcile
   *  against it without a round trip. Undefined: read the switch first. */
  installed?: ActualFlows;
  /** Its meters (ports' QoS) as installed since last read; undefined: read the switch first. */
  meters?: MeterDesc[];
  /** When to read the switch again (VERIFY_MS). */
  verifyAt: number;
  /** Fingerprints of the switch's flow and group tables (what reconcile looks at) when it last
   *  held exactly `installed`. The next periodic read asks for fingerprints only and decodes the
   *  tables only when they differ: decoding and normalising every flow of every mastered switch
   *  was most of an idle member's CPU (bench:scale, 100 nodes). Dropped when changes are sent. */
  verified?: { installed: ActualFlows; flows: TableDigest; groups: TableDigest };
  /** The node's flows as last computed, reused where unchanged (reconcile skips those). */
  memo: PipelineMemo;
  /** What the last computation started from and gave: a change of other nodes' ports is
   *  patched into it instead of computing the node again. */
  last?: { logical: LogicalState; facts: NodeFacts; desired: DesiredFlows; tunnels: WantedTunnel[] };
}

export interface NodeProgrammerDeps {
  me: string;
  store: Pick<Store, 'bumpGeneration'>;
  sessions: NodeSessions;
  openflow: Pick<OpenFlowController, 'connections'>;
  logical: LogicalView;
  metrics: LoopMetrics;
  log(line: string): void;
  /** A switch refused this member's flow-mods as from a slave: decide again. */
  lost(): void;
  /** A run failed (typically no quorum for a moment): try again soon. */
  failed(): void;
}

export class NodeProgrammer {
  private readonly masters = new Map<string, Mastered>();
  private readonly runs: NodeRuns;
  private readonly turns = new Turns();

  constructor(private readonly deps: NodeProgrammerDeps) {
    this.runs = new NodeRuns((node) => this.program(node), {
      started: () => deps.metrics.programStarted(),
      ended: (ms) => deps.metrics.programEnded(ms),
      failed: (node, error) => {
        deps.log(`${node}: ${error instanceof Error ? error.message : String(error)}`);
        deps.failed();
      },
    });
  }

  /** Nodes this member is master of now, with what it knows of each. */
  get mastered(): ReadonlyMap<string, Mastered> {
    return this.masters;
  }

  /** Nodes this member masters that are fully programmed (the lab runner waits for these). */
  programmed(): string[] {
    return this.runs
      .completed()
      .filter((node) => this.masters.has(node))
      .sort();
  }

  isComplete(node: string): boolean {
    return this.runs.isComplete(node);
  }

  isRunning(node: string): boolean {
    return this.runs.isRunning(node);
  }

  /** Programs the node now, or once more after the run in progress. */
  kick(node: string): void {
    this.runs.kick(node);
  }

  /** Left out until a later run (another node's plug: the remote batch). */
  defer(node: string): void {
    this.runs.incomplete(node);
  }

  relinquish(node: string): void {
    const mastered = this.masters.get(node);
    if (!mastered) return;
    this.masters.delete(node);
    this.runs.incomplete(node);
    // Step down at the switch too, so it never keeps a master the cluster does not count on.
    // Refused as stale when the new master already asserted itself; that is fine.
    mastered.sw.role('slave', BigInt(mastered.generation)).catch(() => {});
    this.deps.log(`${node}: no longer master`);
  }

  /** The switch no longer gives this member the master role (the audit found out). */
  demoted(node: string): void {
    this.masters.delete(node);
    this.runs.incomplete(node);
    this.deps.log(`${node}: the switch had demoted this member; asserting again`);
  }

  /** A switch's connection closed: its node is taken again over the next connection. */
  disconnected(sw: OpenFlowConnection): void {
    for (const [node, m] of this.masters) if (m.sw === sw) this.masters.delete(node);
  }

  /** Programs one node; true when nothing the node should have is missing (every wanted tunnel
   *  and bound VM has its OpenFlow port, and the switch now holds exactly the desired flows). */
  private async program(node: string): Promise<boolean> {
    const { sessions, metrics } = this.deps;
    const sw = switchOf(sessions, this.deps.openflow.connections, node);
    if (!sw || !sessions.view(node)) return false; // comes back when the node connects
    let mastered = this.masters.get(node);
    if (!mastered || mastered.sw !== sw) {
      // A rising generation through the quorum: the switch refuses any older master.
      const generation = await this.deps.store.bumpGeneration(node, this.deps.me, { timeoutMs: LEASE_MS });
      await sw.role('master', BigInt(generation));
      mastered = { generation, sw, verifyAt: 0, memo: new PipelineMemo() };
      this.masters.set(node, mastered);
      this.deps.log(`${node}: master (generation ${generation})`);
    }
    const logical = this.deps.logical.current();
    const last = mastered.last;
    // Most changes are ports elsewhere: the node's tunnels stay, and its flows are patched.
    const unchangedTunnels = last !== undefined && sameTunnels(last.logical, logical);
    const wantedTunnels = unchangedTunnels ? last.tunnels : tunnelsOf(logical, node);
    // A restarted service node tells hypervisors not to use it until its flows are in.
    const changedTunnels = await sessions.syncTunnels(node, wantedTunnels, { holdCpathDown: true });
    const facts = sessions.facts(node);
    // Computing takes its turn (Turns): a decision that reaches a thousand nodes does not hold
    // the event loop for the whole of it.
    const {
      patched,
      desired,
      ms: patchMs,
    } = await this.turns.run(() => {
      const t0 = performance.now();
      const patched =
        unchangedTunnels && last.facts === facts
          ? patchRemotePorts(last.desired, last.logical, logical, node, facts, mastered.memo)
          : undefined;
      const desired = patched?.desired ?? desiredFlows(logical, node, facts, mastered.memo);
      return { patched, desired, ms: performance.now() - t0 };
    });
    mastered.last = { logical, facts, desired, tunnels: wantedTunnels };
    const { actual, meters, read } = await this.readSwitch(node, mastered, sw);
    const wantedMeters = desired.meters ?? [];
    const meterChanges = reconcileMeters(wantedMeters, meters);
    // The switch holds what was computed last (this member's own record): a patch's difference
    // is all there is to send.
    const { changes, ms: reconcileMs } = await this.turns.run(() => {
      const t0 = performance.now();
      const changes =
        patched && last && actual.flows === last.desired.flows && actual.groups === last.desired.groups
          ? reconcile({ flows: patched.added, groups: [] }, { flows: patched.removed, groups: [] })
          : reconcile(desired, actual);
      return { changes, ms: performance.now() - t0 };
    });
    // Not the read of the switch in between, nor the wait for a turn.
    metrics.computed(node, patched !== undefined, changes.length, patchMs + reconcileMs);
    const all = [...meterChanges.before, ...changes, ...meterChanges.after];
    if (all.length > 0 && this.masters.get(node) === mastered) {
      try {
        mastered.installed = undefined; // until the switch confirms every change
        mastered.meters = undefined;
        const sent = Date.now();
        await sw.install(all);
        metrics.installed(node, changes.length, Date.now() - sent);
      } catch (error) {
        // Another member asserted itself at the switch. Decided again rather than run again:
        // the node may have gone to its owner; if it is still ours, a newer generation follows.
        if (error instanceof OpenFlowInstallError && error.failures.some((f) => f.error.codeName === 'IS_SLAVE')) {
          if (this.masters.get(node) === mastered) this.masters.delete(node);
          this.deps.lost();
          return false;
        }
        throw error;
      }
    }
    const portsIn = hasExpectedPorts(logical, node, facts);
    if (this.masters.get(node) === mastered) {
      mastered.installed = installed(desired);
      mastered.meters = wantedMeters.map(({ meterId, flags, bands }) => ({ meterId, flags, bands }));
      // Nothing sent: the switch holds what it held, now recorded as `installed`.
      const verified = all.length > 0 ? undefined : (read ?? mastered.verified);
      mastered.verified = verified && { ...verified, installed: mastered.installed };
      // Flows are in: release cpath_down, which a restarted service node or gateway boots with so
      // that others keep away from it meanwhile. A gateway also waits for its router's ports,
      // which the node agent plugs in after ovs-vswitchd starts.
      if (portsIn) await sessions.syncTunnels(node, wantedTunnels);
    }
    return !changedTunnels && wantedTunnels.every((t) => facts.tunnelPorts.has(t.name)) && portsIn;
  }

  /** What the switch holds: this member's own record of it, or, when none or a periodic check is
   *  due, the switch read (as fingerprints when it was left as recorded). `read`: the
   *  fingerprints of a read decoded now. */
  private async readSwitch(
    node: string,
    mastered: Mastered,
    sw: OpenFlowConnection,
  ): Promise<{ actual: ActualFlows; meters: MeterDesc[]; read?: { flows: TableDigest; groups: TableDigest } }> {
    const { installed: actual, meters, verified } = mastered;
    if (actual && meters && Date.now() <= mastered.verifyAt) return { actual, meters };
    mastered.verifyAt = Date.now() + VERIFY_MS * (0.75 + Math.random() / 2);
    // Meters are few (ports' QoS): read as they are, and reconciled either way.
    if (actual && verified?.installed === actual && (await sameTables(sw, verified))) {
      this.deps.metrics.switchRead(node, false);
      return { actual, meters: await sw.meterConfig() };
    }
    const [flows, groups, config] = await Promise.all([
      readFlowTable(sw, reconciledFlow, true),
      readGroupTable(sw, reconciledGroup, true),
      sw.meterConfig(),
    ]);
    this.deps.metrics.switchRead(node, true);
    return { actual: { flows: flows.flows, groups: groups.groups }, meters: config, read: { flows: flows.digest, groups: groups.digest } };
  }
}

/** The switch's tables still have the fingerprints they had. */
async function sameTables(sw: OpenFlowConnection, was: { flows: TableDigest; groups: TableDigest }): Promise<boolean> {
  const [flows, groups] = await Promise.all([readFlowTable(sw, reconciledFlow, false), readGroupTable(sw, reconciledGroup, false)]);
  return sameDigest(flows.digest, was.flows) && sameDigest(groups.digest, was.groups);
}

const sameDigest = (a: TableDigest, b: TableDigest) => a.entries === b.entries && a.hash === b.hash;

/** The tunnels the node needs, as the OVSDB side takes them. */
function tunnelsOf(logical: LogicalState, node: string): WantedTunnel[] {
  return desiredTunnels(logical, node).map((t) => ({
    name: t.name,
    encap: t.encap,
    remoteIp: t.remoteIp,
    ...(t.remoteMac ? { remoteMac: t.remoteMac } : {}),
    ...(t.bfd ? { bfd: true } : {}),
  }));
}

/** Every port the node should have is on br-int (VMs, router interfaces and uplinks, gateway
 *  NICs): a gateway's flows for its router are only whole then. */
function hasExpectedPorts(logical: LogicalState, node: string, facts: NodeFacts): boolean {
  const expected = expectedPorts(logical, node);
  return expected.vmPorts.every((p) => facts.vmPorts.has(p)) && expected.physicalPorts.every((p) => facts.physicalPorts?.has(p) === true);
}
