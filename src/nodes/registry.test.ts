import { describe, expect, test } from 'vitest';
import { parseTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { nodeKinds, NodeKindRegistry, type NodeKind } from './index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { routerPortIfname, routerUplinkIfname } from '../model/index.ts';

const plan = planLab(
  parseTopology(
    `name: t
transport-nodes:
  hv1: hypervisor
  gw1: l2-gateway
physical-networks:
  office:
    subnet: 192.168.10.0/24
    vlan: 10
    hosts:
      printer: 192.168.10.50
logical-switches:
  web:
    subnet: 10.0.1.0/24
    ports:
      web1: { on: hv1, ip: 10.0.1.11 }
    l2-gateway: { on: gw1, network: office }
`,
    't.yaml',
  ).topology,
);

describe('node kinds', () => {
  test('turn the plan into one runtime spec per node, labelled with lab, node and role', () => {
    const specs = nodeKinds.specs(plan);
    expect(specs.map((s) => [s.name, s.labels['nvlab.role']])).toEqual([
      ['nvlab-t-ctrl1', 'controller'],
      ['nvlab-t-ctrl2', 'controller'],
      ['nvlab-t-ctrl3', 'controller'],
      ['nvlab-t-hv1', 'hypervisor'],
      ['nvlab-t-gw1', 'l2-gateway'],
      ['nvlab-t-printer', 'host'],
    ]);
    for (const spec of specs) expect(spec.labels).toMatchObject({ 'nvlab.lab': 't', 'nvlab.node': spec.hostname });
  });

  test('a hypervisor gets its VMs, mgmt first and the underlay second', () => {
    const hv1 = nodeKinds.specs(plan).find((s) => s.hostname === 'hv1');
    const web1 = plan.switches[0]?.ports[0];
    expect(hv1?.env.NVLAB_PORTS).toBe(`web1,${web1?.ifname},${web1?.mac},10.0.1.11/24`);
    expect(hv1?.networks.map((n) => n.network)).toEqual(['nvlab-t-mgmt', 'nvlab-t-underlay']);
  });

  test('a gateway also joins the physical network it serves; a host carries its VLAN', () => {
    const specs = nodeKinds.specs(plan);
    expect(specs.find((s) => s.hostname === 'gw1')?.networks.map((n) => n.network)).toContain('nvlab-t-phys-office');
    expect(specs.find((s) => s.hostname === 'printer')?.env).toMatchObject({
      NVLAB_HOST_IP: '192.168.10.50/24',
      NVLAB_VLAN: '10',
    });
  });

  test('an unknown role is a clear error naming the known ones', () => {
    expect(() => nodeKinds.get('router')).toThrow(/unknown node role 'router' \(known: controller, hypervisor, service-node/);
  });
});

describe("members' CPU weight", () => {
  const sized = (n: number) =>
    planLab(
      parseTopology(`name: w\ntransport-nodes:\n${Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n')}\n`, 'w.yaml')
        .topology,
    );
  const weights = (n: number) => nodeKinds.specs(sized(n)).map((s) => [s.labels['nvlab.role'], s.cpuWeight]);

  test('a small lab: each member twice a node', () => {
    expect(weights(2)).toEqual([
      ['controller', 2048],
      ['controller', 2048],
      ['controller', 2048],
      ['hypervisor', undefined],
      ['hypervisor', undefined],
    ]);
  });

  test('a large lab: the members together weigh as much as all the nodes', () => {
    for (const n of [40, 200, 500]) {
      const specs = nodeKinds.specs(sized(n));
      const members = specs.filter((s) => s.labels['nvlab.role'] === 'controller');
      const total = members.reduce((sum, s) => sum + (s.cpuWeight ?? 0), 0);
      expect(total).toBeGreaterThanOrEqual(n * 1024);
      expect(total).toBeLessThan(n * 1024 + members.length);
    }
  });

  test('never past the largest weight cgroups take', () => {
    expect(
      new Set(
        weights(1000)
          .filter(([role]) => role === 'controller')
          .map(([, w]) => w),
      ),
    ).toEqual(new Set([262_144]));
  });
});

describe('the registry', () => {
  const kind = (role: string, hooks: Partial<NodeKind> = {}): NodeKind => ({ role, specs: () => [], ...hooks });

  test('lists controller members first, then transport nodes, then hosts', () => {
    expect(nodeKinds.roles()).toEqual(['controller', 'hypervisor', 'service-node', 'l2-gateway', 'l3-gateway', 'host']);
  });

  test('a role listed twice is an error, not a silent replacement', () => {
    expect(() => new NodeKindRegistry([kind('a'), kind('b'), kind('a')])).toThrow("node role 'a' is registered twice");
  });

  test("gives each kind's specs what its prepare returned, and runs afterStart in list order", async () => {
    const calls: string[] = [];
    const registry = new NodeKindRegistry([
      kind('a', {
        prepare: async () => 'files of a',
        specs: (_plan, prepared) => [{ name: String(prepared), hostname: 'a', labels: {}, env: {}, networks: [] }],
        afterStart: async () => void calls.push('a'),
      }),
      kind('b', { afterStart: async () => void calls.push('b') }),
    ]);
    expect(registry.specs(plan).map((s) => s.name)).toEqual(['undefined']);
    expect(registry.specs(plan, await registry.prepare(plan, { apiToken: 't' })).map((s) => s.name)).toEqual(['files of a']);
    await registry.afterStart(plan, {} as Runtime);
    expect(calls).toEqual(['a', 'b']);
  });

  test('controller members carry the files their kind prepared: the shared assets, then their own', () => {
    const files = [{ path: '/opt/nvlab/nvstore.ovsschema', content: '{}' }];
    const own = (name: string) => [{ path: '/etc/nvlab/api-token', content: `token of ${name}\n`, mode: 0o600 }];
    const secrets = new Map(['ctrl1', 'ctrl2', 'ctrl3'].map((m) => [m, own(m)]));
    const specs = nodeKinds.specs(plan, new Map([['controller', { assets: { files }, secrets }]]));
    expect(specs.filter((s) => s.labels['nvlab.role'] === 'controller').map((s) => s.files)).toEqual([
      [...files, ...own('ctrl1')],
      [...files, ...own('ctrl2')],
      [...files, ...own('ctrl3')],
    ]);
  });
});

describe('l3 gateways and routed switches', () => {
  const routed = planLab(
    parseTopology(
      `name: t
transport-nodes:
  hv1: hypervisor
  gw1: l3-gateway
  gw2: l3-gateway
physical-networks:
  internet:
    subnet: 203.0.113.0/24
logical-switches:
  web:
    subnet: 10.0.1.0/24
    ports:
      web1: { on: hv1, ip: 10.0.1.11 }
  db:
    subnet: 10.0.2.0/24
    ports:
      db1: { on: hv1, ip: 10.0.2.11 }
  lone:
    subnet: 10.0.3.0/24
    ports:
      lone1: { on: hv1, ip: 10.0.3.11 }
logical-routers:
  edge:
    switches: { web: 10.0.1.1, db: 10.0.2.1 }
    uplink: { network: internet, ip: 203.0.113.2, gateways: [gw1, gw2], snat: true }
`,
      't.yaml',
    ).topology,
  );
  const spec = (node: string) => nodeKinds.specs(routed).find((s) => s.hostname === node);

  test('every gateway of a router builds the same router: its ports with iface-ids, the uplink translating', () => {
    const [web, db] = routed.routers[0]!.interfaces;
    const up = routed.routers[0]!.uplink!;
    const records = [
      `edge,${routerPortIfname('edge', 'web')},lrp:edge:web,${web!.mac},10.0.1.1/24`,
      `edge,${routerPortIfname('edge', 'db')},lrp:edge:db,${db!.mac},10.0.2.1/24`,
      `edge,${routerUplinkIfname('edge')},lru:edge,${up.mac},203.0.113.2/24,snat`,
    ].join(' ');
    expect(spec('gw1')?.env.NVLAB_ROUTERS).toBe(records);
    expect(spec('gw2')?.env.NVLAB_ROUTERS).toBe(records);
    expect(spec('hv1')?.env.NVLAB_ROUTERS).toBeUndefined();
  });

  test('every gateway of a router gets its static routes, in order; a router without an uplink puts none anywhere', () => {
    const plan = planLab(
      parseTopology(
        `name: t
transport-nodes: { hv1: hypervisor, gw1: l3-gateway, gw2: l3-gateway }
physical-networks: { internet: { subnet: 203.0.113.0/24 } }
logical-switches:
  web: { subnet: 10.0.1.0/24 }
  db: { subnet: 10.0.2.0/24 }
logical-routers:
  edge:
    distributed: false
    switches: { web: 10.0.1.1 }
    uplink: { network: internet, ip: 203.0.113.2, gateways: [gw2] }
    routes:
      - { prefix: 10.50.0.0/16, next-hop: 10.0.1.254 }
      - { prefix: 0.0.0.0/0, next-hop: 203.0.113.1 }
  core:
    switches: { db: 10.0.2.1 }
    uplink: { network: internet, ip: 203.0.113.3, gateways: [gw1, gw2] }
    routes: [{ prefix: 10.60.0.0/16, next-hop: 10.0.2.9 }]
  inner:
    switches: { web: 10.0.1.2, db: 10.0.2.2 }
    routes: [{ prefix: 10.70.0.0/16, next-hop: 10.0.2.7 }]
`,
        't.yaml',
      ).topology,
    );
    const env = (node: string) => nodeKinds.specs(plan).find((s) => s.hostname === node)?.env;
    expect(env('gw2')?.NVLAB_ROUTES).toBe('edge,10.50.0.0/16,10.0.1.254 edge,0.0.0.0/0,203.0.113.1 core,10.60.0.0/16,10.0.2.9');
    expect(env('gw1')?.NVLAB_ROUTES).toBe('core,10.60.0.0/16,10.0.2.9');
    expect(env('hv1')?.NVLAB_ROUTES).toBeUndefined();
    expect(spec('gw1')?.env.NVLAB_ROUTES).toBeUndefined();
  });

  test('an l3 gateway plugs its NIC on the uplink network into br-int', () => {
    expect(spec('gw1')?.networks.map((n) => n.network)).toEqual(['nvlab-t-mgmt', 'nvlab-t-underlay', 'nvlab-t-phys-internet']);
    expect(spec('gw1')?.env.NVLAB_PHYSICAL_NICS).toBe('eth2');
  });

  test("VMs of a routed switch route through the router's address there; others get no route", () => {
    const ports = (spec('hv1')?.env.NVLAB_PORTS ?? '').split(' ').map((r) => r.split(','));
    expect(ports.map((p) => [p[0], p[4]])).toEqual([
      ['web1', '10.0.1.1'],
      ['db1', '10.0.2.1'],
      ['lone1', undefined],
    ]);
  });
});
