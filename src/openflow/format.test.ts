import { describe, expect, it } from 'vitest';
import { act, inst } from './index.ts';
import { flowMod, groupMod } from './builders.ts';
import { bucket } from './group.ts';
import { formatActions, formatMessage } from './format.ts';
import type { OfMessage } from './messages.ts';

describe('formatMessage', () => {
  it('prints a flow mod in an ovs-ofctl-like style', () => {
    const m = {
      ...flowMod({
        priority: 100,
        cookie: 0x12n,
        match: [
          { field: 'in_port', value: 1 },
          { field: 'tunnel_id', value: 0x1234n },
          { field: 'reg0', value: 5, mask: 0xff },
          { field: 'eth_dst', value: '00:00:00:00:00:02' },
        ],
        instructions: [
          inst.apply(act.setField({ field: 'tun_dst', value: '10.0.0.2' }), act.decTtl(), act.output(0xfffffffd), act.resubmit(3)),
          inst.writeMetadata(1n, 0xffn),
          inst.gotoTable(2),
        ],
      }),
      xid: 7,
    } as OfMessage;
    expect(formatMessage(m)).toBe(
      'FLOW_MOD xid=7 add table=0 priority=100 cookie=0x12 in_port=1,tunnel_id=0x1234,reg0=0x5/0xff,eth_dst=00:00:00:00:00:02 ' +
        'actions=apply_actions(set_field:10.0.0.2->tun_dst,dec_ttl,output:CONTROLLER:65535,resubmit(,3)),write_metadata:0x1/0xff,goto_table:2',
    );
  });

  it('prints groups, errors, roles and raw messages', () => {
    const g = {
      ...groupMod({ groupId: 4, groupType: 'fast_failover', buckets: [bucket([act.output(1)], { watchPort: 1 })] }),
      xid: 1,
    } as OfMessage;
    expect(formatMessage(g)).toBe('GROUP_MOD xid=1 add group_id=4,type=fast_failover,bucket=watch_port:1,actions=output:1');
    expect(formatMessage({ type: 'error', xid: 3, errorType: 11, errorCode: 0, data: Buffer.alloc(24) })).toBe(
      'ERROR xid=3 OFPET_ROLE_REQUEST_FAILED OFPRRFC_STALE (24 bytes of data)',
    );
    expect(formatMessage({ type: 'role_reply', xid: 2, role: 'slave', generationId: 5n })).toBe(
      'ROLE_REPLY xid=2 role=slave generation_id=5',
    );
    expect(formatMessage({ type: 'raw', xid: 9, msgType: 29, body: Buffer.alloc(8) })).toBe('METER_MOD xid=9 8 bytes');
  });

  it('prints conntrack fields and actions, and meters, as ovs-ofctl does', () => {
    const pin: OfMessage = {
      type: 'packet_in',
      xid: 4,
      bufferId: 0xffffffff,
      totalLen: 74,
      reason: 1,
      tableId: 1,
      cookie: 0x666n,
      match: [
        { field: 'in_port', value: 2 },
        { field: 'ct_state', value: 0x21, mask: 0xff },
        { field: 'ct_zone', value: 5 },
        { field: 'ct_label', value: 1n << 64n },
      ],
      data: Buffer.alloc(74),
    };
    expect(formatMessage(pin)).toBe(
      'PACKET_IN xid=4 reason=ACTION table=1 cookie=0x666 total_len=74 in_port=2,ct_state=new|trk,ct_zone=0x5,ct_label=0x10000000000000000 (74 bytes)',
    );
    const ct = act.ct({
      commit: true,
      zone: { field: 'reg13', ofs: 0, nbits: 16 },
      table: 9,
      alg: 21,
      nat: { kind: 'dst', addresses: '10.0.0.9', ports: 80, persistent: true },
      exec: [act.setField({ field: 'ct_mark', value: 2, mask: 2 })],
    });
    expect(formatActions([ct, act.ctClear(), { type: 'nx_reg_load', dst: { field: 'ct_mark', ofs: 0, nbits: 32 }, value: 1n }])).toBe(
      'ct(commit,table=9,zone=reg13[0..15],nat(dst=10.0.0.9:80,persistent),exec(set_field:0x2/0x2->ct_mark),alg=ftp),ct_clear,load:0x1->ct_mark[]',
    );
    const stats: OfMessage = {
      type: 'multipart_reply',
      xid: 5,
      flags: 0,
      body: {
        kind: 'meter',
        meters: [
          {
            meterId: 1,
            flowCount: 2,
            packetInCount: 100n,
            byteInCount: 6000n,
            durationSec: 1,
            durationNsec: 0,
            bands: [{ packetCount: 90n, byteCount: 5400n }],
          },
        ],
      },
    };
    expect(formatMessage(stats)).toBe(
      'MULTIPART_REPLY xid=5 meter\n meter=1 flow_count=2 packet_in_count=100 byte_in_count=6000 band0:packet_count=90,byte_count=5400',
    );
  });
});
