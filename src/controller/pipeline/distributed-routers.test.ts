import { describe, expect, it } from 'vitest';
import { formatActions } from '../../openflow/format.ts';
import { desiredFlows } from './flows.ts';
import { cookieKind, routerFailoverGroupId, routerMetadata } from './ids.ts';
import { CookieKind, Table } from './layout.ts';
import { distributedLab, factsOf, routerLab } from './test-fixtures.ts';
import { desiredTunnels, tunnelLinks, tunnelName } from './tunnels.ts';

const lab = distributedLab();
const flowsOf = (node: string) => desiredFlows(lab, node, factsOf(lab, node));
const CORE = routerMetadata('core');
const ipDst = (f: { match: readonly { field: string; value?: unknown; mask?: unknown }[] }) => {
  const m = f.match.find((x) => x.field === 'ipv4_dst');
  return m ? `${String(m.value)}${m.mask ? `/${String(m.mask)}` : ''}` : 'any';
};
/** Table 50 of a node for router core: destination → what it does. */
const routesOf = (node: string) =>
  Object.fromEntries(
    flowsOf(node)
      .flows.filter((f) => f.tableId === Table.ROUTE && f.match.some((m) => m.field === 'metadata' && m.value === CORE))
      .map((f) => [
        ipDst(f),
        f.instructions
          .map((i) => (i.type === 'apply_actions' ? formatActions(i.actions) : i.type === 'goto_table' ? `goto:${i.tableId}` : i.type))
          .join(' '),
      ]),
  );

describe('distributed routers in the pipeline', () => {
  it('route on the source node: a /32 per known port, straight to its port or the tunnel of its node, TTL and MACs rewritten', () => {
    const hv1 = factsOf(lab, 'hv1');
    const routes = routesOf('hv1');
    expect(routes['10.0.0.10']).toBe(
      `dec_ttl,set_field:0a:00:00:00:01:01->eth_src,set_field:02:00:00:00:00:0a->eth_dst,output:${hv1.vmPorts.get('web-a')}`,
    );
    expect(routes['10.1.0.11']).toBe(
      `dec_ttl,set_field:0a:00:00:00:02:01->eth_src,set_field:02:00:00:00:00:0e->eth_dst,set_field:0xc8->tunnel_id,output:${hv1.tunnelPorts.get(tunnelName('hv3', 'vxlan'))}`,
    );
    // A static route to a port's address goes to that port; to an address no port has, and the
    // uplink (default route), on to the gateways; so does an unknown host of a connected subnet.
    expect(routes['10.50.0.0/255.255.0.0']).toBe(routes['10.1.0.11']);
    expect(routes['10.60.0.0/255.255.0.0']).toBe(`goto:${Table.TO_GATEWAY}`);
    expect(routes['10.1.0.0/255.255.255.0']).toBe(`goto:${Table.TO_GATEWAY}`);
    expect(routes.any).toBe(`goto:${Table.TO_GATEWAY}`);
    // Table 51 hands it, unchanged, to the router's failover group of the switch it came from.
    const toGateway = flowsOf('hv1').flows.filter((f) => f.tableId === Table.TO_GATEWAY);
    expect(toGateway.map((f) => formatActions((f.instructions[0] as unknown as { actions: never[] }).actions)).sort()).toEqual([
      `group:${routerFailoverGroupId(100, 0)}`,
      `group:${routerFailoverGroupId(200, 0)}`,
    ]);
    expect(flowsOf('hv1').groups.map((g) => g.groupId)).toContain(routerFailoverGroupId(100, 0));
  });

  it('answer ARP and pings for the router on the node, send TTLs that run out to the controller, and leave the gateway-path flow out', () => {
    const table10 = flowsOf('hv2').flows.filter((f) => f.tableId === Table.L2);
    const kinds = table10.map((f) => cookieKind(f.cookie));
    // core and stub on web: an ARP answer each, pings to each of their addresses, two TTL flows, entry.
    expect(kinds.filter((k) => k === CookieKind.ROUTER_ARP)).toHaveLength(2);
    expect(kinds.filter((k) => k === CookieKind.ROUTER_ECHO)).toHaveLength(3);
    expect(kinds.filter((k) => k === CookieKind.ROUTER_TTL)).toHaveLength(4);
    expect(kinds.filter((k) => k === CookieKind.ROUTER_IN)).toHaveLength(2);
    expect(kinds).not.toContain(CookieKind.ROUTER_UNICAST);
    // A router that is not distributed keeps its table-10 flow to its gateways.
    const central = routerLab();
    const hv1 = desiredFlows(central, 'hv1', factsOf(central, 'hv1')).flows.map((f) => cookieKind(f.cookie));
    expect(hv1).toContain(CookieKind.ROUTER_UNICAST);
    expect(hv1).not.toContain(CookieKind.ROUTER_IN);
  });

  it('a router without gateways asks the controller for an address it knows no MAC of, learns from ARP replies, routes to what it learned', () => {
    const stubOn = (state: typeof lab, node: string) =>
      desiredFlows(state, node, factsOf(state, node)).flows.filter(
        (f) => f.tableId === Table.ROUTE && f.match.some((m) => m.field === 'metadata' && m.value === routerMetadata('stub')),
      );
    const stub = stubOn(lab, 'hv2');
    const subnet = stub.find((f) => ipDst(f) === '10.0.0.0/255.255.255.0')!;
    expect(cookieKind(subnet.cookie)).toBe(CookieKind.ROUTER_RESOLVE);
    // Its MAC as the ARP's source, its address in reg4, then the controller.
    expect(formatActions((subnet.instructions[0] as unknown as { actions: never[] }).actions)).toBe(
      'set_field:0a:00:00:00:01:09->eth_src,set_field:0xa000009->reg4,output:CONTROLLER:65535',
    );
    expect(stub.find((f) => ipDst(f) === 'any')).toBeUndefined();
    expect(flowsOf('hv2').flows.filter((f) => cookieKind(f.cookie) === CookieKind.ROUTER_LEARN)).toHaveLength(1); // stub's, not core's
    // A learned binding: a /32 like a port's, towards the port with that MAC.
    const learned = { ...lab, macBindings: [{ switch: 'web', ip: '10.0.0.77', mac: '02:00:00:00:00:0c' }] };
    const route = stubOn(learned, 'hv1').find((f) => ipDst(f) === '10.0.0.77')!;
    expect(formatActions((route.instructions[0] as unknown as { actions: never[] }).actions)).toContain(
      'set_field:02:00:00:00:00:0c->eth_dst',
    );
    expect(flowsOf('hv4').flows.filter((f) => f.tableId === Table.ROUTE)).toEqual([]);
  });

  it('join the nodes of its switches by tunnels, each end classifying the switches it hosts', () => {
    // hv2 hosts web only, hv3 db only: core joins them.
    expect(desiredTunnels(lab, 'hv2').map((t) => t.name)).toContain(tunnelName('hv3', 'vxlan'));
    // Each way in the encap of the switch it sends into: db's (vxlan) to hv3, web's (geneve) back.
    const hv2Links = tunnelLinks(lab, 'hv2').filter((l) => l.tunnel.remoteNode === 'hv3');
    expect(hv2Links.map((l) => [l.tunnel.encap, l.carries.map((c) => [c.sw.name, c.reasons])])).toEqual([
      ['geneve', [['web', ['routed']]]],
      ['vxlan', [['db', ['routed']]]],
    ]);
    const hv3ToHv2 = tunnelLinks(lab, 'hv3').find((l) => l.tunnel.remoteNode === 'hv2' && l.tunnel.encap === 'geneve')!;
    expect(hv3ToHv2.carries.map((c) => [c.sw.name, c.reasons])).toEqual([['web', ['routed']]]);
    // hv3 classifies db from hv2's vxlan tunnel (db is its own), not web from the geneve one.
    const hv3 = factsOf(lab, 'hv3');
    const fromHv2 = flowsOf('hv3').flows.filter(
      (f) =>
        f.tableId === Table.CLASSIFY &&
        f.match.some((m) => m.field === 'in_port' && [...hv3.tunnelPorts].some(([n, p]) => n.startsWith('tun-hv2') && p === m.value)),
    );
    expect(fromHv2.map((f) => f.match.find((m) => m.field === 'tunnel_id')?.value)).toEqual([200n]);
  });
});
