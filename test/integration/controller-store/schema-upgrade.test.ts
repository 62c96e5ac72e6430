// A store written by schema 1.1.0 to 1.5.0 (nvstore-1.x.0.ovsschema, kept as they shipped)
// converts to the current schema with ovsdb-tool and loads unchanged: 1.2.0 only adds the router
// tables, 1.3.0 the traceflow tables, 1.4.0 the security group tables and a port's optional
// columns for them, 1.5.0 a router's optional `distributed` column and its route table, and 1.6.0
// the learned MAC bindings' table, so every row comes through, reads no routers, no groups and no
// bindings, and takes them afterwards; a router written by 1.4.0 reads as distributed, without
// routes. A running cluster at 1.3.0 converts online the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src/controller/store/index.ts';
import { freePort } from '../../support/southbound-node.ts';
import { CONTROLLER_SCHEMA, NVSTORE_DB, convertOnline, startControllerCluster, waitUntil, type LocalCluster } from './support.ts';

describe.each(['1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0'])('NvStore schema %s → current', (version) => {
  const OLD_SCHEMA = fileURLToPath(new URL(`./nvstore-${version}.ovsschema`, import.meta.url));
  let dir = '';
  let server: ResultPromise | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-nvstore-upgrade-'));
    const db = join(dir, 'nvstore.db');
    await execa('ovsdb-tool', ['create', db, OLD_SCHEMA]);
    const rows = [
      { op: 'insert', table: 'Transport_Node', row: { name: 'gw1', role: 'l3-gateway', encap: 'geneve', underlay_ip: '172.30.0.31' } },
      { op: 'insert', table: 'Transport_Node', row: { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlay_ip: '172.30.0.11' } },
      {
        op: 'insert',
        table: 'Logical_Switch',
        row: {
          name: 'web',
          vni: 5001,
          replication: 'source',
          encap: 'geneve',
          l2_gateway_node: 'gw9',
          l2_gateway_network: 'dc',
          l2_gateway_nic: 'eth2',
        },
      },
      { op: 'insert', table: 'Logical_Port', row: { name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1' } },
    ];
    await execa('ovsdb-tool', ['transact', db, JSON.stringify(['NvStore', ...rows])]);
    expect((await execa('ovsdb-tool', ['needs-conversion', db, CONTROLLER_SCHEMA])).stdout).toBe('yes');
    await execa('ovsdb-tool', ['convert', db, CONTROLLER_SCHEMA]);
    expect((await execa('ovsdb-tool', ['db-version', db])).stdout).toBe('1.6.0');
    const port = await freePort();
    server = execa('ovsdb-server', [`--remote=ptcp:${port}:127.0.0.1`, `--unixctl=${join(dir, 'ctl')}`, db], {
      reject: false,
      stdio: 'ignore',
    });
    store = await Store.open([`tcp:127.0.0.1:${port}`], { openTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await store?.close();
    server?.kill('SIGTERM');
    await server;
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every row, reads no routers, and takes one', async () => {
    expect(store!.state()).toEqual({
      nodes: [
        { name: 'gw1', role: 'l3-gateway', encap: 'geneve', underlayIp: '172.30.0.31' },
        { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11' },
      ],
      switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw9', nic: 'eth2' } }],
      ports: [{ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1' }],
      routers: [],
    });
    const router = {
      name: 'edge',
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }],
      uplink: { network: 'wan', ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:01', snat: true, gateways: [{ node: 'gw1', nic: 'eth2' }] },
    };
    const stored = { ...router, distributed: true, routes: [] };
    expect(await store!.createRouter(router)).toEqual(stored);
    expect(store!.listRouters()).toEqual([stored]);
  });

  it('takes a security group and puts the old port in it', async () => {
    await joinGroup(store!);
  });

  it('learns a MAC binding on the old switch', async () => {
    const binding = { switch: 'web', ip: '10.0.1.254', mac: '0a:00:00:00:01:fe' };
    expect(store!.state().macBindings).toBeUndefined();
    expect(await store!.learnMacBinding(binding)).toBe('added');
    expect(store!.state().macBindings).toEqual([binding]);
  });
});

describe('a router written by schema 1.4.0 → current', () => {
  const OLD_SCHEMA = fileURLToPath(new URL('./nvstore-1.4.0.ovsschema', import.meta.url));
  let dir = '';
  let server: ResultPromise | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-nvstore-upgrade-'));
    const db = join(dir, 'nvstore.db');
    await execa('ovsdb-tool', ['create', db, OLD_SCHEMA]);
    const rows = [
      { op: 'insert', table: 'Logical_Switch', row: { name: 'web', vni: 5001, replication: 'source', encap: 'geneve' } },
      { op: 'insert', table: 'Logical_Router', row: { name: 'edge' } },
      {
        op: 'insert',
        table: 'Logical_Router_Interface',
        row: { router: 'edge', switch: 'web', ip: '10.0.1.1', prefix: 24, mac: '0a:00:00:00:01:01', position: 0 },
      },
    ];
    await execa('ovsdb-tool', ['transact', db, JSON.stringify(['NvStore', ...rows])]);
    await execa('ovsdb-tool', ['convert', db, CONTROLLER_SCHEMA]);
    const port = await freePort();
    server = execa('ovsdb-server', [`--remote=ptcp:${port}:127.0.0.1`, `--unixctl=${join(dir, 'ctl')}`, db], {
      reject: false,
      stdio: 'ignore',
    });
    store = await Store.open([`tcp:127.0.0.1:${port}`], { openTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await store?.close();
    server?.kill('SIGTERM');
    await server;
    await rm(dir, { recursive: true, force: true });
  });

  it('reads it as distributed without routes, and takes a centralized one with routes', async () => {
    const old = { name: 'edge', interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:01:01' }] };
    expect(store!.listRouters()).toEqual([{ ...old, distributed: true, routes: [] }]);
    expect(store!.state().routers).toEqual([
      { name: 'edge', distributed: true, interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:01', ip: '10.0.1.1/24' }] },
    ]);
    const routes = [{ prefix: '10.50.0.0/16', nextHop: '10.0.1.254' }];
    const updated = { ...old, distributed: false, routes };
    expect(await store!.updateRouter('edge', updated)).toEqual(updated);
    expect(store!.state().routers).toMatchObject([{ distributed: false, routes }]);
  });
});

/** A group created, then the port written before 1.4.0 put in it: the state carries both. */
async function joinGroup(store: Store): Promise<void> {
  const group = { name: 'web', rules: [{ direction: 'ingress' as const, protocol: 'tcp' as const, ports: 80 }] };
  await store.resource('securityGroups').create(group);
  const port = store.getPort('web-1');
  expect(port).toEqual({ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1' });
  await store.updatePort('web-1', { ...port, securityGroups: ['web'] });
  expect(store.state().ports).toEqual([
    { name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1', securityGroups: ['web'], portSecurity: true },
  ]);
  expect(store.state().securityGroups).toEqual([
    {
      name: 'web',
      rules: [
        { index: 0, direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 }, remote: { cidr: '0.0.0.0/0' }, action: 'allow' },
      ],
    },
  ]);
}

describe('a running NvStore cluster at 1.3.0 → current, online', () => {
  const OLD_SCHEMA = fileURLToPath(new URL('./nvstore-1.3.0.ovsschema', import.meta.url));
  let cluster: LocalCluster | undefined;
  let store: Store | undefined;

  beforeAll(async () => {
    cluster = await startControllerCluster(3, OLD_SCHEMA);
    const rows = [
      { op: 'insert', table: 'Transport_Node', row: { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlay_ip: '172.30.0.11' } },
      { op: 'insert', table: 'Logical_Switch', row: { name: 'web', vni: 5001, replication: 'source', encap: 'geneve' } },
      { op: 'insert', table: 'Logical_Port', row: { name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1' } },
    ];
    await execa('ovsdb-client', ['transact', cluster.remotes[0]!, JSON.stringify([NVSTORE_DB, ...rows])]);
    await convertOnline(cluster.remotes, CONTROLLER_SCHEMA);
    store = await Store.open([cluster.remotes[2]!], { openTimeoutMs: 10_000 });
    await waitUntil(() => store!.state().ports.length === 1, 10_000, 'the converted rows on member 3');
  });
  afterAll(async () => {
    await store?.close();
    await cluster?.stop();
  });

  it('keeps the rows and takes a security group', async () => {
    expect(store!.state()).toEqual({
      nodes: [{ name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '172.30.0.11' }],
      switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve' }],
      ports: [{ name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', node: 'hv1' }],
      routers: [],
    });
    await joinGroup(store!);
  });
});
