// Our client and replica against a private, real Open vSwitch (ovsdb-server + ovs-vswitchd,
// netdev datapath): bridges, ports and tunnel interfaces created by transact show up in
// ovs-vsctl; ovs-vsctl's changes reach our replica; every transact operation is exercised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';
import {
  OvsdbClient,
  OvsdbTransactionError,
  Replica,
  namedUuid,
  op,
  uuid,
  whereUuid,
  type Uuid,
  type OvsdbMap,
  type ReplicaChange,
  type ReplicaRow,
} from '../../../src/ovsdb/index.ts';

const DB = 'Open_vSwitch';

/** The columns these tests read, typed (the replica is typed by this declaration). */
interface Vswitch {
  Open_vSwitch: { bridges: Uuid[]; ovs_version: string[] };
  Bridge: { name: string; datapath_type: string; ports: Uuid[]; external_ids: Map<string, string> };
  Port: { name: string; interfaces: Uuid[] };
  Interface: { name: string; type: string; ofport: number[]; options: Map<string, string>; external_ids: Map<string, string> };
}

describe('Open_vSwitch through our OVSDB client', () => {
  let ovs: LocalOvs;
  let client: OvsdbClient;
  let replica: Replica<Vswitch>;
  const bridges: string[] = [];
  const rootUuid = () => replica.rows('Open_vSwitch')[0]!._uuid;
  const ifaceByIfaceId = (id: string) => replica.find('Interface', (i) => i.external_ids.get('iface-id') === id);

  beforeAll(async () => {
    ovs = await startLocalOvs();
    client = OvsdbClient.connect(ovs.dbRemote, { requestTimeout: 30_000 });
    replica = await new Replica<Vswitch>(client, {
      database: DB,
      tables: { Open_vSwitch: { columns: ['bridges', 'ovs_version'] }, Bridge: true, Port: true, Interface: true },
    }).start();
  });

  afterAll(async () => {
    for (const b of bridges) await ovs?.vsctl('--if-exists', 'del-br', b).catch(() => {});
    client?.close();
    await ovs?.stop();
  });

  it('lists databases and reads the schema', async () => {
    expect(await client.listDbs()).toEqual(expect.arrayContaining([DB, '_Server']));
    const schema = await client.getSchema(DB);
    expect(schema.tables.Interface!.columns.ofport!.kind).toBe('set');
    expect(replica.isSynced).toBe(true);
    expect(replica.rows('Open_vSwitch')).toHaveLength(1);
    expect(await client.echo()).toBeGreaterThanOrEqual(0);
  });

  it('creates a bridge with a VM port and geneve/vxlan/gre tunnels in one transaction; ofport learned by iface-id', async () => {
    const br = uniqueBridgeName('nvo');
    bridges.push(br);
    const [vm, gnv, vx, gre] = [uniqueBridgeName('vm'), uniqueBridgeName('gnv'), uniqueBridgeName('vx'), uniqueBridgeName('gre')];
    const tunnel = (name: string, type: string, options: [string, string][]) => [
      op.insert('Interface', { name, type, options: new Map(options) }, `i_${type}`),
      op.insert('Port', { name, interfaces: [namedUuid(`i_${type}`)] }, `p_${type}`),
    ];
    const results = await client.transact(DB, [
      op.insert('Interface', { name: br, type: 'internal' }, 'i_br'),
      op.insert('Port', { name: br, interfaces: [namedUuid('i_br')] }, 'p_br'),
      op.insert('Interface', { name: vm, type: 'internal', external_ids: new Map([['iface-id', `lp-${vm}`]]) }, 'i_vm'),
      op.insert('Port', { name: vm, interfaces: [namedUuid('i_vm')] }, 'p_vm'),
      ...tunnel(gnv, 'geneve', [
        ['remote_ip', '192.0.2.10'],
        ['key', 'flow'],
      ]),
      ...tunnel(vx, 'vxlan', [
        ['remote_ip', '192.0.2.11'],
        ['key', '5001'],
      ]),
      ...tunnel(gre, 'gre', [
        ['remote_ip', '192.0.2.12'],
        ['key', '7'],
      ]),
      op.insert(
        'Bridge',
        {
          name: br,
          datapath_type: 'netdev',
          fail_mode: ['secure'],
          ports: ['p_br', 'p_vm', 'p_geneve', 'p_vxlan', 'p_gre'].map(namedUuid),
          external_ids: new Map([['owner', 'nvlab-test']]),
        },
        'b',
      ),
      op.mutate('Open_vSwitch', [], [['bridges', 'insert', [namedUuid('b')]]]),
      op.comment(`nvlab test: add ${br}`),
    ]);
    expect(results.at(-3)!.uuid).toBeDefined();

    const show = await ovs.vsctl('show');
    expect(show).toContain(`Bridge ${br}`);
    for (const [name, type, ip] of [
      [gnv, 'geneve', '192.0.2.10'],
      [vx, 'vxlan', '192.0.2.11'],
      [gre, 'gre', '192.0.2.12'],
    ] as const) {
      expect(show).toContain(`Interface ${name}`);
      expect(await ovs.vsctl('get', 'Interface', name, 'type')).toBe(type);
      expect(await ovs.vsctl('get', 'Interface', name, 'options:remote_ip')).toBe(`"${ip}"`);
    }
    expect(await ovs.vsctl('get', 'Interface', vx, 'options:key')).toBe('"5001"');
    expect(await ovs.vsctl('get', 'Bridge', br, 'fail_mode')).toBe('secure');

    // vswitchd assigns ofports; we learn them through the monitor, keyed by iface-id.
    const iface = await replica.waitFor(() => {
      const i = ifaceByIfaceId(`lp-${vm}`);
      return i && i.ofport[0]! > 0 ? i : undefined;
    });
    const ofport = iface.ofport[0]!;
    expect(await ovs.vsctl('get', 'Interface', vm, 'ofport')).toBe(String(ofport));
    const tunnels = await replica.waitFor(() => {
      const rows = [gnv, vx, gre].map((n) => replica.find('Interface', (i) => i.name === n));
      return rows.every((r) => r && r.ofport[0]! > 0) ? (rows as ReplicaRow<Vswitch['Interface']>[]) : undefined;
    });
    expect(tunnels.map((t) => t.type)).toEqual(['geneve', 'vxlan', 'gre']);
  });

  it("sees ovs-vsctl's changes as insert, update and delete events with old and new rows", async () => {
    const br = uniqueBridgeName('nvv');
    bridges.push(br);
    const changes: ReplicaChange[] = [];
    const onChange = (c: ReplicaChange[]) => changes.push(...c);
    replica.on('change', onChange);
    await ovs.addBridge(br);
    const bridge = await replica.waitFor((s) => s.rows('Bridge').find((b) => b.name === br));
    expect(bridge.datapath_type).toBe('netdev');
    expect(changes.some((c) => c.type === 'insert' && c.table === 'Bridge' && c.row.name === br)).toBe(true);

    const port = uniqueBridgeName('vp');
    await ovs.vsctl('add-port', br, port, '--', 'set', 'Interface', port, 'type=internal', `external_ids:iface-id=vif-${port}`);
    await replica.waitFor(() => ifaceByIfaceId(`vif-${port}`));
    await ovs.vsctl('set', 'Interface', port, `external_ids:iface-id=vif2-${port}`);
    const updated = await replica.waitFor(() => ifaceByIfaceId(`vif2-${port}`));
    const upd = changes.find(
      (c): c is Extract<ReplicaChange, { type: 'update' }> =>
        c.type === 'update' && c.table === 'Interface' && (c.row.external_ids as OvsdbMap).get('iface-id') === `vif2-${port}`,
    )!;
    expect((upd.old.external_ids as OvsdbMap).get('iface-id')).toBe(`vif-${port}`);
    expect(upd.row._uuid).toBe(updated._uuid);

    // A snapshot taken now is unaffected by later changes.
    const before = replica.snapshot();
    await ovs.vsctl('del-port', br, port);
    await replica.waitFor((s) => !s.get('Interface', updated._uuid));
    expect(before.get('Interface', updated._uuid)).toBeDefined();
    expect(changes.some((c) => c.type === 'delete' && c.table === 'Interface' && c.old._uuid === updated._uuid)).toBe(true);
    replica.off('change', onChange);
  });

  it('runs select, update, mutate, wait, delete, abort and assert with typed results and errors', async () => {
    const br = uniqueBridgeName('nvx');
    bridges.push(br);
    await ovs.addBridge(br);
    const [sel] = await client.transact(DB, [op.select('Bridge', [['name', '==', br]], ['_uuid', 'name', 'external_ids'])]);
    const row = sel!.rows![0]!;
    const brUuid = row._uuid as ReturnType<typeof uuid>;
    expect(row.external_ids).toEqual(new Map());

    const [upd] = await client.transact(DB, [op.update('Bridge', whereUuid(brUuid), { external_ids: new Map([['a', '1']]) })]);
    expect(upd!.count).toBe(1);
    await client.transact(DB, [
      op.mutate('Bridge', whereUuid(brUuid), [
        ['external_ids', 'insert', new Map([['b', '2']])],
        ['external_ids', 'delete', ['a']],
        ['flood_vlans', 'insert', [10, 20]],
      ]),
    ]);
    expect(await ovs.vsctl('get', 'Bridge', br, 'external_ids')).toBe('{b="2"}');
    expect(await ovs.vsctl('get', 'Bridge', br, 'flood_vlans')).toBe('[10, 20]');

    // wait: satisfied at once when the rows match; "timed out" when they do not (timeout 0).
    await client.transact(DB, [op.wait('Bridge', whereUuid(brUuid), ['external_ids'], '==', [{ external_ids: new Map([['b', '2']]) }], 0)]);
    const waitErr = await client
      .transact(DB, [op.wait('Bridge', whereUuid(brUuid), ['external_ids'], '==', [{ external_ids: new Map() }], 0)])
      .catch((e: unknown) => e);
    expect(waitErr).toBeInstanceOf(OvsdbTransactionError);
    expect(waitErr).toMatchObject({ code: 'OVSDB_TRANSACTION', error: 'timed out', index: 0 });

    // abort rolls back the whole transaction.
    const abortErr = await client
      .transact(DB, [op.update('Bridge', whereUuid(brUuid), { external_ids: new Map([['c', '3']]) }), op.abort()])
      .catch((e: unknown) => e);
    expect(abortErr).toMatchObject({ error: 'aborted', index: 1 });
    expect(await ovs.vsctl('get', 'Bridge', br, 'external_ids')).toBe('{b="2"}');

    // assert on a lock we do not hold.
    await expect(client.transact(DB, [op.assert('not_ours')])).rejects.toMatchObject({ error: 'not owner' });
    // a dangling strong reference fails at commit with an extra result element.
    await expect(
      client.transact(DB, [op.update('Bridge', whereUuid(brUuid), { ports: [uuid('00000000-0000-0000-0000-000000000001')] })]),
    ).rejects.toMatchObject({ error: 'referential integrity violation', index: 1 });

    // delete: drop the bridge from the root row and the row itself, in one transaction.
    const [, del] = await client.transact(DB, [
      op.mutate('Open_vSwitch', whereUuid(rootUuid()), [['bridges', 'delete', [brUuid]]]),
      op.delete('Bridge', whereUuid(brUuid)),
      op.commit(false),
    ]);
    expect(del!.count).toBe(1);
    await replica.waitFor((s) => !s.rows('Bridge').some((b) => b.name === br));
    expect(await ovs.vsctl('list-br')).not.toContain(br);
  });

  it('verify (IDL-style optimistic concurrency) fails a transaction built on stale reads', async () => {
    const br = uniqueBridgeName('nvy');
    bridges.push(br);
    await ovs.addBridge(br, '--', 'set', 'Bridge', br, 'external_ids:gen=1');
    const row = await replica.waitFor((s) => s.rows('Bridge').find((b) => b.name === br));
    const fresh = replica.verify('Bridge', row._uuid, ['external_ids']);
    await replica.transact([fresh, op.update('Bridge', whereUuid(row._uuid), { external_ids: new Map([['gen', '2']]) })]);
    await replica.waitFor((s) => s.get('Bridge', row._uuid)?.external_ids.get('gen') === '2');

    const stale = replica.verify('Bridge', row._uuid, ['external_ids']); // built from gen=2
    await ovs.vsctl('set', 'Bridge', br, 'external_ids:gen=3'); // someone else writes first
    const err = await replica
      .transact([stale, op.update('Bridge', whereUuid(row._uuid), { external_ids: new Map([['gen', '4']]) })])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OVSDB_TRANSACTION', error: 'timed out', index: 0 });
    expect(await ovs.vsctl('get', 'Bridge', br, 'external_ids:gen')).toBe('"3"');
  });

  it('a replica over plain monitor (update notifications) agrees with the monitor_cond one', async () => {
    const other = OvsdbClient.connect(ovs.dbRemote);
    try {
      const r1 = await new Replica(other, {
        database: DB,
        method: 'monitor',
        tables: { Bridge: { columns: ['name', 'external_ids'] } },
      }).start();
      const br = uniqueBridgeName('nvm');
      bridges.push(br);
      await ovs.addBridge(br, '--', 'set', 'Bridge', br, 'external_ids:k=v');
      const row = await r1.waitFor((s) => s.rows('Bridge').find((b) => b.name === br));
      expect(row.external_ids).toEqual(new Map([['k', 'v']]));
      await ovs.vsctl('set', 'Bridge', br, 'external_ids:k=w');
      await r1.waitFor((s) => (s.rows('Bridge').find((b) => b.name === br)?.external_ids as OvsdbMap | undefined)?.get('k') === 'w');
      await replica.waitFor(
        (s) =>
          s
            .rows('Bridge')
            .find((b) => b.name === br)
            ?.external_ids.get('k') === 'w',
      );
      const mine = replica.find('Bridge', (b) => b.name === br)!;
      expect(r1.get('Bridge', mine._uuid)!.external_ids).toEqual(mine.external_ids);
      await r1.stop();
    } finally {
      other.close();
    }
  });

  it('filters rows with monitor_cond conditions', async () => {
    const br = uniqueBridgeName('nvc');
    bridges.push(br);
    const other = OvsdbClient.connect(ovs.dbRemote);
    try {
      const r = await new Replica(other, { database: DB, tables: { Bridge: { columns: ['name'], where: [['name', '==', br]] } } }).start();
      expect(r.rows('Bridge')).toHaveLength(0);
      await ovs.addBridge(br);
      await r.waitFor((s) => s.rows('Bridge').length === 1);
      expect(r.rows('Bridge').map((b) => b.name)).toEqual([br]);
    } finally {
      other.close();
    }
  });
});
