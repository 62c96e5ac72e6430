// Security groups through the northbound API over a real 3-member NvStore cluster: written
// through member 0's API, read through member 1's and the store on member 2; a port joining and
// leaving groups, the guards on what a group and a port refer to, and the logical state (with
// its change events) that the controller on a member programs from.
import { describe, expect, it } from 'vitest';
import type { LogicalState } from '../../../src/model/index.ts';
import { useApiCluster, waitUntil } from './support.ts';

describe('northbound API over a 3-member NvStore cluster: security groups', () => {
  const { post, http1, stores, api0 } = useApiCluster();
  const get = async (url: string) => (await api0.inject({ method: 'GET', url })).json();
  const put = async (url: string, payload: object) => api0.inject({ method: 'PUT', url, payload });
  const del = async (url: string) => api0.inject({ method: 'DELETE', url });

  const web = {
    name: 'web',
    rules: [
      { direction: 'ingress', protocol: 'tcp', ports: 80, remote: '0.0.0.0/0', action: 'allow' },
      { direction: 'ingress', protocol: 'tcp', ports: '8000-8080', remote: 'admin', action: 'allow' },
      { direction: 'ingress', protocol: 'icmp', remote: 'web', action: 'allow' },
      { direction: 'egress', protocol: 'udp', ports: 53, remote: '10.0.0.0/8', action: 'drop' },
    ],
  };

  it('creates groups (defaults filled in), reads them through another member, refuses bad bodies and clashes', async () => {
    const admin = await post('/api/v1/security-groups', { name: 'admin' });
    expect(admin.statusCode).toBe(201);
    expect(admin.headers.location).toBe('/api/v1/security-groups/admin');
    expect(admin.json()).toEqual({ name: 'admin', rules: [] });
    // A rule may name its own group; ports written as text come back in their one spelling.
    const created = await post('/api/v1/security-groups', {
      name: 'web',
      rules: [
        { direction: 'ingress', protocol: 'tcp', ports: '80' },
        { direction: 'ingress', protocol: 'tcp', ports: '8000-8080', remote: 'admin' },
        { direction: 'ingress', protocol: 'icmp', remote: 'web' },
        { direction: 'egress', protocol: 'udp', ports: 53, remote: '10.0.0.0/8', action: 'drop' },
      ],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual(web);
    await waitUntil(async () => (await http1('/api/v1/security-groups/web')).status === 200, 10_000, 'group on member 1');
    expect(JSON.stringify((await http1('/api/v1/security-groups/web')).body)).toBe(JSON.stringify(web));
    expect((await http1('/api/v1/security-groups')).body).toEqual({ items: [{ name: 'admin', rules: [] }, web] });

    const bad = await post('/api/v1/security-groups', {
      name: 'Db',
      rules: [{ direction: 'in', protocol: 'icmp', ports: 22, remote: '10.0.0.1/8', action: 'permit', extra: 1 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([
      { path: 'name', message: 'a name matching [a-z][a-z0-9-]{0,30}' },
      { path: 'rules.0.direction', message: 'a direction: ingress, egress' },
      { path: 'rules.0.remote', message: "a subnet like 10.0.0.0/8 (0.0.0.0/0: anywhere) or a security group's name" },
      { path: 'rules.0.action', message: 'an action: allow, allow-stateless, drop, reject' },
      { path: 'rules.0', message: 'Unrecognized key: "extra"' },
    ]);
    const icmpPorts = await post('/api/v1/security-groups', { name: 'db', rules: [{ direction: 'ingress', protocol: 'icmp', ports: 22 }] });
    expect(icmpPorts.json().issues).toEqual([{ path: 'rules.0.ports', message: 'ports apply to tcp and udp only, not icmp' }]);
    expect((await post('/api/v1/security-groups', { name: 'web' })).json()).toEqual({
      error: 'conflict',
      detail: 'security group "web" already exists',
    });
    const unknownRemote = await post('/api/v1/security-groups', { name: 'db', rules: [{ direction: 'ingress', remote: 'ops' }] });
    expect({ status: unknownRemote.statusCode, body: unknownRemote.json() }).toEqual({
      status: 404,
      body: { error: 'not found', detail: 'security group "ops" not found' },
    });
    expect((await get('/api/v1/security-groups')).items.map((g: { name: string }) => g.name)).toEqual(['admin', 'web']);
  });

  it('puts a port in groups and takes it out by PUT; a port naming an unknown group is refused', async () => {
    expect((await post('/api/v1/transport-nodes', { name: 'hv1', underlayIp: '172.30.0.11' })).statusCode).toBe(201);
    expect((await post('/api/v1/logical-switches', { name: 'web', vni: 5001, subnet: '10.0.1.0/24' })).statusCode).toBe(201);
    const port = { name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.11', node: 'hv1' };
    const unknown = await post('/api/v1/logical-ports', { ...port, securityGroups: ['web', 'nope'] });
    expect({ status: unknown.statusCode, body: unknown.json() }).toEqual({
      status: 404,
      body: { error: 'not found', detail: 'security group "nope" not found' },
    });
    expect((await post('/api/v1/logical-ports', port)).statusCode).toBe(201);
    await waitUntil(() => stores[2]!.state().ports.length === 1, 10_000, 'port on member 2');
    expect(stores[2]!.state().ports[0]!.securityGroups).toBeUndefined();

    // Joining: the groups come back sorted, with port security and QoS as given.
    const joined = await put('/api/v1/logical-ports/web-1', {
      ...port,
      securityGroups: ['web', 'admin'],
      portSecurity: false,
      qos: { rate: '10mbit', burst: '1mbit' },
    });
    expect(joined.statusCode).toBe(200);
    const stored = { ...port, securityGroups: ['admin', 'web'], portSecurity: false, qos: { rate: '10mbit', burst: '1mbit' } };
    expect(joined.json()).toEqual(stored);
    await waitUntil(
      async () => (await http1('/api/v1/logical-ports/web-1')).body?.securityGroups?.length === 2,
      10_000,
      'join on member 1',
    );
    expect(JSON.stringify((await http1('/api/v1/logical-ports/web-1')).body)).toBe(JSON.stringify(stored));
    expect((await put('/api/v1/logical-ports/web-1', { ...port, securityGroups: ['ghost'] })).json()).toEqual({
      error: 'not found',
      detail: 'security group "ghost" not found',
    });
    await waitUntil(() => stores[2]!.state().ports[0]!.securityGroups?.length === 2, 10_000, 'join on member 2');
    expect(stores[2]!.state().ports).toEqual([{ ...port, securityGroups: ['admin', 'web'], qos: { rateKbps: 10_000, burstKbits: 1000 } }]);

    // Leaving one group, then every group (an empty list is none).
    expect((await put('/api/v1/logical-ports/web-1', { ...port, securityGroups: ['web'] })).json()).toEqual({
      ...port,
      securityGroups: ['web'],
    });
    await waitUntil(() => stores[2]!.state().ports[0]!.securityGroups?.length === 1, 10_000, 'leave on member 2');
    expect(stores[2]!.state().ports).toEqual([{ ...port, securityGroups: ['web'], portSecurity: true }]);
    expect((await put('/api/v1/logical-ports/web-1', { ...port, securityGroups: [] })).json()).toEqual(port);
    await waitUntil(() => stores[2]!.state().ports[0]!.securityGroups === undefined, 10_000, 'left every group on member 2');
    expect(stores[2]!.state().ports).toEqual([port]);
  });

  it('refuses to delete a group a port is in or another group names, and deletes it once nothing does', async () => {
    const port = { name: 'web-1', switch: 'web', mac: '02:00:00:00:01:01', ip: '10.0.1.11', node: 'hv1', securityGroups: ['web'] };
    expect((await put('/api/v1/logical-ports/web-1', port)).statusCode).toBe(200);
    expect((await del('/api/v1/security-groups/web')).json()).toEqual({
      error: 'conflict',
      detail: 'security group "web" still has logical ports: web-1',
    });
    expect((await del('/api/v1/security-groups/admin')).json()).toEqual({
      error: 'conflict',
      detail: 'security group "admin" is the remote of rules in security groups: web',
    });
    // PUT replaces the rules as a whole: web no longer names admin, which may then go.
    const rules = web.rules.filter((r) => r.remote !== 'admin');
    const replaced = await put('/api/v1/security-groups/web', { rules });
    expect(replaced.json()).toEqual({ name: 'web', rules });
    expect((await put('/api/v1/security-groups/web', { name: 'www', rules })).statusCode).toBe(400);
    expect((await put('/api/v1/security-groups/nope', { rules: [] })).statusCode).toBe(404);
    expect((await del('/api/v1/security-groups/admin')).statusCode).toBe(204);
    expect((await del('/api/v1/security-groups/admin')).statusCode).toBe(404);
    expect(await get('/api/v1/security-groups/admin')).toEqual({ error: 'not found', detail: 'security group "admin" not found' });
    // A group naming only itself goes once its last port leaves.
    expect((await put('/api/v1/logical-ports/web-1', { ...port, securityGroups: undefined })).statusCode).toBe(200);
    expect((await del('/api/v1/security-groups/web')).statusCode).toBe(204);
    await waitUntil(() => stores[2]!.state().securityGroups === undefined, 10_000, 'groups gone on member 2');
  });

  it("gives another member's controller the groups in its logical state, with a change event for each rule change", async () => {
    const states: LogicalState[] = [];
    const onChange = (s: LogicalState) => states.push(s);
    stores[2]!.on('change', onChange);
    try {
      expect(
        (await post('/api/v1/security-groups', { name: 'db', rules: [{ direction: 'ingress', protocol: 'tcp', ports: 5432 }] })).statusCode,
      ).toBe(201);
      const seen = (probe: (s: LogicalState) => boolean, what: string) => waitUntil(() => states.some(probe), 10_000, what);
      await seen((s) => s.securityGroups?.[0]?.rules.length === 1, 'the new group in a change event');
      expect(
        (
          await put('/api/v1/security-groups/db', {
            rules: [
              { direction: 'ingress', protocol: 'tcp', ports: 5432, remote: 'db' },
              { direction: 'egress', action: 'reject' },
            ],
          })
        ).statusCode,
      ).toBe(200);
      await seen((s) => s.securityGroups?.[0]?.rules.length === 2, 'the new rules in a change event');
      expect(stores[2]!.state().securityGroups).toEqual([
        {
          name: 'db',
          rules: [
            { index: 0, direction: 'ingress', protocol: 'tcp', ports: { min: 5432, max: 5432 }, remote: { group: 'db' }, action: 'allow' },
            { index: 1, direction: 'egress', protocol: 'any', remote: { cidr: '0.0.0.0/0' }, action: 'reject' },
          ],
        },
      ]);
    } finally {
      stores[2]!.off('change', onChange);
    }
  });
});
