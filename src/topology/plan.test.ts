import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseTopology } from './load.ts';
import { PlanError, planLab, poolStartIndex } from './plan.ts';
import type { Topology } from './schema.ts';
import { lines } from './test-helpers.ts';
import { overlaps, parseCidr } from '../model/index.ts';

const EXAMPLE = new URL('../../test/fixtures/topologies/nvp-basic.yaml', import.meta.url).pathname;
const example = (): Topology => parseTopology(readFileSync(EXAMPLE, 'utf8'), EXAMPLE).topology;
const topo = (...rows: string[]): Topology => parseTopology(lines(...rows), 'lab.yaml').topology;
const hex5 = (seed: string): string =>
  [...createHash('sha256').update(seed).digest().subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0')).join(':');

describe('planLab on the spec example', () => {
  const plan = planLab(example());
  const start = poolStartIndex('nvp-basic');

  it('names every runtime resource after the lab', () => {
    expect(plan.lab).toBe('nvp-basic');
    expect(plan.networks.mgmt.name).toBe('nvlab-nvp-basic-mgmt');
    expect(plan.networks.underlay.name).toBe('nvlab-nvp-basic-underlay');
    expect(plan.networks.physical.map((n) => [n.key, n.name])).toEqual([
      ['phys:office', 'nvlab-nvp-basic-phys-office'],
      ['phys:internet', 'nvlab-nvp-basic-phys-internet'],
    ]);
    expect(plan.transportNodes.map((n) => n.container)).toEqual(
      ['hv1', 'hv2', 'hv3', 'sn1', 'sn2', 'gw1', 'gw2', 'gw3'].map((n) => `nvlab-nvp-basic-${n}`),
    );
    expect(plan.hosts.map((h) => h.container)).toEqual(['nvlab-nvp-basic-printer', 'nvlab-nvp-basic-www']);
    expect(plan.controllers).toEqual({
      kind: 'builtin',
      members: [1, 2, 3].map((k) => ({ name: `ctrl${k}`, container: `nvlab-nvp-basic-ctrl${k}`, mgmtIp: `172.31.${start}.${1 + k}` })),
    });
  });

  it('lays out the management and underlay networks', () => {
    expect(plan.networks.mgmt).toEqual({
      key: 'mgmt',
      name: 'nvlab-nvp-basic-mgmt',
      subnet: `172.31.${start}.0/24`,
      gateway: `172.31.${start}.1`,
      mtu: 1500,
      internal: false,
    });
    expect(plan.networks.underlay).toEqual({
      key: 'underlay',
      name: 'nvlab-nvp-basic-underlay',
      subnet: '172.30.0.0/24',
      gateway: '172.30.0.1',
      mtu: 1600,
      internal: true,
    });
    expect(plan.transportNodes.map((n) => [n.name, n.mgmtIp, n.underlayIp, n.underlayPrefixLength])).toEqual(
      ['hv1', 'hv2', 'hv3', 'sn1', 'sn2', 'gw1', 'gw2', 'gw3'].map((n, i) => [n, `172.31.${start}.${10 + i}`, `172.30.0.${10 + i}`, 24]),
    );
  });

  it('gives physical networks their gateway and attached gateway nodes from the top down', () => {
    const [office, internet] = plan.networks.physical;
    expect(office).toMatchObject({
      subnet: '192.168.10.0/24',
      gateway: '192.168.10.254',
      vlan: 10,
      mtu: 1500,
      internal: true,
      network: 'office',
    });
    expect(internet).toMatchObject({ subnet: '203.0.113.0/24', gateway: '203.0.113.254', internal: true });
    expect(internet).not.toHaveProperty('vlan');
    const attachments = Object.fromEntries(plan.transportNodes.map((n) => [n.name, n.attachments]));
    expect(attachments.gw1).toEqual([{ network: 'office', runtimeNetwork: 'nvlab-nvp-basic-phys-office', ip: '192.168.10.253' }]);
    expect(attachments.gw2).toEqual([{ network: 'internet', runtimeNetwork: 'nvlab-nvp-basic-phys-internet', ip: '203.0.113.253' }]);
    expect(attachments.gw3?.[0]?.ip).toBe('203.0.113.252');
    expect(attachments.hv1).toEqual([]);
    expect(plan.hosts[0]).toEqual({
      name: 'printer',
      container: 'nvlab-nvp-basic-printer',
      network: 'office',
      runtimeNetwork: 'nvlab-nvp-basic-phys-office',
      ip: '192.168.10.50',
      prefixLength: 24,
      vlan: 10,
    });
  });

  it('plans switches, ports, encaps and replication', () => {
    const [web, app] = plan.switches;
    expect(web).toMatchObject({
      name: 'web',
      vni: 5001,
      subnet: '10.0.1.0/24',
      replication: 'service-node',
      encap: 'geneve',
      l2Gateway: { node: 'gw1', network: 'office', vlan: 10 },
    });
    expect(app).toMatchObject({ name: 'app', vni: 5002, replication: 'source', encap: 'geneve' });
    expect(app).not.toHaveProperty('l2Gateway');
    expect(web?.ports[0]).toEqual({
      name: 'web1',
      switch: 'web',
      node: 'hv1',
      mac: `02:${hex5('web/web1')}`,
      ip: '10.0.1.11',
      prefixLength: 24,
      ifname: 'vm-web1',
      vni: 5001,
    });
    expect(web?.ports[2]?.mac).toBe('02:00:00:00:01:13');
    const hv3 = plan.transportNodes.find((n) => n.name === 'hv3');
    expect(hv3?.encap).toBe('vxlan');
    expect(hv3?.ports.map((p) => p.name)).toEqual(['web3', 'app2']);
  });

  it('plans routers with derived MACs, and passes scenarios through', () => {
    expect(plan.routers).toEqual([
      {
        name: 'edge',
        distributed: true,
        interfaces: [{ switch: 'web', ip: '10.0.1.1', prefixLength: 24, mac: `0a:${hex5('router/edge/web')}` }],
        uplink: {
          network: 'internet',
          ip: '203.0.113.2',
          prefixLength: 24,
          mac: `0a:${hex5('router/edge/uplink')}`,
          gateways: ['gw2', 'gw3'],
          snat: true,
        },
        routes: [],
      },
    ]);
    expect(plan.scenarios).toEqual({ smoke: [{ expect: 'tunnels-up' }, { ping: { from: 'web1', to: 'web2' } }] });
  });
});

describe('planLab rules', () => {
  it('allocates VNIs in file order, skipping those given anywhere in the file', () => {
    const plan = planLab(
      topo(
        'name: lab',
        'logical-switches:',
        '  a: { subnet: 10.0.1.0/24 }',
        '  b: { subnet: 10.0.1.0/24, vni: 5001 }',
        '  c: { subnet: 10.0.1.0/24 }',
        '  d: { subnet: 10.0.1.0/24, vni: 5003 }',
        '  e: { subnet: 10.0.1.0/24 }',
      ),
    );
    expect(plan.switches.map((s) => [s.name, s.vni])).toEqual([
      ['a', 5002],
      ['b', 5001],
      ['c', 5004],
      ['d', 5003],
      ['e', 5005],
    ]);
  });

  it('shortens long port names into unique 15-character interface names', () => {
    const plan = planLab(
      topo(
        'name: lab',
        'transport-nodes: { hv1: hypervisor }',
        'logical-switches:',
        '  web:',
        '    subnet: 10.0.1.0/24',
        '    ports:',
        '      twelve-chars: { on: hv1, ip: 10.0.1.2 }',
        '      thirteen-char: { on: hv1, ip: 10.0.1.3 }',
        '      thirteen-chaz: { on: hv1, ip: 10.0.1.4 }',
      ),
    );
    const names = plan.switches[0]!.ports.map((p) => p.ifname);
    expect(names[0]).toBe('vm-twelve-chars');
    const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 6);
    expect(names[1]).toBe(`vm-thirte${hash('thirteen-char')}`);
    expect(names.every((n) => n.length <= 15)).toBe(true);
    expect(new Set(names).size).toBe(3);
  });

  it('applies defaults for encap, replication, controllers, MTU and snat', () => {
    const plan = planLab(
      topo(
        'name: lab',
        'defaults: { encap: gre }',
        'underlay: { mtu: 9000 }',
        'transport-nodes: { hv1: hypervisor, sn1: service-node, gw: l3-gateway }',
        'physical-networks: { wan: { subnet: 198.51.100.0/24 } }',
        'logical-switches:',
        '  a: { subnet: 10.0.1.0/24, encap: vxlan, replication: service-node }',
        '  b: { subnet: 10.0.2.0/24 }',
        'logical-routers: { r: { uplink: { network: wan, ip: 198.51.100.9, gateways: [gw] } } }',
      ),
    );
    expect(plan.switches.map((s) => [s.encap, s.replication])).toEqual([
      ['vxlan', 'service-node'],
      ['gre', 'source'],
    ]);
    expect(plan.transportNodes[0]?.encap).toBe('gre');
    expect(plan.networks.underlay.mtu).toBe(9000);
    expect(plan.controllers.kind === 'builtin' && plan.controllers.members.length).toBe(3);
    expect(plan.routers[0]?.uplink?.snat).toBe(false);
    expect(planLab(topo('name: lab', 'controllers: 1')).controllers).toMatchObject({ kind: 'builtin', members: [{ name: 'ctrl1' }] });
    expect(planLab(topo('name: lab', 'controllers: { external: [tcp:192.0.2.1:6653] }')).controllers).toEqual({
      kind: 'external',
      targets: ['tcp:192.0.2.1:6653'],
    });
  });

  it("plans a router's kind and static routes in the API's spelling, and a router without an uplink", () => {
    const plan = planLab(
      topo(
        'name: lab',
        'transport-nodes: { hv1: hypervisor, gw: l3-gateway }',
        'physical-networks: { wan: { subnet: 198.51.100.0/24 } }',
        'logical-switches: { a: { subnet: 10.0.1.0/24 }, b: { subnet: 10.0.2.0/24 } }',
        'logical-routers:',
        '  core:',
        '    distributed: false',
        '    switches: { a: 10.0.1.1 }',
        '    uplink: { network: wan, ip: 198.51.100.9, gateways: [gw] }',
        '    routes:',
        '      - { prefix: 10.50.0.0/16, next-hop: 10.0.1.254 }',
        '      - { prefix: 0.0.0.0/0, next-hop: 198.51.100.1 }',
        '  inner: { switches: { a: 10.0.1.2, b: 10.0.2.1 } }',
      ),
    );
    expect(plan.routers.map((r) => [r.name, r.distributed, r.routes, r.uplink?.gateways])).toEqual([
      [
        'core',
        false,
        [
          { prefix: '10.50.0.0/16', nextHop: '10.0.1.254' },
          { prefix: '0.0.0.0/0', nextHop: '198.51.100.1' },
        ],
        ['gw'],
      ],
      ['inner', true, [], undefined],
    ]);
    expect(plan.routers[1]?.interfaces.map((i) => i.switch)).toEqual(['a', 'b']);
  });

  it('keeps the runtime gateway and attached nodes off host and uplink addresses', () => {
    const plan = planLab(
      topo(
        'name: lab',
        'transport-nodes: { gw: l2-gateway, g3: l3-gateway }',
        'physical-networks: { office: { subnet: 192.168.10.0/24, hosts: { a: 192.168.10.254, b: 192.168.10.252 } } }',
        'logical-switches: { web: { subnet: 10.0.1.0/24, l2-gateway: { on: gw, network: office } } }',
        'logical-routers: { r: { uplink: { network: office, ip: 192.168.10.253, gateways: [g3] } } }',
      ),
    );
    expect(plan.networks.physical[0]?.gateway).toBe('192.168.10.251');
    expect(plan.transportNodes.map((n) => n.attachments[0]?.ip)).toEqual(['192.168.10.250', '192.168.10.249']);
  });

  it('allocates a physical network without a subnet from its pool', () => {
    const plan = planLab(topo('name: lab', 'physical-networks: { wan: {}, lan: {} }'));
    const start = poolStartIndex('lab');
    expect(plan.networks.physical.map((n) => n.subnet)).toEqual([`172.29.${start}.0/24`, `172.29.${(start + 1) % 256}.0/24`]);
  });

  it('probes upward past used subnets, wrapping around the pool', () => {
    const lab = 'probe';
    const start = poolStartIndex(lab);
    const used = [
      { subnet: `172.30.${start}.0/24`, owner: 'nvlab-other-underlay' },
      { subnet: `172.30.${(start + 1) % 256}.128/25`, owner: 'someone' },
    ];
    const plan = planLab(topo(`name: ${lab}`), { usedSubnets: [...used, { subnet: '::ffff:172.30.0.0/96', owner: 'v6' }] });
    expect(plan.networks.underlay.subnet).toBe(`172.30.${(start + 2) % 256}.0/24`);
    // A host interface address (host bits set) stands for its whole subnet.
    const iface = planLab(topo(`name: ${lab}`), { usedSubnets: [{ subnet: `172.31.${start}.1/24`, owner: 'host interface br0' }] });
    expect(iface.networks.mgmt.subnet).toBe(`172.31.${(start + 1) % 256}.0/24`);
    // Everything above the start taken: the probe wraps to 0.
    const above = Array.from({ length: 256 - start }, (_, i) => ({ subnet: `172.31.${start + i}.0/24`, owner: 'x' }));
    expect(planLab(topo(`name: ${lab}`), { usedSubnets: above }).networks.mgmt.subnet).toBe('172.31.0.0/24');
    const all = [{ subnet: '172.31.0.0/16', owner: 'a big network' }];
    expect(() => planLab(topo(`name: ${lab}`), { usedSubnets: all })).toThrow(/no free \/24 left in 172\.31\.0\.0\/16/);
  });

  it('sizes pooled underlay and management subnets for the number of nodes', () => {
    const lab = 'big';
    const nodes = (n: number) => `transport-nodes: { ${Array.from({ length: n }, (_, i) => `hv${i + 1}: hypervisor`).join(', ')} }`;
    expect(planLab(topo(`name: ${lab}`, nodes(245))).networks.underlay.subnet).toMatch(/\/24$/);
    expect(planLab(topo(`name: ${lab}`, nodes(500))).networks.underlay.subnet).toMatch(/\/23$/);
    const plan = planLab(topo(`name: ${lab}`, nodes(600)));
    const start = poolStartIndex(lab);
    const at22 = (pool: number) => `172.${pool}.${start & ~3}.0/22`;
    expect([plan.networks.underlay.subnet, plan.networks.mgmt.subnet]).toEqual([at22(30), at22(31)]);
    const last = plan.transportNodes.at(-1)!;
    expect([last.underlayIp, last.mgmtIp]).toEqual([`172.30.${(start & ~3) + 2}.97`, `172.31.${(start & ~3) + 2}.97`]);
    // The /22 of another lab's /24 is skipped as a whole.
    const used = [{ subnet: `172.30.${(start & ~3) + 2}.0/24`, owner: 'nvlab-other-underlay' }];
    expect(planLab(topo(`name: ${lab}`, nodes(600)), { usedSubnets: used }).networks.underlay.subnet).toBe(
      `172.30.${((start & ~3) + 4) % 256}.0/22`,
    );
  });

  it('rejects explicit subnets that overlap a used one or each other, naming both', () => {
    const t = topo('name: lab', 'underlay: { subnet: 10.10.0.0/24 }', 'physical-networks: { office: { subnet: 192.168.10.0/24 } }');
    expect(() => planLab(t, { usedSubnets: [{ subnet: '192.168.0.0/16', owner: 'nvlab-old-phys-lan' }] })).toThrow(
      'the physical network office subnet 192.168.10.0/24 overlaps 192.168.0.0/16, used by nvlab-old-phys-lan',
    );
    const clash = topo('name: lab', 'underlay: { subnet: 10.10.0.0/16 }', 'physical-networks: { office: { subnet: 10.10.5.0/24 } }');
    const err = (() => {
      try {
        planLab(clash);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PlanError);
    expect(err).toMatchObject({
      code: 'PLAN',
      exitCode: 2,
      message: 'the physical network office subnet 10.10.5.0/24 overlaps 10.10.0.0/16, used by the underlay of this lab',
    });
  });

  it('rejects subnets too small for the lab', () => {
    const nodes = 'transport-nodes: { hv1: hypervisor, hv2: hypervisor }';
    expect(() => planLab(topo('name: lab', 'underlay: { subnet: 10.10.0.0/29 }', nodes))).toThrow(
      /underlay subnet 10\.10\.0\.0\/29 is too small/,
    );
    const tiny = topo(
      'name: lab',
      'transport-nodes: { gw: l2-gateway }',
      'physical-networks: { office: { subnet: 192.168.10.0/30, hosts: { a: 192.168.10.1 } } }',
      'logical-switches: { web: { subnet: 10.0.1.0/24, l2-gateway: { on: gw, network: office } } }',
    );
    expect(() => planLab(tiny)).toThrow(/physical network office is too small: no address left for gateway node gw/);
  });

  it('refuses a topology that does not validate', () => {
    const bad = {
      name: 'lab',
      'logical-switches': { web: { subnet: '10.0.1.0/24', ports: { p: { on: 'nope', ip: '10.0.1.2' } } } },
    } as Topology;
    expect(() => planLab(bad)).toThrow(PlanError);
    expect(() => planLab({ name: 'lab', underlay: { subnet: '10.0.0.1/24' } } as Topology)).toThrow(
      /underlay\.subnet: invalid value "10\.0\.0\.1\/24"/,
    );
  });

  it('is deterministic and never allocates a used or already chosen subnet (property)', () => {
    const labName = fc.stringMatching(/^[a-z][a-z0-9-]{0,19}$/);
    const used = fc.array(
      fc.record({ pool: fc.constantFrom(29, 30, 31), third: fc.integer({ min: 0, max: 255 }), len: fc.constantFrom(16, 20, 23, 24, 25) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(labName, used, (lab, picks) => {
        const usedSubnets = picks
          .map((p, i) => {
            const cidr = parseCidr(`172.${p.pool}.${p.third}.0/${p.len}`, false)!;
            return { subnet: `172.${p.pool}.${Math.floor(cidr.network / 256) % 256}.0/${p.len}`, owner: `net${i}` };
          })
          .filter((u) => !u.subnet.endsWith('/16'));
        const t = topo(`name: ${lab}`, 'transport-nodes: { hv1: hypervisor }', 'physical-networks: { a: {}, b: {} }');
        const one = planLab(t, { usedSubnets });
        expect(planLab(t, { usedSubnets })).toEqual(one);
        const mine = [one.networks.underlay, one.networks.mgmt, ...one.networks.physical].map((n) => parseCidr(n.subnet)!);
        for (const [i, a] of mine.entries()) {
          for (const u of usedSubnets) expect(overlaps(a, parseCidr(u.subnet, false)!)).toBe(false);
          for (const b of mine.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});
