import { describe, expect, it } from 'vitest';
import { lines } from '../topology/test-helpers.ts';
import { modelFromPlan, neededTunnels, reachPairs, withNode, withPort, withPortOn, withoutNode } from './lab-model.ts';
import { labModel, planOf } from './test-helpers.ts';

const ends = (need: Map<string, { remote: string; encap: string }[]>) =>
  Object.fromEntries([...need].map(([node, list]) => [node, list.map((t) => `${t.remote}/${t.encap}`)]));

describe('neededTunnels', () => {
  it('joins the nodes that carry a switch, and in service-node mode each of them with every service node', () => {
    // web (service-node mode) is on hv1, hv2, hv3, its l2 gateway gw1 and the gateways gw2, gw3
    // of router edge; app (source) on hv1, hv3.
    expect(ends(neededTunnels(labModel()))).toEqual({
      hv1: ['gw1/geneve', 'gw2/geneve', 'gw3/geneve', 'hv2/geneve', 'hv3/geneve', 'sn1/geneve'],
      hv2: ['gw1/geneve', 'gw2/geneve', 'gw3/geneve', 'hv1/geneve', 'hv3/geneve', 'sn1/geneve'],
      hv3: ['gw1/geneve', 'gw2/geneve', 'gw3/geneve', 'hv1/geneve', 'hv2/geneve', 'sn1/geneve'],
      sn1: ['gw1/geneve', 'gw2/geneve', 'gw3/geneve', 'hv1/geneve', 'hv2/geneve', 'hv3/geneve'],
      gw1: ['gw2/geneve', 'gw3/geneve', 'hv1/geneve', 'hv2/geneve', 'hv3/geneve', 'sn1/geneve'],
      gw2: ['gw1/geneve', 'gw3/geneve', 'hv1/geneve', 'hv2/geneve', 'hv3/geneve', 'sn1/geneve'],
      gw3: ['gw1/geneve', 'gw2/geneve', 'hv1/geneve', 'hv2/geneve', 'hv3/geneve', 'sn1/geneve'],
    });
  });

  it("joins a router's gateways with each other, in the encap of its first switch, else of its first gateway", () => {
    const model = modelFromPlan(
      planOf(
        lines(
          'name: lab',
          'transport-nodes: { hv1: hypervisor, gw1: { role: l3-gateway, encap: gre }, gw2: l3-gateway, gw3: l3-gateway }',
          'physical-networks: { internet: { subnet: 203.0.113.0/24 } }',
          'logical-switches:',
          '  a: { subnet: 10.0.1.0/24, encap: vxlan, ports: { a1: { on: hv1, ip: 10.0.1.2 } } }',
          'logical-routers:',
          '  r: { switches: { a: 10.0.1.1 }, uplink: { network: internet, ip: 203.0.113.2, gateways: [gw2, gw3] } }',
          '  bare: { uplink: { network: internet, ip: 203.0.113.3, gateways: [gw1, gw2] } }',
        ),
      ),
    );
    expect(ends(neededTunnels(model))).toEqual({
      hv1: ['gw2/vxlan', 'gw3/vxlan'],
      gw1: ['gw2/gre'],
      gw2: ['gw1/gre', 'gw3/vxlan', 'hv1/vxlan'],
      gw3: ['gw2/vxlan', 'hv1/vxlan'],
    });
  });

  it('has one tunnel per encap when switches towards a node differ in encap', () => {
    const model = modelFromPlan(
      planOf(
        lines(
          'name: lab',
          'transport-nodes: { hv1: hypervisor, hv2: hypervisor, hv3: hypervisor }',
          'logical-switches:',
          '  a: { subnet: 10.0.1.0/24, ports: { a1: { on: hv1, ip: 10.0.1.2 }, a2: { on: hv2, ip: 10.0.1.3 } } }',
          '  b: { subnet: 10.0.2.0/24, encap: vxlan, ports: { b1: { on: hv1, ip: 10.0.2.2 }, b2: { on: hv2, ip: 10.0.2.3 } } }',
        ),
      ),
    );
    expect(ends(neededTunnels(model))).toEqual({ hv1: ['hv2/geneve', 'hv2/vxlan'], hv2: ['hv1/geneve', 'hv1/vxlan'], hv3: [] });
  });

  it('follows the changes steps make: a port moved, a node added or removed', () => {
    let model = withNode(labModel(), { name: 'hv4', role: 'hypervisor' });
    model = withPort(model, { name: 'app3', switch: 'app', node: 'hv4', ip: '10.0.1.13' });
    expect(ends(neededTunnels(model)).hv4).toEqual(['hv1/geneve', 'hv3/geneve']);
    model = withPortOn(model, 'app2', 'hv2');
    expect(ends(neededTunnels(model)).hv4).toEqual(['hv1/geneve', 'hv2/geneve']);
    model = withoutNode(model, 'hv4');
    expect(neededTunnels(model).has('hv4')).toBe(false);
    expect(ends(neededTunnels(model)).hv2).toEqual(['gw1/geneve', 'gw2/geneve', 'gw3/geneve', 'hv1/geneve', 'hv3/geneve', 'sn1/geneve']);
  });
});

describe('reachPairs', () => {
  it('pairs ports of a switch once, and checks isolation both ways where the address is not ambiguous', () => {
    const { pairs, ambiguous } = reachPairs(labModel());
    expect(pairs.filter((p) => p.reach).map((p) => `${p.from}-${p.to}`)).toEqual(['web1-web2', 'web1-web3', 'web2-web3', 'app1-app2']);
    // From web, app's addresses .11 and .12 are web1's and web2's: only app → web3 (.13) is unambiguous.
    expect(pairs.filter((p) => !p.reach).map((p) => `${p.from}-${p.to}`)).toEqual(['app1-web3', 'app2-web3']);
    expect(ambiguous).toBe(10);
  });

  it('leaves out switches a centralized router without an uplink joins', () => {
    const planned = modelFromPlan(
      planOf(
        lines(
          'name: lab',
          'transport-nodes: { hv1: hypervisor, hv2: hypervisor }',
          'logical-switches:',
          '  a: { subnet: 10.0.1.0/24, ports: { a1: { on: hv1, ip: 10.0.1.2 } } }',
          '  b: { subnet: 10.0.2.0/24, ports: { b1: { on: hv2, ip: 10.0.2.2 } } }',
          '  c: { subnet: 10.0.3.0/24, ports: { c1: { on: hv2, ip: 10.0.3.2 } } }',
          'logical-routers: { r: { switches: { a: 10.0.1.1, b: 10.0.2.1 } } }',
        ),
      ),
    );
    // A file cannot say so (distributed: false needs an uplink), the API can.
    const r = planned.routers.get('r')!;
    const model = { ...planned, routers: new Map([['r', { ...r, distributed: false }]]) };
    expect(reachPairs(model).pairs.map((p) => `${p.from}-${p.to}`)).toEqual(['a1-c1', 'b1-c1', 'c1-a1', 'c1-b1']);
    // As the file has it, the router is distributed: it routes between a and b without an uplink.
    expect(r.distributed).toBe(true);
    expect(reachPairs(planned).pairs.map((p) => `${p.from}-${p.to}:${p.reach}`)).toEqual([
      'a1-b1:true',
      'a1-c1:false',
      'b1-c1:false',
      'c1-a1:false',
      'c1-b1:false',
    ]);
  });

  it('pairs ports of switches a router with an uplink joins once, as reaching', () => {
    const model = modelFromPlan(
      planOf(
        lines(
          'name: lab',
          'transport-nodes: { hv1: hypervisor, hv2: hypervisor, gw1: l3-gateway }',
          'physical-networks: { internet: { subnet: 203.0.113.0/24 } }',
          'logical-switches:',
          '  a: { subnet: 10.0.1.0/24, ports: { a1: { on: hv1, ip: 10.0.1.2 }, a2: { on: hv2, ip: 10.0.1.3 } } }',
          '  b: { subnet: 10.0.2.0/24, ports: { b1: { on: hv2, ip: 10.0.2.2 } } }',
          '  c: { subnet: 10.0.3.0/24, ports: { c1: { on: hv2, ip: 10.0.3.2 } } }',
          'logical-routers: { r: { switches: { a: 10.0.1.1, b: 10.0.2.1 }, uplink: { network: internet, ip: 203.0.113.2, gateways: [gw1] } } }',
        ),
      ),
    );
    const { pairs } = reachPairs(model);
    expect(pairs.filter((p) => p.reach).map((p) => `${p.from}-${p.to}`)).toEqual(['a1-a2', 'a1-b1', 'a2-b1']);
    expect(pairs.filter((p) => !p.reach).map((p) => `${p.from}-${p.to}`)).toEqual(['a1-c1', 'a2-c1', 'b1-c1', 'c1-a1', 'c1-a2', 'c1-b1']);
  });
});
