// The Store over a real 3-member Raft cluster of the NvStore schema: CRUD with its guards,
// replication to a store on another member, change events, leases and mastership generations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/controller/store/index.ts';
import { startControllerCluster, waitUntil, type LocalCluster } from './support.ts';
import type { LogicalState } from '../../../src/model/index.ts';

describe('Store over a 3-member NvStore cluster', () => {
  let cluster: LocalCluster;
  let a: Store;
  let b: Store;
  let c: Store;

  beforeAll(async () => {
    cluster = await startControllerCluster(3);
    [a, b, c] = (await Promise.all(cluster.remotes.map((r) => Store.open([r])))) as [Store, Store, Store];
  });
  afterAll(async () => {
    for (const s of [a, b, c]) await s?.close();
    await cluster?.stop();
  });

  it('creates nodes, switches and ports on one member and every member replicates them', async () => {
    await a.createNode({ name: 'hv1', underlayIp: '172.30.1.11', underlayMac: '02:00:00:00:00:11' });
    await a.createNode({ name: 'hv2', underlayIp: '172.30.1.12', encap: 'vxlan' });
    await a.createSwitch({ name: 'web', vni: 5001 });
    await a.createPort({ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.1', node: 'hv1' });
    // Read-your-writes on the member written through.
    expect(a.getPort('web-1')).toEqual({ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.1', node: 'hv1' });
    const expected: LogicalState = {
      nodes: [
        { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.1.11', underlayMac: '02:00:00:00:00:11' },
        { name: 'hv2', role: 'hypervisor', encap: 'vxlan', underlayIp: '172.30.1.12' },
      ],
      switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }],
      ports: [{ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.1', node: 'hv1' }],
      routers: [],
    };
    for (const s of [b, c]) await waitUntil(() => JSON.stringify(s.state()) === JSON.stringify(expected), 10_000, 'replication');
    expect(c.state()).toEqual(expected);
  });

  it('refuses duplicates and dangling references atomically', async () => {
    await expect(b.createNode({ name: 'hv1', underlayIp: '172.30.1.99' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'transport node "hv1" already exists',
    });
    await expect(b.createSwitch({ name: 'web2', vni: 5001 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'VNI 5001 is already used by logical switch "web"',
    });
    await expect(b.createPort({ name: 'web-2', switch: 'web', mac: '02:00:00:00:01:01' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('MAC 02:00:00:00:01:01 is already used'),
    });
    await expect(b.createPort({ name: 'web-2', switch: 'web', mac: '02:00:00:00:01:02', ip: '10.0.1.1' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'IP 10.0.1.1 is already used on logical switch "web" by port "web-1"',
    });
    await expect(b.createPort({ name: 'web-2', switch: 'nope', mac: '02:00:00:00:01:02' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'logical switch "nope" not found',
    });
    await expect(b.createPort({ name: 'web-2', switch: 'web', mac: '02:00:00:00:01:02', node: 'hv9' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'transport node "hv9" not found',
    });
    await expect(b.createSwitch({ name: 'Bad', vni: 0 } as never)).rejects.toMatchObject({
      code: 'INVALID',
      issues: [{ path: ['name'] }, { path: ['vni'] }],
    });
    // The same MAC and IP on another switch are fine.
    await b.createSwitch({ name: 'db', vni: 5002, replication: 'service-node' });
    await b.createPort({ name: 'db-1', switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.1' });
    // Nothing of the refused writes was applied.
    expect(b.listPorts().map((p) => p.name)).toEqual(['db-1', 'web-1']);
  });

  it('updates (name fixed, same guards) and deletes (switch or node in use: conflict)', async () => {
    await expect(c.updateSwitch('db', { vni: 5001, replication: 'source', encap: 'geneve' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(c.updateSwitch('nope', { vni: 6000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.updateSwitch('db', { name: 'other', vni: 6000 })).rejects.toMatchObject({
      code: 'INVALID',
      issues: [{ path: ['name'] }],
    });
    expect(await c.updateSwitch('db', { vni: 6000, encap: 'gre' })).toEqual({ name: 'db', vni: 6000, replication: 'source', encap: 'gre' });
    expect(c.getSwitch('db').vni).toBe(6000);
    await expect(c.updatePort('db-1', { switch: 'web', mac: '02:00:00:00:01:09', ip: '10.0.1.1' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await c.updatePort('db-1', { switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.1', node: 'hv2' });
    // Optional columns change and clear, on this member and on the others (0..1 sets in OVSDB).
    await c.updatePort('db-1', { switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.2' });
    expect(c.getPort('db-1')).toEqual({ name: 'db-1', switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.2' });
    await waitUntil(() => a.getPort('db-1').ip === '10.0.1.2', 10_000, 'ip change replicated');
    expect(a.getPort('db-1')).toEqual({ name: 'db-1', switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.2' });
    await c.updateNode('hv1', { underlayIp: '172.30.1.11' });
    await waitUntil(() => a.getNode('hv1').underlayMac === undefined, 10_000, 'cleared MAC replicated');
    expect(a.getNode('hv1')).toEqual({ name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.1.11' });
    await c.updatePort('db-1', { switch: 'db', mac: '02:00:00:00:01:01', ip: '10.0.1.1', node: 'hv2' });
    await expect(c.deleteSwitch('db')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'logical switch "db" still has logical ports: db-1',
    });
    await expect(c.deleteNode('hv2')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'transport node "hv2" still has logical ports bound: db-1',
    });
    await c.deletePort('db-1');
    await c.deleteSwitch('db');
    await expect(c.deleteSwitch('db')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(c.deletePort('db-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(() => c.getSwitch('db')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('emits change with the new logical state, not for heartbeats', async () => {
    const states: LogicalState[] = [];
    let membership = 0;
    b.on('change', (s) => states.push(s));
    b.on('membership', () => membership++);
    await a.heartbeat('ctrl1', Date.now() + 1500);
    await waitUntil(() => membership > 0, 10_000, 'membership event');
    expect(states).toHaveLength(0);
    await a.createSwitch({ name: 'events', vni: 7777 });
    await waitUntil(() => states.length > 0, 10_000, 'change event');
    expect(states.at(-1)!.switches.map((s) => s.name)).toContain('events');
  });

  it('heartbeats renew one lease row per member', async () => {
    const t = Date.now();
    await a.heartbeat('ctrl1', t + 1500);
    await b.heartbeat('ctrl2', t + 1500);
    await a.heartbeat('ctrl1', t + 3000);
    await waitUntil(() => c.members().find((m) => m.name === 'ctrl1')?.expires === t + 3000, 10_000, 'lease renewal');
    expect(c.members()).toEqual([
      { name: 'ctrl1', expires: t + 3000 },
      { name: 'ctrl2', expires: t + 1500 },
    ]);
    expect(c.liveMembers(t + 2000).map((m) => m.name)).toEqual(['ctrl1']);
  });

  it('heartbeat + bumpGeneration from two members at once never hand out the same generation twice', async () => {
    // Two callers on different members; each round renews its lease, then has three bumps in
    // flight at once, so the guard and the retry path are exercised on every round.
    const rounds = 10;
    const burst = 3;
    const run = async (store: Store, member: string) => {
      const perRound: number[][] = [];
      for (let i = 0; i < rounds; i++) {
        await store.heartbeat(member, Date.now() + 60_000);
        perRound.push(await Promise.all(Array.from({ length: burst }, () => store.bumpGeneration('hv1', member, { timeoutMs: 10_000 }))));
      }
      return perRound;
    };
    const [fromA, fromB] = await Promise.all([run(a, 'ctrl1'), run(b, 'ctrl2')]);
    const all = [...fromA.flat(), ...fromB.flat()];
    expect(new Set(all).size).toBe(all.length);
    // Together they are exactly 1..N: no gaps, no repeats.
    expect([...all].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * rounds * burst }, (_, i) => i + 1));
    // A caller's later round only gets generations above everything it got before.
    for (const seq of [fromA, fromB])
      for (let i = 1; i < rounds; i++) expect(Math.min(...seq[i]!)).toBeGreaterThan(Math.max(...seq[i - 1]!));
    const last = Math.max(...all);
    await waitUntil(() => c.masterships().find((m) => m.node === 'hv1')?.generation === last, 10_000, 'mastership replicated');
    expect(c.masterships()).toEqual([{ node: 'hv1', member: fromA.flat().includes(last) ? 'ctrl1' : 'ctrl2', generation: last }]);
    expect(c.liveMembers().map((m) => m.name)).toEqual(['ctrl1', 'ctrl2']);
  });
});
