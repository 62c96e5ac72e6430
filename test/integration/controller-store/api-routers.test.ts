// Logical routers through the northbound API over a real 3-member NvStore cluster: written
// through member 0's API, read through member 1's and the store on member 2, with the guards
// on what a router refers to.
import { describe, expect, it } from 'vitest';
import { useApiCluster, waitUntil } from './support.ts';
import { wanUplink, wanUplinkState } from '../../../src/model/test-fixtures.ts';

describe('northbound API over a 3-member NvStore cluster: logical routers', () => {
  const { post, http1, stores, api0 } = useApiCluster();

  it('logical routers: create, read through another member, guarded references, update, delete', async () => {
    for (const body of [
      // The hypervisor a port of the router's switch is bound to.
      { name: 'hv1', underlayIp: '172.30.0.11' },
      { name: 'gw1', role: 'l3-gateway', underlayIp: '172.30.0.31' },
      { name: 'gw2', role: 'l3-gateway', underlayIp: '172.30.0.32' },
    ])
      expect((await post('/api/v1/transport-nodes', body)).statusCode).toBe(201);
    expect((await post('/api/v1/logical-switches', { name: 'app', vni: 5101, subnet: '10.1.0.0/24' })).statusCode).toBe(201);
    expect(
      (await post('/api/v1/logical-ports', { name: 'app-1', switch: 'app', mac: '02:00:00:00:0a:11', ip: '10.1.0.11', node: 'hv1' }))
        .statusCode,
    ).toBe(201);
    const body = {
      name: 'edge',
      distributed: false,
      interfaces: [{ switch: 'app', ip: '10.1.0.1/24', mac: '0a:00:00:00:0a:01' }],
      uplink: wanUplink({ snat: true }),
      routes: [
        { prefix: '10.50.0.0/16', nextHop: '10.1.0.254' },
        { prefix: '0.0.0.0/0', nextHop: '203.0.113.1' },
      ],
    };
    const created = await post('/api/v1/logical-routers', body);
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/api/v1/logical-routers/edge');
    expect(created.json()).toEqual(body);
    // Member 1 serves it exactly as posted (the lab runner compares a retried POST that way).
    await waitUntil(async () => (await http1('/api/v1/logical-routers/edge')).status === 200, 10_000, 'router on member 1');
    expect(JSON.stringify((await http1('/api/v1/logical-routers/edge')).body)).toBe(JSON.stringify(body));
    expect((await http1('/api/v1/logical-routers')).body).toEqual({ items: [body] });
    await waitUntil(() => stores[2]!.state().routers!.length === 1, 10_000, 'router in the store on member 2');
    expect(stores[2]!.state().routers).toEqual([
      {
        name: 'edge',
        distributed: false,
        interfaces: [{ switch: 'app', mac: '0a:00:00:00:0a:01', ip: '10.1.0.1/24' }],
        uplink: wanUplinkState(),
        routes: body.routes,
      },
    ]);

    const refused = async (payload: unknown, status: number, detail: string) => {
      const res = await post('/api/v1/logical-routers', payload);
      expect({ status: res.statusCode, detail: res.json().detail }).toEqual({ status, detail });
    };
    const up = (gateways: { node: string; nic: string }[], extra: object = {}) => ({
      network: 'wan',
      ip: '203.0.113.3/24',
      mac: '0a:00:00:00:ff:02',
      gateways,
      ...extra,
    });
    await refused({ ...body, interfaces: [], routes: [] }, 409, 'logical router "edge" already exists');
    const badRoutes = await post('/api/v1/logical-routers', {
      name: 'r2',
      interfaces: [{ switch: 'app', ip: '10.1.0.2/24', mac: '0a:00:00:00:0b:01' }],
      routes: [
        { prefix: '10.51.0.0/15', nextHop: '10.1.0.254' },
        { prefix: '10.60.0.0/16', nextHop: '10.2.0.1' },
        { prefix: '10.60.0.0/16', nextHop: '10.1.0.2' },
      ],
    });
    expect(badRoutes.statusCode).toBe(400);
    expect(badRoutes.json().issues).toEqual([
      { path: 'routes.0.prefix', message: 'an IPv4 subnet like 10.0.1.0/24, host bits zero' },
      { path: 'routes.1.nextHop', message: "route 10.60.0.0/16: next hop 10.2.0.1 is not a host of the router's subnets (10.1.0.0/24)" },
      { path: 'routes.2.prefix', message: 'route 10.60.0.0/16: a second route to 10.60.0.0/16 (routes.1): one route per prefix' },
      { path: 'routes.2.nextHop', message: "route 10.60.0.0/16: next hop 10.1.0.2 is the router's own address (interfaces.0.ip)" },
    ]);
    await refused(
      { name: 'r2', interfaces: [{ switch: 'nope', ip: '10.9.0.1/24', mac: '0a:00:00:00:0b:01' }] },
      404,
      'logical switch "nope" not found',
    );
    await refused({ name: 'r2', uplink: up([{ node: 'gw9', nic: 'eth2' }]) }, 404, 'transport node "gw9" not found');
    await refused(
      {
        name: 'r2',
        uplink: up([
          { node: 'gw1', nic: 'eth2' },
          { node: 'hv1', nic: 'eth2' },
        ]),
      },
      409,
      'transport node "hv1" is a hypervisor, not an l3-gateway: only l3-gateway nodes host routers',
    );
    await refused(
      { name: 'r2', interfaces: [{ switch: 'app', ip: '10.1.0.2/24', mac: '02:00:00:00:0a:11' }] },
      409,
      'MAC 02:00:00:00:0a:11 is already used on logical switch "app" by port "app-1"',
    );
    await refused(
      { name: 'r2', interfaces: [{ switch: 'app', ip: '10.1.0.11/24', mac: '0a:00:00:00:0b:01' }] },
      409,
      'IP 10.1.0.11 is already used on logical switch "app" by port "app-1"',
    );
    await refused(
      { name: 'r2', interfaces: [{ switch: 'app', ip: '10.1.0.2/24', mac: '0a:00:00:00:0a:01' }] },
      409,
      'MAC 0a:00:00:00:0a:01 is already used on logical switch "app" by router "edge"',
    );
    await refused(
      { name: 'r2', interfaces: [{ switch: 'app', ip: '10.1.0.1/24', mac: '0a:00:00:00:0b:01' }] },
      409,
      'IP 10.1.0.1 is already used on logical switch "app" by router "edge"',
    );
    await refused(
      { name: 'r2', uplink: up([{ node: 'gw1', nic: 'eth2' }], { mac: '0a:00:00:00:ff:01' }) },
      409,
      'uplink MAC 0a:00:00:00:ff:01 is already used on network "wan" by router "edge"',
    );
    await refused(
      { name: 'r2', uplink: up([{ node: 'gw1', nic: 'eth2' }], { ip: '203.0.113.2/24' }) },
      409,
      'uplink IP 203.0.113.2 is already used on network "wan" by router "edge"',
    );
    // Ports meet the router's interface the other way round.
    const portMac = await post('/api/v1/logical-ports', { name: 'app-2', switch: 'app', mac: '0a:00:00:00:0a:01' });
    expect(portMac.json()).toEqual({
      error: 'conflict',
      detail: 'MAC 0a:00:00:00:0a:01 is already used on logical switch "app" by router "edge"',
    });
    const portIp = await post('/api/v1/logical-ports', { name: 'app-2', switch: 'app', mac: '02:00:00:00:0a:12', ip: '10.1.0.1' });
    expect(portIp.json()).toEqual({ error: 'conflict', detail: 'IP 10.1.0.1 is already used on logical switch "app" by router "edge"' });
    // What a router uses cannot go away or change role under it.
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-ports/app-1' })).statusCode).toBe(204);
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-switches/app' })).json()).toEqual({
      error: 'conflict',
      detail: 'logical switch "app" still has router interfaces: edge',
    });
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/transport-nodes/gw1' })).json()).toEqual({
      error: 'conflict',
      detail: 'transport node "gw1" is a gateway of logical routers: edge',
    });
    const demote = await api0.inject({
      method: 'PUT',
      url: '/api/v1/transport-nodes/gw1',
      payload: { role: 'hypervisor', underlayIp: '172.30.0.31' },
    });
    expect(demote.statusCode).toBe(409);
    expect(
      (
        await api0.inject({
          method: 'PUT',
          url: '/api/v1/transport-nodes/gw1',
          payload: { role: 'l3-gateway', underlayIp: '172.30.0.131' },
        })
      ).statusCode,
    ).toBe(200);

    // PUT replaces interfaces, gateways and routes as a whole, and takes the defaults for what
    // it leaves out; the name comes from the URL.
    const next = {
      name: 'edge',
      distributed: true,
      interfaces: [{ switch: 'app', ip: '10.1.0.254/24', mac: '0a:00:00:00:0a:01' }],
      uplink: { ...body.uplink, snat: false, gateways: [{ node: 'gw1', nic: 'eth3' }] },
      routes: [],
    };
    const put = await http1('/api/v1/logical-routers/edge', {
      method: 'PUT',
      body: JSON.stringify({ interfaces: next.interfaces, uplink: next.uplink }),
    });
    expect(put).toMatchObject({ status: 200, body: next });
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/transport-nodes/gw2' })).statusCode).toBe(204); // no longer a gateway
    await waitUntil(
      async () =>
        JSON.stringify((await api0.inject({ method: 'GET', url: '/api/v1/logical-routers/edge' })).json()) === JSON.stringify(next),
      10_000,
      'update on member 0',
    );
    expect((await http1('/api/v1/logical-routers/nope', { method: 'PUT', body: JSON.stringify({}) })).status).toBe(404);

    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-routers/edge' })).statusCode).toBe(204);
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-routers/edge' })).statusCode).toBe(404);
    expect((await api0.inject({ method: 'GET', url: '/api/v1/logical-routers/edge' })).json()).toEqual({
      error: 'not found',
      detail: 'logical router "edge" not found',
    });
    expect((await api0.inject({ method: 'DELETE', url: '/api/v1/logical-switches/app' })).statusCode).toBe(204);
    await waitUntil(() => stores[2]!.state().routers!.length === 0, 10_000, 'router delete replicated');
  });
});
