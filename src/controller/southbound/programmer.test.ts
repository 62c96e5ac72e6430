// The member's southbound loop over fakes of its store, node sessions, switches and peer links,
// on fake timers: which nodes it takes, when it programs them, and what it sends.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { OpenFlowError, OpenFlowInstallError, type OpenFlowController, type ControllerRole } from '../../openflow/index.ts';
import type { LogicalState } from '../../model/index.ts';
import { tunnelName, type NodeFacts } from '../pipeline/index.ts';
import { hv } from '../pipeline/test-fixtures.ts';
import type { Store } from '../store/index.ts';
import type { Liveness } from '../mastership/liveness.ts';
import { HEARTBEAT_MS } from '../mastership/lease.ts';
import type { NodeSessions } from './node-sessions.ts';
import { Programmer } from './programmer.ts';
import { REMOTE_BATCH_MS } from './scheduler.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

const logical = (): LogicalState => ({
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2')],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve' }],
  ports: [
    { name: 'vm1', switch: 'web', mac: '02:00:00:00:00:01', node: 'hv1' },
    { name: 'vm2', switch: 'web', mac: '02:00:00:00:00:02', node: 'hv2' },
  ],
});

class FakeSwitch extends EventEmitter {
  isOpen = true;
  held: ControllerRole = 'equal';
  /** How many installs to refuse as from a slave (another member asserted itself). */
  refuseAsSlave = 0;
  readonly installs: unknown[][] = [];
  constructor(readonly datapathId: bigint) {
    super();
  }
  role = vi.fn(async (role: ControllerRole, generationId = 0n) => {
    if (role !== 'nochange') this.held = role;
    return { role: this.held, generationId };
  });
  flowStats = vi.fn(async () => []);
  groupDesc = vi.fn(async () => []);
  multipartFrames = vi.fn(async () => {}); // tables read as bytes: empty
  meterConfig = vi.fn(async () => []);
  install = vi.fn(async (msgs: unknown[]) => {
    if (this.refuseAsSlave > 0) {
      this.refuseAsSlave--;
      throw new OpenFlowInstallError(
        [{ index: 0, error: new OpenFlowError({ xid: 1, errorType: 1, errorCode: 10, data: Buffer.alloc(0) }) }],
        msgs.length,
      );
    }
    this.installs.push(msgs);
  });
}

class FakeStore extends EventEmitter {
  logical = logical();
  leases = ['ctrl1'];
  readonly rows = new Map<string, { member: string; generation: number }>();
  state = () => this.logical;
  liveMembers = () => this.leases.map((name) => ({ name, expires: Infinity }));
  masterships = () => [...this.rows].map(([node, r]) => ({ node, ...r }));
  heartbeat = vi.fn(async () => {});
  bumpGeneration = vi.fn(async (node: string, member: string) => {
    const generation = (this.rows.get(node)?.generation ?? 0) + 1;
    this.rows.set(node, { member, generation });
    return generation;
  });
}

class FakeSessions extends EventEmitter {
  readonly factsOf = new Map<string, NodeFacts>();
  view = (node: string) => (this.factsOf.has(node) ? {} : undefined);
  facts = (node: string) => this.factsOf.get(node) ?? { vmPorts: new Map(), tunnelPorts: new Map() };
  underlayMac = (node: string) => (this.factsOf.has(node) ? `02:00:00:00:01:0${node.slice(2)}` : undefined);
  datapathId = (node: string) => (this.factsOf.has(node) ? BigInt(node.slice(2)) : undefined);
  syncTunnels = vi.fn(async () => false);
  /** The node's ovsdb-server reports these VMs plugged in, and its tunnel to the other node. */
  report(node: string, vms: string[]): void {
    const other = node === 'hv1' ? 'hv2' : 'hv1';
    this.factsOf.set(node, {
      vmPorts: new Map(vms.map((vm, i) => [vm, i + 1])),
      tunnelPorts: new Map([[tunnelName(other, 'geneve'), 10]]),
    });
    this.emit('change', node);
  }
}

class FakeOpenFlow extends EventEmitter {
  readonly connections: FakeSwitch[] = [];
  connect(datapathId: bigint): FakeSwitch {
    const sw = new FakeSwitch(datapathId);
    this.connections.push(sw);
    this.emit('switch', sw);
    return sw;
  }
}

class FakeLiveness extends EventEmitter {
  readonly up = new Set<string>();
  constructor(readonly clusterSize: number) {
    super();
  }
  upPeers = () => [...this.up].sort();
  isUp = (name: string) => this.up.has(name);
}

function member(me = 'ctrl1', clusterSize = 1) {
  const store = new FakeStore();
  const sessions = new FakeSessions();
  const openflow = new FakeOpenFlow();
  const liveness = new FakeLiveness(clusterSize);
  const programmer = new Programmer(
    me,
    store as unknown as Store,
    sessions as unknown as NodeSessions,
    openflow as unknown as OpenFlowController,
    liveness as unknown as Liveness,
  );
  const logs: string[] = [];
  programmer.on('log', (line) => logs.push(line));
  return { programmer, store, sessions, openflow, liveness, logs };
}

/** Both nodes connected (hv2 without its VM yet) and taken by a member alone in its cluster. */
async function running() {
  const m = member();
  m.sessions.report('hv1', ['vm1']);
  m.sessions.report('hv2', []);
  const sw1 = m.openflow.connect(1n);
  const sw2 = m.openflow.connect(2n);
  m.programmer.start();
  await vi.advanceTimersByTimeAsync(10);
  return { ...m, sw1, sw2 };
}

describe('Programmer', () => {
  test('a member alone takes every connected node: generation bumped, role master, flows installed', async () => {
    const { programmer, store, sw1, sw2, logs } = await running();
    expect(programmer.masterOf()).toEqual(['hv1', 'hv2']);
    expect(store.bumpGeneration.mock.calls.map((c) => c[0]).sort()).toEqual(['hv1', 'hv2']);
    expect(sw1.role).toHaveBeenCalledWith('master', 1n);
    expect(sw1.installs).toHaveLength(1);
    expect(sw2.installs).toHaveLength(1);
    expect(logs).toContain('hv1: master (generation 1)');
    // hv2's VM is not plugged in yet: not programmed.
    expect(programmer.programmed()).toEqual(['hv1']);
    programmer.stop();
  });

  test('a plug programs its own node at once, and the other nodes of the switch REMOTE_BATCH_MS later', async () => {
    const { programmer, sessions, sw1, sw2 } = await running();
    sessions.report('hv2', ['vm2']);
    await vi.advanceTimersByTimeAsync(2);
    expect(sw2.installs).toHaveLength(2);
    expect(sw1.installs).toHaveLength(1);
    // hv1 counts as not programmed until the batch has landed.
    expect(programmer.programmed()).toEqual(['hv2']);
    await vi.advanceTimersByTimeAsync(REMOTE_BATCH_MS - 5);
    expect(sw1.installs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(sw1.installs).toHaveLength(2); // its unicast flow towards vm2
    expect(programmer.programmed()).toEqual(['hv1', 'hv2']);
    programmer.stop();
  });

  test('flow-mods refused as from a slave: the node is decided again and taken with a newer generation', async () => {
    const { programmer, store, sessions, sw2 } = await running();
    sw2.refuseAsSlave = 1;
    sessions.report('hv2', ['vm2']);
    await vi.advanceTimersByTimeAsync(10);
    expect(store.rows.get('hv2')).toEqual({ member: 'ctrl1', generation: 2 });
    expect(sw2.role).toHaveBeenCalledWith('master', 2n);
    expect(programmer.programmed()).toEqual(['hv2']); // hv1 waits for the remote batch
    programmer.stop();
  });

  test('the audit finds a switch that demoted this member, which asserts itself again', async () => {
    const { programmer, sw1, logs } = await running();
    sw1.held = 'slave';
    await vi.advanceTimersByTimeAsync(4 * HEARTBEAT_MS);
    expect(logs).toContain('hv1: the switch had demoted this member; asserting again');
    expect(sw1.role).toHaveBeenCalledWith('master', 2n);
    expect(programmer.masterOf()).toEqual(['hv1', 'hv2']);
    programmer.stop();
  });

  test("a switch's disconnect drops its node; its next connection takes it again", async () => {
    const { programmer, openflow, sw1 } = await running();
    sw1.isOpen = false;
    sw1.emit('disconnect');
    await vi.advanceTimersByTimeAsync(1);
    expect(programmer.masterOf()).toEqual(['hv2']);
    const again = openflow.connect(1n);
    await vi.advanceTimersByTimeAsync(1);
    expect(programmer.masterOf()).toEqual(['hv1', 'hv2']);
    expect(again.role).toHaveBeenCalledWith('master', 2n);
    programmer.stop();
  });

  test('without a quorum a member takes nothing; with its peer linked it takes its own share only', async () => {
    const m = member('ctrl1', 3);
    m.store.leases = ['ctrl1', 'ctrl2'];
    m.sessions.report('hv1', ['vm1']);
    m.sessions.report('hv2', []);
    m.openflow.connect(1n);
    m.openflow.connect(2n);
    m.programmer.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(m.programmer.masterOf()).toEqual([]);
    m.liveness.up.add('ctrl2');
    m.liveness.emit('change');
    await vi.advanceTimersByTimeAsync(10);
    const { ownerOf } = await import('../mastership/assign.ts');
    const mine = ['hv1', 'hv2'].filter((n) => ownerOf(n, ['ctrl1', 'ctrl2']) === 'ctrl1');
    expect(m.programmer.masterOf()).toEqual(mine);
    m.programmer.stop();
  });

  test('a master keeps a node whose owner came back until that owner has taken it', async () => {
    const { programmer, store, liveness } = await running();
    const { ownerOf } = await import('../mastership/assign.ts');
    // ctrl2's lease and link show; hv1 and hv2 go to whichever of the two owns them.
    store.leases = ['ctrl1', 'ctrl2'];
    Object.assign(liveness, { clusterSize: 2 });
    liveness.up.add('ctrl2');
    liveness.emit('change');
    await vi.advanceTimersByTimeAsync(1);
    expect(programmer.masterOf()).toEqual(['hv1', 'hv2']);
    const theirs = ['hv1', 'hv2'].filter((n) => ownerOf(n, ['ctrl1', 'ctrl2']) === 'ctrl2');
    for (const node of theirs) store.rows.set(node, { member: 'ctrl2', generation: 5 });
    store.emit('membership');
    await vi.advanceTimersByTimeAsync(1);
    expect(programmer.masterOf()).toEqual(['hv1', 'hv2'].filter((n) => !theirs.includes(n)));
    programmer.stop();
  });
});
