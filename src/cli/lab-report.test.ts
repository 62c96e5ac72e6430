import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import type { NodeState } from '../app/inspect.ts';
import type { OvsInterfaceState } from '../app/ovs-state.ts';
import { apiLines, ovsSummary } from './lab-report.ts';
import { describeApiAccess } from '../app/api-access.ts';

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

describe('apiLines', () => {
  // Colours aside: the lines as a terminal without colour shows them.
  const plain = (lines: string[]) => lines.map((l) => stripVTControlCharacters(l));

  test('say whether the lab runs TLS, give the token and a command that calls the API with it', () => {
    const access = describeApiAccess('/s/demo', { token: 'tok', ca: 'PEM' }, ['172.31.42.2']);
    expect(plain(apiLines(access))).toEqual([
      "tls    on (members' authority: /s/demo/controllers-ca.pem)",
      'token  tok',
      'api    curl --cacert /s/demo/controllers-ca.pem -H "Authorization: Bearer tok" https://172.31.42.2:8080/api/v1/status',
    ]);
    expect(plain(apiLines(describeApiAccess('/s/demo', { token: 'tok' }, ['172.31.42.2'])))[0]).toBe('tls    off');
  });

  test('say when this host holds no token for the lab', () => {
    expect(plain(apiLines(describeApiAccess('/s/old', undefined, ['172.31.42.2'])))).toEqual([
      'tls    unknown',
      'token  no token on this host (the lab has no state in /s/old)',
    ]);
  });
});
