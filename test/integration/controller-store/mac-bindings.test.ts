// Learned MAC bindings (OVN's MAC_Binding) in a real 3-member NvStore cluster: a binding learned
// through one member reaches every member's logical state; learning it again writes nothing;
// members learning one address at once all get an answer, never an error; a binding goes with
// its switch, and never keeps a switch from going.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, type Learned } from '../../../src/controller/store/index.ts';
import type { LogicalState } from '../../../src/model/index.ts';
import { startControllerCluster, waitUntil, type LocalCluster } from './support.ts';

describe('learned MAC bindings in a 3-member NvStore cluster', () => {
  let cluster: LocalCluster;
  let a: Store;
  let b: Store;
  let c: Store;

  beforeAll(async () => {
    cluster = await startControllerCluster(3);
    [a, b, c] = (await Promise.all(cluster.remotes.map((r) => Store.open([r])))) as [Store, Store, Store];
    await a.createNode({ name: 'gw1', role: 'l2-gateway', underlayIp: '172.30.1.31' });
    await a.createSwitch({ name: 'db', vni: 5020, subnet: '192.168.20.0/24' });
    await a.createSwitch({ name: 'web', vni: 5001, subnet: '10.0.1.0/24' });
    await a.createPort({ name: 'db-1', switch: 'db', mac: '02:00:00:00:14:0b', ip: '192.168.20.11', node: 'gw1' });
  });
  afterAll(async () => {
    for (const s of [a, b, c]) await s?.close();
    await cluster?.stop();
  });

  const nas = { switch: 'db', ip: '192.168.20.60', mac: '0a:00:00:00:14:3c' };
  const router = { switch: 'db', ip: '192.168.20.254', mac: '0a:00:00:00:14:fe' };

  it("learns a binding through one member; every member's logical state carries it, announced by a change", async () => {
    const changes: LogicalState[] = [];
    c.on('change', (s) => changes.push(s));
    expect(await a.learnMacBinding({ ...router, mac: router.mac.toUpperCase() })).toBe('added');
    // Read-your-writes on the member written through.
    expect(a.macBindings()).toEqual([router]);
    expect(await b.learnMacBinding(nas)).toBe('added');
    await waitUntil(() => c.state().macBindings?.length === 2, 10_000, 'both bindings on member 3');
    expect(c.state().macBindings).toEqual([nas, router]);
    expect(c.macBindings()).toEqual([nas, router]);
    expect(changes.at(-1)?.macBindings).toEqual([nas, router]);
  });

  it('answers same without a write, and changed for a new MAC, from any member', async () => {
    const before = c.state();
    expect(await b.learnMacBinding(router)).toBe('same');
    // A write after it: once member 3 has it, it has whatever the learning wrote (nothing).
    await a.heartbeat('ctrl1', Date.now() + 60_000);
    await waitUntil(() => c.members().some((m) => m.name === 'ctrl1'), 10_000, 'the heartbeat on member 3');
    expect(c.state()).toBe(before);

    const moved = { ...router, mac: '0a:00:00:00:14:fd' };
    expect(await c.learnMacBinding(moved)).toBe('changed');
    await waitUntil(() => a.state().macBindings?.[1]?.mac === moved.mac, 10_000, 'the new MAC on member 1');
    expect(a.state().macBindings).toEqual([nas, moved]);
    expect(await a.learnMacBinding(router)).toBe('changed');
  });

  it('gives every member learning one address at once an answer: one added, the others same or changed', async () => {
    const printer = { switch: 'db', ip: '192.168.20.50', mac: '0a:00:00:00:14:32' };
    const same = await Promise.all([a, b, c].map((s) => s.learnMacBinding(printer)));
    expect([...same].sort()).toEqual<Learned[]>(['added', 'same', 'same']);

    const macs = ['0a:00:00:00:14:41', '0a:00:00:00:14:42', '0a:00:00:00:14:43'];
    const claims = macs.map((mac) => ({ switch: 'db', ip: '192.168.20.65', mac }));
    const outcomes = await Promise.all([a, b, c].map((s, i) => s.learnMacBinding(claims[i]!)));
    expect([...outcomes].sort()).toEqual<Learned[]>(['added', 'changed', 'changed']);
    // The last one to commit wins, and every member agrees on it.
    const last = (s: Store) => s.macBindings().find((x) => x.ip === '192.168.20.65')?.mac;
    await waitUntil(() => [a, b, c].every((s) => last(s) === last(a)), 10_000, 'one MAC for the address on every member');
    expect(macs).toContain(last(a));
  });

  it('refuses a binding on a switch that does not exist, and one that is not a binding', async () => {
    await expect(a.learnMacBinding({ switch: 'nope', ip: '10.9.0.1', mac: '0a:00:00:00:09:01' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'logical switch "nope" not found',
    });
    await expect(a.learnMacBinding({ switch: 'db', ip: '192.168.20.0/24', mac: nas.mac })).rejects.toMatchObject({ code: 'INVALID' });
    expect(a.macBindings().some((x) => x.switch === 'nope')).toBe(false);
  });

  it('forgets one binding, once', async () => {
    await b.forgetMacBinding('db', nas.ip);
    expect(b.macBindings().some((x) => x.ip === nas.ip)).toBe(false);
    await expect(c.forgetMacBinding('db', nas.ip)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'MAC binding "db/192.168.20.60" not found',
    });
  });

  it("keeps a switch's bindings when it is updated, and deletes them with it; they never keep it from going", async () => {
    const web = { switch: 'web', ip: '10.0.1.254', mac: '0a:00:00:00:01:fe' };
    expect(await a.learnMacBinding(web)).toBe('added');
    await a.updateSwitch('db', { vni: 5020, subnet: '192.168.20.0/24', replication: 'service-node' });
    expect(a.macBindings().filter((x) => x.switch === 'db')).toHaveLength(3);
    // Its port still keeps it; the message names the port alone.
    await expect(b.deleteSwitch('db')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'logical switch "db" still has logical ports: db-1',
    });
    await b.deletePort('db-1');
    await b.deleteSwitch('db');
    expect(b.macBindings()).toEqual([web]);
    await waitUntil(() => c.state().switches.length === 1, 10_000, 'the switch gone on member 3');
    expect(c.state().macBindings).toEqual([web]);
    // A switch created again under the name starts with nothing learned.
    await c.createSwitch({ name: 'db', vni: 5020 });
    expect(c.macBindings()).toEqual([web]);
  });
});
