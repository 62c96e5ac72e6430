// Golden bytes captured from Open vSwitch 3.1 (test/fixtures/openflow/capture-golden.ts):
// what ovs-vswitchd sends us must decode to the right values, what ovs-ofctl sends a switch must
// be exactly what we produce for the same flow, and every frame must re-encode byte for byte.
import { describe, expect, it } from 'vitest';
import { decodeGolden as decode, expectAsOfctl, golden, hexOf } from '../../test/fixtures/openflow/golden.ts';
import { act, inst } from './index.ts';
import { flowMod, groupMod, packetOut } from './builders.ts';
import { bucket } from './group.ts';
import { OpenFlowError } from './errors.ts';
import { formatMessage } from './format.ts';
import { decodeFrame, OpenFlowParser } from './parser.ts';

describe('golden frames from OVS', () => {
  for (const [name, { hex }] of Object.entries(golden)) {
    it(`${name} decodes and re-encodes byte for byte`, () => {
      const r = decodeFrame(Buffer.from(hex, 'hex'));
      if (!r.ok) throw r.error;
      expect(hexOf(r.message)).toBe(hex);
      expect(formatMessage(r.message)).toMatch(/^[A-Z_]+ xid=\d+/);
    });

    it(`${name} parses when split at start, middle and end, and byte by byte`, () => {
      const bytes = Buffer.from(hex, 'hex');
      const whole = decodeFrame(bytes);
      const cuts = [1, Math.floor(bytes.length / 2), bytes.length - 1];
      for (const cut of cuts) {
        const parser = new OpenFlowParser();
        expect(parser.feedAll(bytes.subarray(0, cut))).toEqual([]);
        expect(parser.feedAll(bytes.subarray(cut))).toEqual([whole]);
      }
      const parser = new OpenFlowParser();
      const out = [];
      for (const b of bytes) out.push(...parser.feedAll(Buffer.from([b])));
      expect(out).toEqual([whole]);
      // Two copies back to back, cut in the middle of the second.
      const two = Buffer.concat([bytes, bytes]);
      const p2 = new OpenFlowParser();
      const first = p2.feedAll(two.subarray(0, bytes.length + 3));
      const second = p2.feedAll(two.subarray(bytes.length + 3));
      expect([...first, ...second]).toEqual([whole, whole]);
    });
  }
});

describe('what ovs-vswitchd sends', () => {
  it('HELLO announces 1.3 in a version bitmap', () => {
    expect(decode('switch_hello')).toEqual({ type: 'hello', xid: 1, version: 4, versions: [4] });
  });

  it('FEATURES_REPLY carries the datapath id', () => {
    expect(decode('switch_features_reply')).toMatchObject({ type: 'features_reply', datapathId: 0xabcn, nTables: 254 });
  });

  it('ERROR for a stale role request names OFPET_ROLE_REQUEST_FAILED / OFPRRFC_STALE', () => {
    const m = decode('switch_error_role_stale');
    if (m.type !== 'error') throw new Error('not an error');
    const err = new OpenFlowError(m);
    expect([err.typeName, err.codeName]).toEqual(['ROLE_REQUEST_FAILED', 'STALE']);
    expect(formatMessage(m)).toContain('OFPET_ROLE_REQUEST_FAILED OFPRRFC_STALE');
    // The data echoes our ROLE_REQUEST, which must itself decode.
    const echoed = decodeFrame(m.data);
    expect(echoed.ok && echoed.message).toEqual({ type: 'role_request', xid: m.xid, role: 'master', generationId: 1n });
  });

  it('PACKET_IN carries in_port and the NXM register set by the flow', () => {
    const m = decode('switch_packet_in');
    expect(m).toMatchObject({
      type: 'packet_in',
      reason: 1,
      cookie: 0x42n,
      match: [
        { field: 'in_port', value: 2 },
        { field: 'reg3', value: 7 },
      ],
    });
  });

  it('flow stats reply decodes tunnel and NXM fields', () => {
    const m = decode('switch_flow_stats_reply');
    if (m.type !== 'multipart_reply' || m.body.kind !== 'flow') throw new Error('not flow stats');
    expect(m.body.flows).toHaveLength(2);
    const overlay = m.body.flows.find((f) => f.priority === 50)!;
    // OVS prints fields in its own canonical order, not in the order we sent them.
    expect(overlay.match).toEqual([
      { field: 'eth_dst', value: '00:00:00:00:00:02' },
      { field: 'tunnel_id', value: 5n },
    ]);
    expect(overlay.instructions).toEqual([
      inst.apply(act.setField({ field: 'tun_dst', value: '10.0.0.9' }), { type: 'output', port: 1, maxLen: 0 }),
    ]);
  });

  it('port desc and port status decode names and numbers', () => {
    const pd = decode('switch_port_desc_reply');
    if (pd.type !== 'multipart_reply' || pd.body.kind !== 'port_desc') throw new Error('not port desc');
    expect(pd.body.ports.map((p) => [p.portNo, p.name]).sort()).toEqual(
      [
        [1, 'pa'],
        [2, 'pb'],
        [0xfffffffe, expect.any(String)],
      ].sort(),
    );
    expect(decode('switch_port_status_add')).toMatchObject({
      type: 'port_status',
      reason: 0,
      port: { name: expect.stringMatching(/^p[ab]$/) },
    });
  });
});

describe('we encode exactly what ovs-ofctl sends', () => {
  it('overlay flow: tunnel id, tun_src, masked reg0, set_field tun_dst/tun_id, goto_table', () => {
    const ours = flowMod({
      priority: 100,
      cookie: 0x1234n,
      match: [
        { field: 'in_port', value: 1 },
        { field: 'eth_dst', value: '00:00:00:00:00:02' },
        { field: 'eth_type', value: 0x0800 },
        { field: 'tunnel_id', value: 5n },
        { field: 'tun_src', value: '192.168.0.1' },
        { field: 'reg0', value: 5, mask: 0xff },
      ],
      instructions: [
        inst.apply(
          act.setField({ field: 'eth_src', value: '00:00:00:00:00:01' }),
          act.decTtl(),
          act.setField({ field: 'tun_dst', value: '1.2.3.4' }),
          act.setField({ field: 'tunnel_id', value: 0x2an }),
          act.output(2),
        ),
        inst.gotoTable(1),
      ],
    });
    expectAsOfctl('ofctl_flow_mod_overlay', ours);
  });

  it('L3 flow: masked eth_src/ipv4_src/metadata, timeouts, write_actions(group), write_metadata', () => {
    const ours = flowMod({
      tableId: 1,
      priority: 200,
      idleTimeout: 10,
      hardTimeout: 20,
      match: [
        { field: 'eth_src', value: '00:11:22:00:00:00', mask: 'ff:ff:ff:00:00:00' },
        { field: 'eth_type', value: 0x0800 },
        { field: 'ipv4_src', value: '10.0.0.0', mask: '255.0.0.0' },
        { field: 'ipv4_dst', value: '10.1.2.3' },
        { field: 'ip_proto', value: 6 },
        { field: 'metadata', value: 1n, mask: 0xffn },
      ],
      instructions: [inst.write(act.group(7)), inst.writeMetadata(2n, 0xfn), inst.gotoTable(2)],
    });
    expectAsOfctl('ofctl_flow_mod_l3', ours);
  });

  it('ARP + VLAN flow: arp_op/spa/tpa, vlan_vid, pop/push VLAN, set_field vlan_vid, output CONTROLLER', () => {
    const ours = flowMod({
      priority: 10,
      match: [
        { field: 'eth_type', value: 0x0806 },
        { field: 'vlan_vid', value: 0x1000 | 10 },
        { field: 'arp_op', value: 1 },
        { field: 'arp_spa', value: '10.0.0.1' },
        { field: 'arp_tpa', value: '10.0.0.2' },
      ],
      instructions: [
        inst.apply(act.popVlan(), act.pushVlan(0x8100), act.setField({ field: 'vlan_vid', value: 4106 }), act.output(0xfffffffd)),
      ],
    });
    expectAsOfctl('ofctl_flow_mod_arp_vlan', ours);
  });

  it('delete_strict', () => {
    const ours = flowMod({
      command: 'delete_strict',
      tableId: 0xff,
      priority: 10,
      match: [{ field: 'in_port', value: 3 }],
    });
    expectAsOfctl('ofctl_flow_mod_delete_strict', ours);
  });

  it('select and fast-failover groups', () => {
    const select = groupMod({
      groupType: 'select',
      groupId: 7,
      buckets: [
        bucket([act.output(1)], { weight: 10 }),
        bucket([act.setField({ field: 'reg1', value: 3 }), act.output(2)], { weight: 20 }),
      ],
    });
    expectAsOfctl('ofctl_group_mod_select', select);
    const ff = groupMod({
      groupType: 'fast_failover',
      groupId: 8,
      buckets: [bucket([act.output(1)], { watchPort: 1 }), bucket([act.output(2)], { watchPort: 2 })],
    });
    expectAsOfctl('ofctl_group_mod_ff', ff);
  });

  it('packet-out and multipart requests', () => {
    const po = decode('ofctl_packet_out');
    if (po.type !== 'packet_out') throw new Error('not a packet out');
    expectAsOfctl('ofctl_packet_out', packetOut(po.data, [act.output(1)]));
    expectAsOfctl('ofctl_group_desc_request', { type: 'multipart_request', flags: 0, body: { kind: 'group_desc' } });
    expectAsOfctl('ofctl_port_desc_request', { type: 'multipart_request', flags: 0, body: { kind: 'port_desc' } });
    expectAsOfctl('ofctl_flow_stats_request', {
      type: 'multipart_request',
      flags: 0,
      body: {
        kind: 'flow',
        tableId: 0,
        outPort: 0xffffffff,
        outGroup: 0xffffffff,
        cookie: 0n,
        cookieMask: 0n,
        match: [{ field: 'tunnel_id', value: 5n }],
      },
    });
  });
});
