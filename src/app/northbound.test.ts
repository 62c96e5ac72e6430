import { describe, expect, it } from 'vitest';
import type { LabPlan, RouterPlan, SwitchPlan } from '../topology/plan-types.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create, l2GatewayOf, northbound, NorthboundError, routerBody, type NorthboundClient } from './northbound.ts';

describe('l2GatewayOf', () => {
  const plan = {
    transportNodes: [
      { name: 'gw1', attachments: [{ network: 'other' }, { network: 'dc' }] },
      { name: 'hv1', attachments: [] },
    ],
  } as unknown as LabPlan;
  const sw = (l2Gateway?: SwitchPlan['l2Gateway']) => ({ name: 'web', l2Gateway }) as SwitchPlan;

  it('names the gateway NIC after its attachment (eth0 mgmt, eth1 underlay, then attachments)', () => {
    expect(l2GatewayOf(plan, sw({ node: 'gw1', network: 'dc', vlan: 10 }))).toEqual({ node: 'gw1', network: 'dc', vlan: 10, nic: 'eth3' });
    expect(l2GatewayOf(plan, sw({ node: 'gw1', network: 'other' }))).toEqual({ node: 'gw1', network: 'other', nic: 'eth2' });
    expect(l2GatewayOf(plan, sw())).toBeUndefined();
  });

  it('refuses a gateway not attached to the network', () => {
    expect(() => l2GatewayOf(plan, sw({ node: 'hv1', network: 'dc' }))).toThrow(/not attached to dc/);
  });
});

describe('routerBody', () => {
  const plan = {
    transportNodes: [
      { name: 'gw1', attachments: [{ network: 'internet' }] },
      { name: 'gw2', attachments: [{ network: 'office' }, { network: 'internet' }] },
    ],
  } as unknown as LabPlan;
  const router: RouterPlan = {
    name: 'edge',
    interfaces: [{ switch: 'web', ip: '10.0.1.1', prefixLength: 24, mac: '0a:00:00:00:00:01' }],
    uplink: { network: 'internet', ip: '203.0.113.2', prefixLength: 24, mac: '0a:00:00:00:00:02', gateways: ['gw2', 'gw1'], snat: true },
  };

  it('gives addresses with their prefix and the gateways in priority order with their NIC on the uplink network', () => {
    expect(routerBody(plan, router)).toEqual({
      name: 'edge',
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:00:01' }],
      uplink: {
        network: 'internet',
        ip: '203.0.113.2/24',
        mac: '0a:00:00:00:00:02',
        snat: true,
        gateways: [{ node: 'gw2', nic: 'eth3' }, { node: 'gw1', nic: 'eth2' }],
      },
    });
  });

  it('leaves the uplink out of a router without one', () => {
    expect(routerBody(plan, { name: 'inner', interfaces: [] })).toEqual({ name: 'inner', interfaces: [] });
  });
});

describe('create', () => {
  // A client whose POST was retried after a write of unknown outcome that had committed.
  const retried = (existing: Record<string, unknown>): NorthboundClient => ({
    async request(method, path) {
      if (method === 'POST') throw new NorthboundError(`POST ${path} → 409: {"error":"conflict"}`);
      return existing;
    },
  });
  const port = { name: 'web1', switch: 'web', mac: '02:00:00:00:00:AA', ip: '10.0.1.11', node: 'hv1' };

  it('counts a 409 for a row holding exactly what was sent as done', async () => {
    await expect(create(retried({ ...port, mac: '02:00:00:00:00:aa' }), '/api/v1/logical-ports', port)).resolves.toBeUndefined();
  });

  it('keeps the 409 when the row holds something else', async () => {
    await expect(create(retried({ ...port, node: 'hv2' }), '/api/v1/logical-ports', port)).rejects.toThrow('→ 409');
  });
});

describe('northbound client', () => {
  // A member that answers with each status in turn (a real HTTP server on loopback).
  async function member(statuses: number[]) {
    const server = createServer((_req, res) => res.writeHead(statuses.shift() ?? 500).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('takes a 404 for a DELETE retried after an answer of unknown outcome as done, and a first 404 as an error', async () => {
    const { server, port } = await member([503, 404, 404]);
    try {
      const client = northbound(['127.0.0.1'], { deadlineMs: 5_000, port });
      await expect(client.request('DELETE', '/api/v1/logical-ports/web1')).resolves.toBeUndefined();
      await expect(client.request('DELETE', '/api/v1/logical-ports/web1')).rejects.toThrow('→ 404');
    } finally {
      server.close();
    }
  });
});
