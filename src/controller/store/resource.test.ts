// The generic operations over the real descriptions, without a cluster: the transaction each
// write sends (guards, own row, child rows), how its failures read, and read-your-writes.
import { describe, expect, it } from 'vitest';
import { OvsdbTransactionError, type Operation } from '../../ovsdb/index.ts';
import type { ResourceName } from '../../model/index.ts';
import type { Snapshot } from './description.ts';
import { Resource, type ResourceContext } from './resource.ts';
import { STORED } from './resources/index.ts';
import type { Txn } from './txn.ts';

const ROWS: Record<string, object[]> = {
  Transport_Node: [{ name: 'gw1', role: 'l3-gateway', encap: 'geneve', underlay_ip: '172.30.0.31', underlay_mac: [], mgmt_ip: [] }],
  Logical_Switch: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: [] }],
  Logical_Port: [{ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: [], node: [], security_groups: ['web'] }],
  Logical_Router: [],
  Logical_Router_Interface: [],
  Logical_Router_Gateway: [],
  Logical_Router_Route: [],
  Security_Group: [{ name: 'web' }, { name: 'admin' }],
  Security_Group_Rule: [
    { group: 'admin', position: 0, direction: 'ingress', protocol: 'any', port_min: [], port_max: [], remote: 'web', action: 'allow' },
    { group: 'web', position: 0, direction: 'ingress', protocol: 'any', port_min: [], port_max: [], remote: 'web', action: 'allow' },
  ],
};

/** A store of fixed rows whose commits are recorded and answered by `answer`. */
function harness(answer: (ops: Operation[]) => OvsdbTransactionError | number = () => 1) {
  const rows = structuredClone(ROWS);
  const snapshot = { tables: new Map(), rows: (t: string) => rows[t] ?? [], get: () => undefined } as unknown as Snapshot;
  const sent: Operation[][] = [];
  const settled: boolean[] = [];
  const ctx: ResourceContext = {
    snapshot: () => snapshot,
    async commit(txn: Txn) {
      sent.push(txn.ops);
      const a = answer(txn.ops);
      if (typeof a !== 'number') throw txn.translate(a);
      return txn.ops.map(() => ({ count: a }));
    },
    async settle(probe) {
      settled.push(probe(snapshot));
    },
    view: { list: (name) => resource(name).list() as never },
  };
  const resource = <N extends ResourceName>(name: N) =>
    new Resource(STORED[name] as never, ctx) as Resource<{ name: string }, never, never>;
  return { rows, sent, settled, resource };
}

const router = {
  name: 'edge',
  interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
  uplink: { network: 'wan', ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:01', gateways: [{ node: 'gw1', nic: 'eth2' }] },
  routes: [{ prefix: '10.50.0.0/16', nextHop: '10.0.1.254' }],
};

describe('generic resource operations', () => {
  it("writes a router's own row and its child rows in one transaction, after its guards", async () => {
    const h = harness();
    await h.resource('logicalRouters').create(router as never);
    const ops = h.sent[0]!.map((o) => `${o.op} ${'table' in o ? o.table : ''}`);
    expect(ops.slice(-4)).toEqual([
      'insert Logical_Router',
      'insert Logical_Router_Interface',
      'insert Logical_Router_Gateway',
      'insert Logical_Router_Route',
    ]);
    expect(ops.slice(0, -4).every((o) => o.startsWith('wait '))).toBe(true);
  });

  it('replaces child rows on update, after the update of its own row whose count says it exists', async () => {
    const h = harness(() => 0);
    await expect(h.resource('logicalRouters').update('edge', { ...router, name: undefined } as never)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'logical router "edge" not found',
    });
    const ops = h.sent[0]!.filter((o) => o.op !== 'wait').map((o) => `${o.op} ${'table' in o ? o.table : ''}`);
    expect(ops).toEqual([
      'update Logical_Router',
      'delete Logical_Router_Interface',
      'delete Logical_Router_Gateway',
      'delete Logical_Router_Route',
      'insert Logical_Router_Interface',
      'insert Logical_Router_Gateway',
      'insert Logical_Router_Route',
    ]);
  });

  it('deletes child rows with the object, and words a failed guard from the view', async () => {
    const h = harness(
      (ops) =>
        new OvsdbTransactionError(
          'timed out',
          undefined,
          ops.findIndex((o) => o.op === 'wait'),
          [],
        ),
    );
    await expect(h.resource('logicalSwitches').delete('web')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'logical switch "web" still has logical ports: web-1',
    });
    const ok = harness();
    await ok.resource('logicalRouters').delete('edge');
    expect(ok.sent[0]!.map((o) => `${o.op} ${'table' in o ? o.table : ''}`)).toEqual([
      'delete Logical_Router',
      'delete Logical_Router_Interface',
      'delete Logical_Router_Gateway',
      'delete Logical_Router_Route',
    ]);
  });

  it("deletes a switch's learned MAC bindings with it, and keeps them when it is updated", async () => {
    const tables = (ops: Operation[]) => ops.filter((o) => o.op !== 'wait').map((o) => `${o.op} ${'table' in o ? o.table : ''}`);
    const h = harness();
    await h.resource('logicalSwitches').delete('web');
    expect(tables(h.sent[0]!)).toEqual(['delete Logical_Switch', 'delete MAC_Binding']);
    expect(h.sent[0]!.at(-1)).toEqual({ op: 'delete', table: 'MAC_Binding', where: [['logical_switch', '==', 'web']] });
    await h.resource('logicalSwitches').update('web', { vni: 5001 } as never);
    expect(tables(h.sent[1]!)).toEqual(['update Logical_Switch']);
  });

  it('words a name clash as "already exists" and others as the description does', async () => {
    const clash = (table: string, columns: string) => () =>
      new OvsdbTransactionError(
        'constraint violation',
        `Transaction causes multiple rows in "${table}" table to have identical values (x) for index on ${columns}.  First row`,
        1,
        [],
      );
    const byName = harness(clash('Transport_Node', 'column "name"'));
    await expect(byName.resource('transportNodes').create({ name: 'gw1', underlayIp: '172.30.0.9' } as never)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'transport node "gw1" already exists',
    });
    const byMac = harness(clash('Logical_Port', 'columns "switch" and "mac"'));
    await expect(
      byMac.resource('logicalPorts').create({ name: 'web-2', switch: 'web', mac: '02:00:00:00:01:01' } as never),
    ).rejects.toMatchObject({
      message: 'MAC 02:00:00:00:01:01 is already used on logical switch "web" by port "web-1"',
    });
  });

  it('reads its own write back once the replica shows it, nested objects included', async () => {
    const h = harness();
    const ls = { name: 'dc', vni: 7, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', network: 'dc', nic: 'eth2' } };
    h.rows.Logical_Switch!.push({
      name: 'dc',
      vni: 7,
      replication: 'source',
      encap: 'geneve',
      subnet: [],
      l2_gateway_node: ['gw1'],
      l2_gateway_network: ['dc'],
      l2_gateway_vlan: [],
      l2_gateway_nic: ['eth2'],
    });
    expect(await h.resource('logicalSwitches').create(ls as never)).toEqual(ls);
    expect(h.settled).toEqual([true]);
    expect(
      h
        .resource('logicalSwitches')
        .list()
        .map((s) => s.name),
    ).toEqual(['dc', 'web']);
    expect(() => h.resource('logicalSwitches').get('nope')).toThrow('logical switch "nope" not found');
  });

  /** Fails the wait on `table` whose where clause mentions `value`, as ovsdb-server does. */
  const failWait = (table: string, value: string) => (ops: Operation[]) => {
    const i = ops.findIndex((o) => o.op === 'wait' && o.table === table && JSON.stringify(o.where).includes(`"${value}"`));
    return i < 0 ? 1 : new OvsdbTransactionError('timed out', undefined, i, []);
  };

  it("guards a rule's remote group (not the group itself) and a port's groups, each missing one named", async () => {
    const group = {
      name: 'db',
      rules: [
        { direction: 'ingress', remote: 'admin' },
        { direction: 'ingress', remote: 'db' },
        { direction: 'egress', remote: '10.0.0.0/8' },
        { direction: 'ingress', protocol: 'tcp', ports: 5432, remote: 'ops' },
      ],
    };
    const ok = harness();
    await ok.resource('securityGroups').create(group as never);
    const waits = ok.sent[0]!.filter((o) => o.op === 'wait').map((o) => `${'table' in o ? o.table : ''} ${JSON.stringify(o.where)}`);
    expect(waits).toEqual(['Security_Group [["name","==","admin"]]', 'Security_Group [["name","==","ops"]]']);
    expect(ok.sent[0]!.filter((o) => o.op === 'insert').map((o) => ('table' in o ? o.table : ''))).toEqual([
      'Security_Group',
      'Security_Group_Rule',
      'Security_Group_Rule',
      'Security_Group_Rule',
      'Security_Group_Rule',
    ]);
    await expect(
      harness(failWait('Security_Group', 'ops'))
        .resource('securityGroups')
        .create(group as never),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'security group "ops" not found',
    });
    const port = { name: 'web-2', switch: 'web', mac: '02:00:00:00:01:02', securityGroups: ['web', 'ssh'] };
    await expect(
      harness(failWait('Security_Group', 'ssh'))
        .resource('logicalPorts')
        .create(port as never),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'security group "ssh" not found',
    });
  });

  it('refuses to delete a group that a port is in or another group names, naming them', async () => {
    await expect(harness(failWait('Logical_Port', 'web')).resource('securityGroups').delete('web')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'security group "web" still has logical ports: web-1',
    });
    await expect(harness(failWait('Security_Group_Rule', 'web')).resource('securityGroups').delete('web')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'security group "web" is the remote of rules in security groups: admin',
    });
    const ok = harness();
    await ok.resource('securityGroups').delete('admin');
    expect(ok.sent[0]!.map((o) => `${o.op} ${'table' in o ? o.table : ''}`)).toEqual([
      'wait Logical_Port',
      'wait Security_Group_Rule',
      'delete Security_Group',
      'delete Security_Group_Rule',
    ]);
  });
});
