import { describe, expect, test } from 'vitest';
import { parseTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { nodeKind, nodeSpecs } from './index.ts';

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
    const specs = nodeSpecs(plan);
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
    const hv1 = nodeSpecs(plan).find((s) => s.hostname === 'hv1');
    const web1 = plan.switches[0]?.ports[0];
    expect(hv1?.env.NVLAB_PORTS).toBe(`web1,${web1?.ifname},${web1?.mac},10.0.1.11/24`);
    expect(hv1?.networks.map((n) => n.network)).toEqual(['nvlab-t-mgmt', 'nvlab-t-underlay']);
  });

  test('a gateway also joins the physical network it serves; a host carries its VLAN', () => {
    const specs = nodeSpecs(plan);
    expect(specs.find((s) => s.hostname === 'gw1')?.networks.map((n) => n.network)).toContain('nvlab-t-phys-office');
    expect(specs.find((s) => s.hostname === 'printer')?.env).toMatchObject({
      NVLAB_HOST_IP: '192.168.10.50/24',
      NVLAB_VLAN: '10',
    });
  });

  test('an unknown role is a clear error naming the known ones', () => {
    expect(() => nodeKind('router')).toThrow(/unknown node role 'router' \(known: controller, hypervisor, service-node/);
  });
});
