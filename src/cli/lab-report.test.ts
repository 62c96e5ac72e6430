import { describe, expect, test } from 'vitest';
import type { NodeState } from '../app/inspect.ts';
import type { OvsInterfaceState } from '../app/ovs-state.ts';
import { ovsSummary } from './lab-report.ts';

const iface = (name: string, type: string, ifaceId?: string): OvsInterfaceState => ({
  name,
  type,
  ofport: 1,
  mac: '02:00:00:00:00:01',
  linkState: 'up',
  options: {},
  ...(ifaceId ? { ifaceId } : {}),
});

const node = (interfaces: OvsInterfaceState[]): NodeState => ({
  name: 'gw1',
  role: 'l3-gateway',
  container: 'nvlab-x-gw1',
  state: 'running',
  addresses: {},
  ovs: [{ name: 'br-int', failMode: 'secure', datapathType: 'netdev', interfaces }],
});

describe('ovsSummary', () => {
  test("a gateway's router ports show as its routers, once each, not as VMs", () => {
    const text = ovsSummary(
      node([
        iface('br-int', 'internal'),
        iface('lrp1a2b3c4d', '', 'lrp:edge:web'),
        iface('lrp5e6f7a8b', '', 'lrp:edge:db'),
        iface('lru9c8d7e6f', '', 'lru:edge'),
        iface('tun-hv1-gnv', 'geneve'),
        iface('eth2', ''),
      ]),
    );
    expect(text).toContain('routers edge');
    expect(text).not.toContain('vms');
    expect(text).toContain('1 tunnel)');
  });

  test('VMs on a hypervisor are listed by their port names', () => {
    expect(ovsSummary(node([iface('vm-web1', '', 'web1'), iface('vm-web2', '', 'web2')]))).toContain('vms web1,web2');
  });
});
