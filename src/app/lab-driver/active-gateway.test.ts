import { describe, expect, test } from 'vitest';
import type { OvsBridgeState } from '../ovs-state.ts';
import { activeGatewayOf, liveTunnelsTo, type GatewayView } from './active-gateway.ts';

const view = (node: string, running: boolean, live: string[] = []): GatewayView => ({ node, running, liveTunnelsTo: new Set(live) });
const ORDER = ['gw1', 'gw2', 'gw3'];

describe('activeGatewayOf', () => {
  test('the first gateway is active while it runs; the others see it', () => {
    expect(activeGatewayOf('edge', ORDER, [view('gw1', true), view('gw2', true, ['gw1']), view('gw3', true, ['gw1', 'gw2'])])).toBe('gw1');
  });

  test('a standby takes over when every gateway ahead of it is unreachable', () => {
    expect(activeGatewayOf('edge', ORDER, [view('gw1', false), view('gw2', true), view('gw3', true, ['gw2'])])).toBe('gw2');
    expect(activeGatewayOf('edge', ORDER, [view('gw1', false), view('gw2', false), view('gw3', true)])).toBe('gw3');
  });

  test('none when no gateway runs', () => {
    expect(activeGatewayOf('edge', ORDER, [view('gw1', false), view('gw2', false), view('gw3', false)])).toBeUndefined();
  });

  test('two active at once is an error naming both', () => {
    expect(() => activeGatewayOf('edge', ORDER, [view('gw1', true), view('gw2', true), view('gw3', true, ['gw1'])])).toThrow(
      'gw1 and gw2 are both active for router edge (gw2 sees no live tunnel to gw1)',
    );
  });
});

describe('liveTunnelsTo', () => {
  const tunnel = (name: string, ip: string, bfd?: { state: string; forwarding: boolean }) => ({
    name,
    type: 'geneve',
    ofport: 3,
    mac: '',
    linkState: 'up',
    options: { remote_ip: ip },
    ...(bfd ? { bfd } : {}),
  });
  const bridges: OvsBridgeState[] = [
    {
      name: 'br-int',
      failMode: 'secure',
      datapathType: 'netdev',
      interfaces: [
        tunnel('tun-gw1-gnv', '172.30.0.11', { state: 'up', forwarding: true }),
        // Up, but the far end holds itself back (cpath_down): not forwarding.
        tunnel('tun-gw3-gnv', '172.30.0.13', { state: 'up', forwarding: false }),
        tunnel('tun-hv1-gnv', '172.30.0.10'),
        { name: 'lru1234abcd', type: 'system', ofport: 5, mac: '', linkState: 'up', options: {} },
      ],
    },
  ];

  test('names the remote ends of tunnels that forward', () => {
    const byIp = new Map([
      ['172.30.0.11', 'gw1'],
      ['172.30.0.13', 'gw3'],
      ['172.30.0.10', 'hv1'],
    ]);
    expect([...liveTunnelsTo(bridges, byIp)].sort()).toEqual(['gw1', 'hv1']);
  });
});
