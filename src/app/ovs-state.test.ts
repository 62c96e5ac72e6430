import { describe, expect, test } from 'vitest';
import { parseOvsState } from './ovs-state.ts';

// Captured from `ovs-vsctl -f json -d json ...` (OVS_STATE_COMMAND) on a node of the image.
const CAPTURED = [
  '{"data":[["br-phy",["set",[]],"netdev",["set",[["uuid","p1"],["uuid","p2"]]]],["br-int","secure","netdev",["set",[["uuid","p3"],["uuid","p4"]]]]],"headings":["name","fail_mode","datapath_type","ports"]}',
  '{"data":[[["uuid","p1"],["uuid","i1"]],[["uuid","p2"],["uuid","i2"]],[["uuid","p3"],["uuid","i3"]],[["uuid","p4"],["uuid","i4"]]],"headings":["_uuid","interfaces"]}',
  '{"data":[[["uuid","i1"],"br-phy","internal",65534,"02:42:ac:11:00:02","up",["map",[]],["map",[]]],[["uuid","i2"],"eth1","",1,"02:42:ac:11:00:02","up",["map",[]],["map",[]]],[["uuid","i3"],"br-int","internal",65534,"62:7a:f6:b7:c7:4b","down",["map",[]],["map",[]]],[["uuid","i4"],"vm-web1","",2,"9a:34:41:aa:3d:29","up",["map",[["attached-mac","02:00:00:00:00:01"],["iface-id","web1"]]],["map",[]]]],"headings":["_uuid","name","type","ofport","mac_in_use","link_state","external_ids","options"]}',
].join('\n');

describe('parseOvsState', () => {
  test('joins bridges, ports and interfaces, with iface-id bindings', () => {
    const bridges = parseOvsState(CAPTURED);
    expect(bridges.map((b) => [b.name, b.failMode, b.datapathType])).toEqual([
      ['br-phy', '', 'netdev'],
      ['br-int', 'secure', 'netdev'],
    ]);
    expect(bridges[0]?.interfaces.map((i) => [i.name, i.type, i.ofport])).toEqual([
      ['eth1', 'system', 1],
      ['br-phy', 'internal', 65534],
    ]);
    expect(bridges[1]?.interfaces.find((i) => i.name === 'vm-web1')).toMatchObject({ ifaceId: 'web1', ofport: 2 });
  });

  test('BFD state where BFD is enabled, nothing where it is not', () => {
    const tunnels = [
      '{"data":[["br-int","secure","netdev",["set",[["uuid","p1"],["uuid","p2"]]]]],"headings":["name","fail_mode","datapath_type","ports"]}',
      '{"data":[[["uuid","p1"],["uuid","i1"]],[["uuid","p2"],["uuid","i2"]]],"headings":["_uuid","interfaces"]}',
      '{"data":[' +
        '[["uuid","i1"],"tun-sn1-gnv","geneve",3,"aa:bb:cc:00:00:01","up",["map",[["nvlab-tunnel","true"]]],["map",[["key","flow"],["remote_ip","172.30.0.5"]]],["map",[["enable","true"],["min_rx","100"]]],["map",[["diagnostic","Control Detection Time Expired"],["forwarding","false"],["state","down"]]]],' +
        '[["uuid","i2"],"tun-hv2-gnv","geneve",4,"aa:bb:cc:00:00:02","up",["map",[["nvlab-tunnel","true"]]],["map",[["key","flow"],["remote_ip","172.30.0.3"]]],["map",[]],["map",[]]]' +
        '],"headings":["_uuid","name","type","ofport","mac_in_use","link_state","external_ids","options","bfd","bfd_status"]}',
    ].join('\n');
    const [brInt] = parseOvsState(tunnels);
    expect(brInt?.interfaces.map((i) => [i.name, i.bfd])).toEqual([
      ['tun-sn1-gnv', { state: 'down', forwarding: false }],
      ['tun-hv2-gnv', undefined],
    ]);
  });

  test('rejects output that is not three tables', () => {
    expect(() => parseOvsState('{"data":[],"headings":[]}')).toThrow();
  });
});
