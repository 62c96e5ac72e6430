// An NVP-style overlay pipeline used by the integration tests: tunnel classification, L2 lookup
// with flooding groups, ARP punt, L3 forwarding with MAC rewrite and TTL decrement, VLANs, regs.
import {
  act,
  bucket,
  flowMod,
  FlowModFlags,
  groupMod,
  inst,
  Port,
  VID_PRESENT,
  type OutgoingMessage,
} from '../../../src/openflow/index.ts';

export function overlayGroups(): OutgoingMessage[] {
  return [
    groupMod({
      groupId: 1,
      groupType: 'all',
      buckets: [
        bucket([
          act.setField({ field: 'tun_dst', value: '192.168.1.2' }),
          act.setField({ field: 'tunnel_id', value: 0x1234n }),
          act.output(1),
        ]),
        bucket([act.output(2)]),
      ],
    }),
    groupMod({
      groupId: 2,
      groupType: 'select',
      buckets: [
        bucket([act.setField({ field: 'eth_dst', value: '00:00:00:00:00:0a' }), act.output(1)], { weight: 50 }),
        bucket([act.setField({ field: 'eth_dst', value: '00:00:00:00:00:0b' }), act.output(2)], { weight: 50 }),
      ],
    }),
    groupMod({
      groupId: 3,
      groupType: 'indirect',
      buckets: [
        bucket([
          act.setField({ field: 'eth_src', value: '00:00:5e:00:01:01' }),
          act.setField({ field: 'eth_dst', value: '00:00:00:00:00:02' }),
          act.output(2),
        ]),
      ],
    }),
    groupMod({
      groupId: 4,
      groupType: 'fast_failover',
      buckets: [
        bucket([act.output(1)], { watchPort: 1 }),
        bucket([act.output(2)], { watchPort: 2 }),
        bucket([act.group(3)], { watchGroup: 3 }),
      ],
    }),
  ];
}

export function overlayFlows(): OutgoingMessage[] {
  return [
    // Table 0: classification.
    flowMod({
      priority: 100,
      match: [
        { field: 'in_port', value: 1 },
        { field: 'tunnel_id', value: 0x1234n },
        { field: 'tun_src', value: '10.0.0.1' },
      ],
      instructions: [inst.apply(act.setField({ field: 'reg0', value: 1 })), inst.writeMetadata(0x1234n, 0xffffffn), inst.gotoTable(1)],
    }),
    flowMod({
      priority: 90,
      match: [{ field: 'in_port', value: 2 }],
      instructions: [inst.apply(act.setField({ field: 'tunnel_id', value: 5n })), inst.gotoTable(1)],
    }),
    flowMod({ priority: 0, cookie: 0x99n, instructions: [] }),
    // Table 1: L2.
    flowMod({
      tableId: 1,
      priority: 50,
      match: [
        { field: 'metadata', value: 0x1234n, mask: 0xffffffn },
        { field: 'eth_dst', value: '00:00:00:00:00:02' },
      ],
      instructions: [
        inst.apply(
          act.setField({ field: 'tun_dst', value: '192.168.1.2' }),
          act.setField({ field: 'tunnel_id', value: 0x1234n }),
          act.output(1),
        ),
      ],
    }),
    flowMod({
      tableId: 1,
      priority: 40,
      match: [{ field: 'eth_dst', value: '01:00:00:00:00:00', mask: '01:00:00:00:00:00' }],
      instructions: [inst.apply(act.group(1))],
    }),
    flowMod({
      tableId: 1,
      priority: 30,
      match: [
        { field: 'eth_type', value: 0x0806 },
        { field: 'arp_op', value: 1 },
        { field: 'arp_tpa', value: '10.1.0.1' },
        { field: 'arp_spa', value: '10.1.0.2' },
      ],
      instructions: [inst.apply(act.output(Port.CONTROLLER))],
    }),
    flowMod({
      tableId: 1,
      priority: 20,
      match: [
        { field: 'eth_type', value: 0x0800 },
        { field: 'ipv4_dst', value: '10.2.0.0', mask: '255.255.0.0' },
      ],
      instructions: [inst.gotoTable(2)],
    }),
    flowMod({
      tableId: 1,
      priority: 10,
      match: [
        { field: 'reg0', value: 1, mask: 0xf },
        { field: 'reg15', value: 0xffffffff },
      ],
      instructions: [inst.clear(), inst.write(act.output(2))],
    }),
    // Table 2: L3 and VLAN handling.
    flowMod({
      tableId: 2,
      priority: 100,
      cookie: 0xabcn,
      idleTimeout: 60,
      hardTimeout: 300,
      flags: FlowModFlags.SEND_FLOW_REM,
      match: [
        { field: 'eth_type', value: 0x0800 },
        { field: 'ipv4_dst', value: '10.2.3.4' },
        { field: 'ip_proto', value: 6 },
      ],
      instructions: [
        inst.apply(
          act.setField({ field: 'eth_src', value: '00:00:5e:00:01:01' }),
          act.setField({ field: 'eth_dst', value: '00:00:00:00:00:03' }),
          act.decTtl(),
          act.output(2),
        ),
      ],
    }),
    flowMod({
      tableId: 2,
      priority: 90,
      match: [
        { field: 'eth_type', value: 0x0800 },
        { field: 'ipv4_src', value: '10.1.0.0', mask: '255.255.255.0' },
      ],
      instructions: [inst.write(act.group(3))],
    }),
    flowMod({
      tableId: 2,
      priority: 80,
      match: [{ field: 'vlan_vid', value: VID_PRESENT | 100 }],
      instructions: [inst.apply(act.popVlan(), act.output(1))],
    }),
    flowMod({
      tableId: 2,
      priority: 70,
      match: [{ field: 'in_port', value: 1 }],
      instructions: [
        inst.apply(
          act.pushVlan(0x8100),
          act.setField({ field: 'vlan_vid', value: VID_PRESENT | 200 }),
          act.setQueue(1),
          act.output(Port.IN_PORT),
        ),
      ],
    }),
    flowMod({
      tableId: 2,
      priority: 60,
      match: [
        { field: 'tun_src', value: '192.168.0.0', mask: '255.255.255.0' },
        { field: 'tun_dst', value: '192.168.0.9' },
      ],
      instructions: [inst.apply(act.setField({ field: 'reg1', value: 0xdead }), act.resubmit(3))],
    }),
    flowMod({
      tableId: 2,
      priority: 50,
      match: [{ field: 'eth_src', value: 'aa:bb:cc:00:00:00', mask: 'ff:ff:ff:00:00:00' }],
      instructions: [inst.apply(act.output(Port.LOCAL), act.output(Port.ALL))],
    }),
    // Table 3: protected forwarding.
    flowMod({ tableId: 3, priority: 1, instructions: [inst.apply(act.group(4))] }),
  ];
}
