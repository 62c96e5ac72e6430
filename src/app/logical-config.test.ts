import { describe, expect, it } from 'vitest';
import type { LabPlan, RouterPlan, SwitchPlan } from '../topology/plan-types.ts';
import { northbound } from '../northbound-client/index.ts';
import { testMember } from '../northbound-client/test-member.ts';
import { l2GatewayOf, pollIntervalMs, pushLogicalConfig, routerBody, waitProgrammed } from './logical-config.ts';

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
    distributed: false,
    interfaces: [{ switch: 'web', ip: '10.0.1.1', prefixLength: 24, mac: '0a:00:00:00:00:01' }],
    uplink: { network: 'internet', ip: '203.0.113.2', prefixLength: 24, mac: '0a:00:00:00:00:02', gateways: ['gw2', 'gw1'], snat: true },
    routes: [{ prefix: '10.50.0.0/16', nextHop: '10.0.1.254' }],
  };

  it('gives addresses with their prefix, the gateways in priority order with their NIC on the uplink network, and the routes', () => {
    expect(routerBody(plan, router)).toEqual({
      name: 'edge',
      distributed: false,
      interfaces: [{ switch: 'web', ip: '10.0.1.1/24', mac: '0a:00:00:00:00:01' }],
      uplink: {
        network: 'internet',
        ip: '203.0.113.2/24',
        mac: '0a:00:00:00:00:02',
        snat: true,
        gateways: [
          { node: 'gw2', nic: 'eth3' },
          { node: 'gw1', nic: 'eth2' },
        ],
      },
      routes: [{ prefix: '10.50.0.0/16', nextHop: '10.0.1.254' }],
    });
  });

  it('leaves the uplink out of a router without one', () => {
    expect(routerBody(plan, { name: 'inner', distributed: true, interfaces: [], routes: [] })).toEqual({
      name: 'inner',
      distributed: true,
      interfaces: [],
      routes: [],
    });
  });
});

describe('pushLogicalConfig', () => {
  const plan = {
    transportNodes: [
      { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '10.0.0.11', mgmtIp: '172.30.0.11', attachments: [] },
      {
        name: 'gw1',
        role: 'l3-gateway',
        encap: 'geneve',
        underlayIp: '10.0.0.12',
        mgmtIp: '172.30.0.12',
        attachments: [{ network: 'internet' }],
      },
    ],
    switches: [
      {
        name: 'web',
        vni: 5001,
        replication: 'source',
        encap: 'geneve',
        subnet: '10.0.1.0/24',
        ports: [{ name: 'web1', switch: 'web', node: 'hv1', mac: '02:00:00:00:00:11', ip: '10.0.1.11' }],
      },
    ],
    routers: [
      {
        name: 'edge',
        distributed: true,
        interfaces: [{ switch: 'web', ip: '10.0.1.1', prefixLength: 24, mac: '0a:00:00:00:00:01' }],
        uplink: { network: 'internet', ip: '203.0.113.2', prefixLength: 24, mac: '0a:00:00:00:00:02', gateways: ['gw1'], snat: false },
        routes: [],
      },
    ],
  } as unknown as LabPlan;

  /** A member that answers each batch as the API would: every create 201 with its body. */
  const batching = () =>
    testMember((request, body) => {
      const requests = (body as { requests: { method: string; body: unknown }[] }).requests;
      return [200, { results: requests.map((r) => ({ status: r.method === 'POST' ? 201 : 200, body: r.body })) }];
    });
  const sent = (member: { seen: { request: string; body: unknown }[] }) =>
    member.seen.flatMap((s) => (s.body as { requests: { method: string; path: string; body: unknown }[] }).requests);

  it('creates the transport nodes, then the switches, then the ports and routers, each as the plan has it, in one batch', async () => {
    const member = await batching();
    try {
      await pushLogicalConfig(plan, northbound(['127.0.0.1'], { port: member.port }));
      expect(member.seen.map((s) => s.request)).toEqual(['POST /api/v1/batch']);
      const requests = sent(member);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /api/v1/transport-nodes',
        'POST /api/v1/transport-nodes',
        'POST /api/v1/logical-switches',
        'POST /api/v1/logical-ports',
        'POST /api/v1/logical-routers',
      ]);
      expect(requests.map((r) => r.body)).toEqual([
        { name: 'hv1', role: 'hypervisor', encap: 'geneve', underlayIp: '10.0.0.11', mgmtIp: '172.30.0.11' },
        { name: 'gw1', role: 'l3-gateway', encap: 'geneve', underlayIp: '10.0.0.12', mgmtIp: '172.30.0.12' },
        { name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.0.1.0/24' },
        { name: 'web1', switch: 'web', mac: '02:00:00:00:00:11', ip: '10.0.1.11', node: 'hv1' },
        routerBody(plan, plan.routers[0]!),
      ]);
    } finally {
      await member.close();
    }
  });

  it('creates every security group without rules, then gives each its rules, before the ports that join them', async () => {
    const web = { name: 'web', rules: [{ direction: 'ingress', protocol: 'tcp', ports: 80, remote: 'admin', action: 'allow' }] };
    const withGroups = {
      ...plan,
      securityGroups: [web, { name: 'admin', rules: [] }],
      switches: [
        {
          ...plan.switches[0]!,
          ports: [
            { ...plan.switches[0]!.ports[0]!, securityGroups: ['web'], portSecurity: false, qos: { rate: '10mbit' } },
            { name: 'web2', switch: 'web', node: 'hv1', mac: '02:00:00:00:00:12', ip: '10.0.1.12' },
          ],
        },
      ],
    } as unknown as LabPlan;
    const member = await batching();
    try {
      await pushLogicalConfig(withGroups, northbound(['127.0.0.1'], { port: member.port }));
      const requests = sent(member);
      const order = (request: string) => requests.findIndex((r) => `${r.method} ${r.path}` === request);
      const creates = requests.filter((r) => `${r.method} ${r.path}` === 'POST /api/v1/security-groups').map((r) => r.body);
      expect(creates).toEqual([
        { name: 'web', rules: [] },
        { name: 'admin', rules: [] },
      ]);
      // Only a group with rules is written again, once every group exists.
      const updates = requests.filter((r) => r.method === 'PUT').map((r) => ({ request: `${r.method} ${r.path}`, body: r.body }));
      expect(updates).toEqual([{ request: 'PUT /api/v1/security-groups/web', body: web }]);
      expect(requests.findLastIndex((r) => `${r.method} ${r.path}` === 'POST /api/v1/security-groups')).toBeLessThan(
        order('PUT /api/v1/security-groups/web'),
      );
      expect(order('PUT /api/v1/security-groups/web')).toBeLessThan(order('POST /api/v1/logical-ports'));
      expect(requests.filter((r) => `${r.method} ${r.path}` === 'POST /api/v1/logical-ports').map((r) => r.body)).toEqual([
        {
          name: 'web1',
          switch: 'web',
          mac: '02:00:00:00:00:11',
          ip: '10.0.1.11',
          node: 'hv1',
          securityGroups: ['web'],
          portSecurity: false,
          qos: { rate: '10mbit' },
        },
        { name: 'web2', switch: 'web', mac: '02:00:00:00:00:12', ip: '10.0.1.12', node: 'hv1' },
      ]);
    } finally {
      await member.close();
    }
  });

  it('fails with the answer of the member when a create is refused', async () => {
    const refusal = {
      error: 'invalid',
      detail: 'request 0 (POST /api/v1/transport-nodes, "hv1"): invalid request body (1 issue)',
      index: 0,
      name: 'hv1',
      issues: [{ path: 'requests.0.body.underlayIp', message: 'an IPv4 address like 10.0.1.11' }],
    };
    const member = await testMember(() => [400, refusal]);
    try {
      await expect(pushLogicalConfig(plan, northbound(['127.0.0.1'], { port: member.port }))).rejects.toThrow(
        `POST /api/v1/batch → 400: ${JSON.stringify(refusal)}`,
      );
    } finally {
      await member.close();
    }
  });
});

describe('waitProgrammed', () => {
  it('asks a member as often as every 100 ms, but never more than half its time, nor less than every 2 s', () => {
    expect([0, 30, 50, 400, 1000, 5000].map(pollIntervalMs)).toEqual([100, 100, 100, 800, 2000, 2000]);
  });

  it('names the nodes not programmed when no member reports them in time', async () => {
    // Nothing listens on 127.0.0.2: a member that does not answer programs nothing.
    await expect(waitProgrammed(['127.0.0.2'], ['hv1', 'hv2'], 300)).rejects.toThrow(
      'the controller cluster did not program hv1, hv2 within 0.3 s',
    );
  });
});
