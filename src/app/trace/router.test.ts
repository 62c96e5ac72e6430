import { describe, expect, it } from 'vitest';
import { loadRecording, recordedView } from '../../../test/fixtures/trace/recorded.ts';
import { labView } from './lab-view.ts';
import { BROADCAST_MAC, type Packet } from './packet.ts';
import { routeThrough, routerPortEndpoint, routerPortInterface } from './router.ts';

const recording = loadRecording();
const view = recordedView(recording);
const edge = view.routers.find((r) => r.name === 'edge')!;
const mac = (sw: string) => edge.interfaces.find((i) => i.switch === sw)!.mac;
const web1 = view.ports.find((p) => p.name === 'web1')!;
const db1 = view.ports.find((p) => p.name === 'db1')!;
const fromWeb1 = (nwDst: string, extra: Partial<Packet> = {}): Packet => ({
  dlSrc: web1.mac,
  dlDst: mac('web'),
  proto: 'icmp',
  nwSrc: web1.ip!,
  nwDst,
  ttl: 64,
  ...extra,
});
const onWeb = routerPortEndpoint('edge', 'web');

describe('routeThrough: a router’s own step', () => {
  it('routes by its interfaces, TTL minus one, the frame rewritten to the next hop', () => {
    const routed = routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.11'))!;
    expect(routed.pass).toEqual({
      node: 'gw1',
      entry: onWeb,
      rules: [],
      exits: [routerPortEndpoint('edge', 'db')],
      route: { router: 'edge', destination: '10.0.2.11', ttl: 63 },
    });
    expect(routed.next).toEqual({
      entry: routerPortEndpoint('edge', 'db'),
      ingress: { inPort: routerPortInterface(routerPortEndpoint('edge', 'db')) },
      packet: { ...fromWeb1('10.0.2.11'), dlSrc: mac('db'), dlDst: db1.mac, ttl: 63 },
    });
  });

  it('translates the source to the uplink address for what leaves by the uplink of a router with snat', () => {
    const www = view.hosts.find((h) => h.name === 'www')!;
    const routed = routeThrough(view, 'gw1', onWeb, fromWeb1('203.0.113.80'))!;
    expect(routed.pass.route).toEqual({ router: 'edge', destination: '203.0.113.80', ttl: 63, snat: '203.0.113.2' });
    expect(routed.next?.packet).toMatchObject({ nwSrc: '203.0.113.2', dlSrc: edge.uplink!.mac, dlDst: www.mac });
    expect(routed.next?.entry).toEqual({ kind: 'router-port', router: 'edge', uplink: true });
    const noSnat = labView(
      view.lab,
      { ...recording.resources, routers: recording.resources.routers.map((r) => ({ ...r, uplink: { ...r.uplink!, snat: false } })) },
      recording.hosts,
    );
    expect(routeThrough(noSnat, 'gw1', onWeb, fromWeb1('203.0.113.80'))?.next?.packet.nwSrc).toBe(web1.ip);
  });

  it('drops at TTL 1, without a route, and where nothing holds the address', () => {
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.11', { ttl: 1 }))?.pass).toMatchObject({
      exits: [],
      drop: { reason: 'ttl', detail: 'the TTL ran out at router edge (the packet came with TTL 1)' },
    });
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('8.8.8.8'))?.pass.drop).toEqual({
      reason: 'no-route',
      detail: 'router edge has no route towards 8.8.8.8',
    });
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.99'))?.pass.drop).toEqual({
      reason: 'no-route',
      detail: 'router edge: nothing on switch db holds 10.0.2.99',
    });
  });

  it('routes nothing of a broadcast, an ARP, a frame for another MAC, or a packet for its own address', () => {
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.11', { dlDst: BROADCAST_MAC }))).toBeUndefined();
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.11', { proto: 'arp' }))).toBeUndefined();
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.11', { dlDst: mac('db') }))).toBeUndefined();
    expect(routeThrough(view, 'gw1', onWeb, fromWeb1('10.0.2.1'))).toBeUndefined();
  });
});
