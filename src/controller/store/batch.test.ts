// Batches over the real descriptions, without a cluster: the one transaction an atomic batch
// sends (a section per write, in order), what it answers, how a failure names its write, and
// how a batch sent again keeps what it made. Over a real cluster: test/integration/controller-store/api-batch.test.ts.
import { describe, expect, it } from 'vitest';
import { OvsdbTransactionError, type Operation, type OperationResult } from '../../ovsdb/index.ts';
import { commitAtomic, commitEach, BatchWriteError, type BatchContext, type BatchWrite } from './batch.ts';
import type { Snapshot } from './description.ts';
import { StoreUnavailableError } from './errors.ts';
import { Resource, type ResourceContext } from './resource.ts';
import { STORED } from './resources/index.ts';
import type { Txn } from './txn.ts';

const NODE_ROW = { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlay_ip: '172.30.0.11', underlay_mac: [], mgmt_ip: [] };

/** A store of `rows` whose commits are recorded and answered by `answer`. */
function harness(answer: (ops: Operation[], round: number) => OvsdbTransactionError | StoreUnavailableError | void = () => {}) {
  const rows: Record<string, object[]> = { Transport_Node: [NODE_ROW] };
  const snapshot = { tables: new Map(), rows: (t: string) => rows[t] ?? [] } as unknown as Snapshot;
  const sent: Operation[][] = [];
  const settled: boolean[] = [];
  const resourceCtx: ResourceContext = {
    snapshot: () => snapshot,
    commit: () => Promise.reject(new Error('not here')),
    settle: () => Promise.resolve(),
    view: { list: () => [] },
  };
  const resources = new Map(Object.entries(STORED).map(([name, spec]) => [name, new Resource(spec as never, resourceCtx)]));
  const ctx: BatchContext = {
    resource: (name) => resources.get(name) as never,
    snapshot: () => snapshot,
    async commit(txn: Txn): Promise<OperationResult[]> {
      sent.push(txn.ops);
      const failure = answer(txn.ops, sent.length - 1);
      if (failure) throw txn.translate(failure);
      return txn.ops.map(() => ({ count: 1 }));
    },
    async settle(probe) {
      settled.push(probe(snapshot));
    },
    writeTimeoutMs: 1500,
  };
  return { rows, sent, settled, ctx };
}

const ops = (list: Operation[]) => list.map((o) => `${o.op} ${'table' in o ? o.table : ''}`);
const sw = (name: string, vni: number): BatchWrite => ({ resource: 'logicalSwitches', op: 'create', input: { name, vni } });
const lp = (name: string, sw: string): BatchWrite => ({
  resource: 'logicalPorts',
  op: 'create',
  input: { name, switch: sw, mac: '02:00:00:00:00:01', node: 'hv1' },
});

describe('an atomic batch', () => {
  it('composes every write, in order, in one transaction, and answers each', async () => {
    const h = harness();
    const done = await commitAtomic(h.ctx, [
      sw('web', 5001),
      lp('web-1', 'web'),
      { resource: 'logicalSwitches', op: 'update', name: 'web', input: { vni: 5002 } },
      { resource: 'logicalPorts', op: 'delete', name: 'web-1' },
    ]);
    expect(h.sent).toHaveLength(1);
    expect(ops(h.sent[0]!).filter((o) => !o.startsWith('wait'))).toEqual([
      'insert Logical_Switch',
      'insert Logical_Port',
      'update Logical_Switch',
      'delete Logical_Port',
    ]);
    // An update and a delete guard the existence of their object first (a count cannot undo a batch).
    expect(h.sent[0]!.filter((o) => o.op === 'wait' && JSON.stringify(o.where) === '[["name","==","web-1"]]')).toHaveLength(1);
    expect(done.map((d) => d.outcome)).toEqual(['created', 'created', 'updated', 'deleted']);
    expect(done[2]!.value).toEqual({ name: 'web', vni: 5002, replication: 'source', encap: 'geneve' });
  });

  it('names the write whose guard failed, by its place and name', async () => {
    const h = harness(
      (sent) =>
        new OvsdbTransactionError(
          'timed out',
          undefined,
          sent.findIndex((o) => o.op === 'wait' && o.table === 'Logical_Switch'),
          [],
        ),
    );
    const failed = await commitAtomic(h.ctx, [sw('web', 5001), lp('db-1', 'db')]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(BatchWriteError);
    expect(failed).toMatchObject({ index: 1, object: 'db-1', error: { code: 'NOT_FOUND', message: 'logical switch "db" not found' } });
  });

  it('refuses a write that cannot be composed before anything is sent', async () => {
    const h = harness();
    const failed = await commitAtomic(h.ctx, [sw('web', 5001), sw('db', 0)]).catch((e: unknown) => e);
    expect(failed).toMatchObject({ index: 1, object: 'db', error: { code: 'INVALID' } });
    expect(h.sent).toHaveLength(0);
  });

  it('keeps an object held exactly as sent, its rows guarded, unless an earlier write of the batch touched it', async () => {
    const h = harness();
    const node = { name: 'hv1', underlayIp: '172.30.0.11' };
    const done = await commitAtomic(h.ctx, [{ resource: 'transportNodes', op: 'create', input: node }]);
    expect(done).toEqual([
      { outcome: 'unchanged', value: { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11' } },
    ]);
    expect(h.sent[0]).toEqual([
      expect.objectContaining({ op: 'wait', table: 'Transport_Node', rows: [expect.objectContaining({ name: 'hv1' })] }),
    ]);
    // Deleted first in the same batch: created again, not kept.
    const again = await commitAtomic(h.ctx, [
      { resource: 'transportNodes', op: 'delete', name: 'hv1' },
      { resource: 'transportNodes', op: 'create', input: node },
    ]);
    expect(again.map((d) => d.outcome)).toEqual(['deleted', 'created']);
    // Held with another body: a create like any other (its name clash is the store's to say).
    const other = await commitAtomic(h.ctx, [{ resource: 'transportNodes', op: 'create', input: { ...node, underlayIp: '172.30.0.99' } }]);
    expect(other[0]!.outcome).toBe('created');
  });

  it('keeps an object held as a later write of the batch leaves it (a group created, then given its rules)', async () => {
    const h = harness();
    h.rows.Security_Group = [{ name: 'web' }];
    h.rows.Security_Group_Rule = [
      {
        group: 'web',
        position: 0,
        direction: 'ingress',
        protocol: 'tcp',
        port_min: [22],
        port_max: [22],
        remote: '0.0.0.0/0',
        action: 'allow',
      },
    ];
    const rules = [{ direction: 'ingress', protocol: 'tcp', ports: 22 }];
    const done = await commitAtomic(h.ctx, [
      { resource: 'securityGroups', op: 'create', input: { name: 'web', rules: [] } },
      { resource: 'securityGroups', op: 'update', name: 'web', input: { rules } },
    ]);
    expect(done.map((d) => d.outcome)).toEqual(['unchanged', 'updated']);
    // Its rule rows are guarded to be those held.
    expect(h.sent[0]![1]).toMatchObject({
      op: 'wait',
      table: 'Security_Group_Rule',
      rows: [expect.objectContaining({ group: 'web', port_min: [22] })],
    });
    // Held otherwise: created, and the store's name index refuses it.
    h.rows.Security_Group_Rule[0] = { ...h.rows.Security_Group_Rule[0]!, port_min: [80], port_max: [80] };
    const other = await commitAtomic(h.ctx, [
      { resource: 'securityGroups', op: 'create', input: { name: 'web', rules: [] } },
      { resource: 'securityGroups', op: 'update', name: 'web', input: { rules: [{ direction: 'egress' }] } },
    ]);
    expect(other[0]!.outcome).toBe('created');
  });

  it('after a name clash with a row its replica did not show, waits for it and composes again, keeping it', async () => {
    const h = harness((_ops, round) => {
      if (round > 0) return;
      // The batch's first attempt committed elsewhere; this member's replica shows it now.
      h.rows.Logical_Switch = [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: [] }];
      return new OvsdbTransactionError(
        'constraint violation',
        'Transaction causes multiple rows in "Logical_Switch" table to have identical values ("web") for index on column "name".  First row, with UUID 4707e83a-4434-4236-9dcf-8fad42f8672c, was inserted by this transaction.  Second row, with UUID 49cb62e4-315a-417c-89f8-7d49c125842b, existed in the database before this transaction and was not modified by the transaction.',
        1,
        [{ uuid: ['uuid', '4707e83a-4434-4236-9dcf-8fad42f8672c'] }],
      );
    });
    const done = await commitAtomic(h.ctx, [sw('web', 5001)]);
    expect(h.sent).toHaveLength(2);
    expect(done[0]!.outcome).toBe('unchanged');
  });

  it('reads back only the last write of each object', async () => {
    const h = harness();
    await commitAtomic(h.ctx, [sw('web', 5001), { resource: 'logicalSwitches', op: 'delete', name: 'web' }]);
    // The delete shows (no such switch in the snapshot); the create it undid is not waited for.
    expect(h.settled).toEqual([true]);
  });
});

describe('a batch of writes each alone (atomic: false)', () => {
  it('answers each write for itself, in order', async () => {
    const h = harness((sent) =>
      sent.some((o) => o.op === 'insert' && o.table === 'Logical_Port')
        ? new OvsdbTransactionError('timed out', undefined, 0, [])
        : undefined,
    );
    const done = await commitEach(h.ctx, [sw('web', 5001), lp('web-1', 'nope'), sw('db', 5002)]);
    expect(h.sent).toHaveLength(3);
    expect(done.map((d) => ('outcome' in d ? d.outcome : d.error.code))).toEqual(['created', 'NOT_FOUND', 'created']);
  });

  it('stops at a lost quorum, said as unknown once an earlier write committed', async () => {
    const h = harness((_ops, round) => (round === 1 ? new StoreUnavailableError('no quorum', 'no') : undefined));
    await expect(commitEach(h.ctx, [sw('web', 5001), sw('db', 5002), sw('app', 5003)])).rejects.toMatchObject({
      code: 'NO_QUORUM',
      applied: 'unknown',
    });
    expect(h.sent).toHaveLength(2);
  });
});
