import { describe, expect, it } from 'vitest';
import type { PortStats } from '../../openflow/index.ts';
import { bfdStatus, ovsdbCounters, portCounters, tunnelStatuses, type InterfaceRow } from './tunnel-status.ts';

const NOT_COUNTED = 0xffffffffffffffffn;

/** A tunnel Interface row as a node's replica holds it. */
function row(name: string, remoteIp: string, extra: Partial<InterfaceRow> = {}): InterfaceRow {
  return {
    name,
    type: 'geneve',
    ofport: 3,
    options: new Map([
      ['remote_ip', remoteIp],
      ['key', 'flow'],
    ]),
    link_state: 'up',
    bfd_status: new Map(),
    statistics: new Map<string, number>([
      ['rx_packets', 10],
      ['rx_bytes', 1000],
      ['tx_packets', 12],
      ['tx_bytes', 1300],
      ['rx_dropped', 0],
    ]),
    ...extra,
  };
}

const stats = (portNo: number, over: Partial<PortStats> = {}): PortStats => ({
  portNo,
  rxPackets: 20n,
  txPackets: 21n,
  rxBytes: 2000n,
  txBytes: 2100n,
  rxDropped: NOT_COUNTED,
  txDropped: 1n,
  rxErrors: 0n,
  txErrors: 0n,
  durationSec: 5,
  durationNsec: 0,
  ...over,
});

const nodes = new Map([
  ['172.30.0.11', 'hv2'],
  ['172.30.0.20', 'sn1'],
]);
const remoteOf = (ip: string) => nodes.get(ip);

describe('tunnel status from OVSDB rows', () => {
  it('names the remote node by its underlay IP, with encap, key, link and OVSDB counters', () => {
    expect(tunnelStatuses([row('tun-hv2-gnv', '172.30.0.11')], remoteOf)).toEqual([
      {
        interface: 'tun-hv2-gnv',
        remote: 'hv2',
        remoteIp: '172.30.0.11',
        encap: 'geneve',
        key: 'flow',
        ofport: 3,
        link: 'up',
        rx: { packets: 10, bytes: 1000, dropped: 0 },
        tx: { packets: 12, bytes: 1300 },
      },
    ]);
  });

  it('shows BFD where it runs: state, forwarding, the remote state, why it went down and flaps', () => {
    const down = row('tun-sn1-gnv', '172.30.0.20', {
      link_state: 'down',
      bfd_status: new Map([
        ['state', 'down'],
        ['forwarding', 'false'],
        ['remote_state', 'up'],
        ['diagnostic', 'Control Detection Time Expired'],
        ['flap_count', '3'],
      ]),
    });
    const [t] = tunnelStatuses([down], remoteOf);
    expect(t).toMatchObject({
      link: 'down',
      bfd: { state: 'down', forwarding: false, remoteState: 'up', diagnostic: 'Control Detection Time Expired', flaps: 3 },
    });
    expect(
      bfdStatus(
        new Map([
          ['state', 'up'],
          ['forwarding', 'true'],
          ['diagnostic', 'No Diagnostic'],
        ]),
      ),
    ).toEqual({
      state: 'up',
      forwarding: true,
    });
    expect(bfdStatus(new Map())).toBeUndefined();
  });

  it('counts from OpenFlow port statistics where the switch answered, leaving out what it does not count', () => {
    const [t] = tunnelStatuses([row('tun-hv2-gnv', '172.30.0.11')], remoteOf, new Map([[3, stats(3)]]));
    expect(t!.rx).toEqual({ packets: 20, bytes: 2000, errors: 0 });
    expect(t!.tx).toEqual({ packets: 21, bytes: 2100, dropped: 1, errors: 0 });
    expect(portCounters(stats(3, { rxPackets: NOT_COUNTED }), 'rx')).toBeUndefined();
  });

  it('leaves out what a row does not have: an unknown remote, no ofport yet, empty optional columns, no counters', () => {
    const bare = row('tun-x-vxl', '10.9.9.9', {
      type: 'vxlan',
      ofport: [],
      link_state: [],
      statistics: new Map(),
      options: new Map([['remote_ip', '10.9.9.9']]),
    });
    expect(tunnelStatuses([bare], remoteOf)).toEqual([{ interface: 'tun-x-vxl', remoteIp: '10.9.9.9', encap: 'vxlan' }]);
    expect(ovsdbCounters(new Map([['rx_packets', '1']]), 'rx')).toBeUndefined();
  });

  it('lists tunnels by interface name', () => {
    const names = tunnelStatuses([row('tun-sn1-gnv', '172.30.0.20'), row('tun-hv2-gnv', '172.30.0.11')], remoteOf).map((t) => t.interface);
    expect(names).toEqual(['tun-hv2-gnv', 'tun-sn1-gnv']);
  });
});
