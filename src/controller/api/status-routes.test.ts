// The status routes over a stand-in southbound reader and store: what they answer, their 404s,
// their 501 without a reader, the member's Raft role in /api/v1/status, and their OpenAPI entries.
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError, type Store } from '../store/index.ts';
import type { SouthboundReader } from '../status/index.ts';
import { createApi } from './app.ts';
import { buildOpenApiDocument } from './openapi.ts';
import {
  LogicalPortStatisticsSchema,
  LogicalPortStatusSchema,
  StatusSchema,
  TransportNodeStatusSchema,
  type LogicalPortStatistics,
} from '../../model/index.ts';
import { geneveTunnel, programmedNode, web1Status } from '../../model/status-fixtures.ts';

const nodeStatus = programmedNode('hv1', 'ctrl2', 3, { flows: 24, groups: 4 }, [
  geneveTunnel('sn1', '172.30.0.20', {
    ofport: 2,
    link: 'up',
    bfd: { state: 'up', forwarding: true, remoteState: 'up' },
    rx: { packets: 10, bytes: 1000 },
    tx: { packets: 12, bytes: 1200 },
  }),
]);

const portStatus = web1Status(
  'ctrl2',
  [{ node: 'hv1', kind: 'classify', table: 0, priority: 100, cookie: '0x0100138900000001', packets: 3, bytes: 294, meaning: 'classify' }],
  { interface: 'vm-web1', ofport: 1 },
);

const portStatistics: LogicalPortStatistics = {
  port: 'web1',
  member: 'ctrl2',
  node: 'hv1',
  plugged: true,
  interface: 'vm-web1',
  ofport: 1,
  rx: { packets: 3, bytes: 294 },
  tx: { packets: 3, bytes: 294 },
  classify: { packets: 3, bytes: 294 },
  delivery: { packets: 3, bytes: 294 },
};

const southbound: SouthboundReader = {
  nodeStatus: async (name) => (name === 'hv1' ? nodeStatus : Promise.reject(new NotFoundError('transport node', name))),
  portStatus: async (name) => (name === 'web1' ? portStatus : Promise.reject(new NotFoundError('logical port', name))),
  portStatistics: async (name) => (name === 'web1' ? portStatistics : Promise.reject(new NotFoundError('logical port', name))),
};

const store = {
  status: () => ({
    remote: 'tcp:127.0.0.1:6641',
    connected: true,
    synced: true,
    available: true,
    server: { name: 'NvStore', model: 'clustered', connected: true, leader: false, index: 7 },
  }),
  members: () => [],
  masterships: () => [],
  // web2 is deleted between the list and its read: the bulk answers leave it out.
  listNodes: () => [{ name: 'hv1' }],
  listPorts: () => [{ name: 'web1' }, { name: 'web2' }],
} as unknown as Store;

describe('status routes', () => {
  const app = createApi({ store, member: 'ctrl2', southbound });
  afterAll(() => app.close());

  it.each([
    ['/api/v1/transport-nodes/hv1/status', nodeStatus, TransportNodeStatusSchema],
    ['/api/v1/logical-ports/web1/status', portStatus, LogicalPortStatusSchema],
    ['/api/v1/logical-ports/web1/statistics', portStatistics, LogicalPortStatisticsSchema],
  ] as const)('GET %s answers what the reader read, in its schema', async (url, body, schema) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(body);
    expect(schema.safeParse(res.json()).success).toBe(true);
  });

  it.each([
    ['/api/v1/transport-nodes/hv9/status', 'transport node "hv9" not found'],
    ['/api/v1/logical-ports/nope/status', 'logical port "nope" not found'],
    ['/api/v1/logical-ports/nope/statistics', 'logical port "nope" not found'],
  ])('GET %s of an unknown object answers 404', async (url, detail) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not found', detail });
  });

  it.each([
    ['/api/v1/status/transport-nodes', nodeStatus],
    ['/api/v1/statistics/logical-ports', portStatistics],
  ] as const)('GET %s answers every item as its own route does, leaving out one deleted meanwhile', async (url, item) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [item] });
  });

  it("gives the member's Raft role in /api/v1/status", async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(res.json().store).toMatchObject({ leader: false, clusterConnected: true, role: 'follower' });
    expect(StatusSchema.safeParse(res.json()).success).toBe(true);
  });

  it('answers 501 where the API has no southbound', async () => {
    const bare = createApi({ store, member: 'ctrl2' });
    const res = await bare.inject({ method: 'GET', url: '/api/v1/transport-nodes/hv1/status' });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ error: 'not implemented' });
    await bare.close();
  });

  it('are in the OpenAPI document with their response schemas', () => {
    const doc = buildOpenApiDocument();
    const op = (path: string) => doc.paths[path]!.get as { operationId: string; responses: Record<string, { content?: unknown }> };
    expect(op('/api/v1/transport-nodes/{name}/status').operationId).toBe('getTransportNodeStatus');
    expect(op('/api/v1/logical-ports/{name}/status').responses['200']!.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/LogicalPortStatus' } },
    });
    expect(op('/api/v1/logical-ports/{name}/statistics').operationId).toBe('getLogicalPortStatistics');
    expect(op('/api/v1/status/transport-nodes').responses['200']!.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/TransportNodeStatusList' } },
    });
    expect(op('/api/v1/statistics/logical-ports').operationId).toBe('listLogicalPortStatistics');
    const tunnel = (doc.components.schemas.TransportNodeStatus as { properties: { tunnels: { items: { required: string[] } } } }).properties
      .tunnels.items;
    expect(tunnel.required).toEqual(['interface', 'remoteIp', 'encap']);
  });
});
