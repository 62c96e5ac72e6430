// Conntrack and meters against the golden frames of Open vSwitch 3.1: the ct flows and meter mods
// we build are byte for byte what ovs-ofctl sends for the same text, and what ovs-vswitchd
// reports back (flow stats, meter config, stats, features) decodes to what we installed.
import { describe, expect, it } from 'vitest';
import { conntrackFlows } from '../../test/fixtures/openflow/conntrack-golden.ts';
import { decodeGolden as decode, expectAsOfctl } from '../../test/fixtures/openflow/golden.ts';
import { dropBand, flowMod, meterMod } from './builders.ts';
import { MeterFlags } from './constants.ts';
import { ctState } from './ct-state.ts';
import { formatMessage } from './format.ts';
import { act, inst } from './index.ts';
import type { FlowMod, MeterMod, OutgoingMessage } from './messages.ts';

const IP = { field: 'eth_type', value: 0x0800 } as const;
const TCP = [IP, { field: 'ip_proto', value: 6 }] as const;

describe('ct flows: we encode exactly what ovs-ofctl sends', () => {
  it('ct(table=1,zone=5)', () => {
    expectAsOfctl('ofctl_flow_mod_ct', flowMod({ priority: 100, match: [IP], instructions: [inst.apply(act.ct({ table: 1, zone: 5 }))] }));
  });

  it('ct_state=+new+trk → ct(commit,zone=5,exec(set_field:0x1->ct_mark)),output:2', () => {
    expectAsOfctl(
      'ofctl_flow_mod_ct_commit',
      flowMod({
        tableId: 1,
        priority: 100,
        match: [{ field: 'in_port', value: 1 }, IP, ctState('+new+trk')],
        instructions: [inst.apply(act.ct({ commit: true, zone: 5, exec: [act.setField({ field: 'ct_mark', value: 1 })] }), act.output(2))],
      }),
    );
  });

  it('ct_state=+est-new+trk, ct_zone, masked ct_mark and 128-bit ct_label → ct_clear', () => {
    expectAsOfctl(
      'ofctl_flow_mod_ct_match',
      flowMod({
        tableId: 1,
        priority: 90,
        match: [
          IP,
          ctState('-new+est+trk'),
          { field: 'ct_zone', value: 5 },
          { field: 'ct_mark', value: 1, mask: 1 },
          { field: 'ct_label', value: 1n, mask: 0xffffn },
        ],
        instructions: [inst.apply(act.ctClear(), act.output(1))],
      }),
    );
  });

  it('ct(commit,force,zone=reg6[0..15],table=2,exec(set_field ct_label, load ct_mark[0]))', () => {
    expectAsOfctl(
      'ofctl_flow_mod_ct_reg_zone',
      flowMod({
        tableId: 1,
        priority: 80,
        match: [IP],
        instructions: [
          inst.apply(
            act.ct({
              commit: true,
              force: true,
              zone: { field: 'reg6', ofs: 0, nbits: 16 },
              table: 2,
              // ovs-ofctl writes set_field:0x1/0x1->ct_mark as a reg_load of bit 0.
              exec: [
                act.setField({ field: 'ct_label', value: 2n }),
                { type: 'nx_reg_load', dst: { field: 'ct_mark', ofs: 0, nbits: 1 }, value: 1n },
              ],
            }),
          ),
        ],
      }),
    );
  });

  it('ct with nat(src=range:ports,random) and a bare nat', () => {
    const nat = act.ct({
      commit: true,
      zone: 7,
      nat: { kind: 'src', addresses: ['10.0.0.1', '10.0.0.2'], ports: [1000, 2000], random: true },
    });
    expectAsOfctl('ofctl_flow_mod_ct_nat', flowMod({ tableId: 1, priority: 70, match: [...TCP], instructions: [inst.apply(nat)] }));
    const bare = act.ct({ table: 3, zone: 7, nat: true });
    expectAsOfctl('ofctl_flow_mod_ct_nat_bare', flowMod({ tableId: 1, priority: 60, match: [...TCP], instructions: [inst.apply(bare)] }));
  });

  it('prints them as ovs-ofctl does', () => {
    const text = (name: string) => formatMessage(decode(name));
    expect(text('ofctl_flow_mod_ct_commit')).toContain(
      'in_port=1,eth_type=0x800,ct_state=+new+trk actions=apply_actions(ct(commit,zone=5,exec(set_field:0x1->ct_mark)),output:2)',
    );
    expect(text('ofctl_flow_mod_ct_match')).toContain(
      'ct_state=-new+est+trk,ct_zone=0x5,ct_mark=0x1/0x1,ct_label=0x1/0xffff actions=apply_actions(ct_clear,output:1)',
    );
    expect(text('ofctl_flow_mod_ct_reg_zone')).toContain(
      'ct(commit,force,table=2,zone=reg6[0..15],exec(set_field:0x2->ct_label,load:0x1->ct_mark[0]))',
    );
    expect(text('ofctl_flow_mod_ct_nat')).toContain('ct(commit,zone=7,nat(src=10.0.0.1-10.0.0.2:1000-2000,random))');
    expect(text('ofctl_flow_mod_ct_nat_bare')).toContain('ct(table=3,zone=7,nat)');
  });
});

describe('meters: we encode exactly what ovs-ofctl sends', () => {
  it('add (kbps, burst, stats; pktps), modify, delete', () => {
    expectAsOfctl('ofctl_meter_mod_kbps', meterMod({ meterId: 1, bands: [dropBand(10_000, 1_000)] }));
    expectAsOfctl('ofctl_meter_mod_pktps', meterMod({ meterId: 2, flags: MeterFlags.PKTPS, bands: [dropBand(100)] }));
    expectAsOfctl(
      'ofctl_meter_mod_modify',
      meterMod({ command: 'modify', meterId: 2, flags: MeterFlags.PKTPS | MeterFlags.BURST, bands: [dropBand(200, 20)] }),
    );
    expectAsOfctl('ofctl_meter_mod_delete', meterMod({ command: 'delete', meterId: 2, flags: 0 }));
    expect(formatMessage(decode('ofctl_meter_mod_kbps'))).toMatch(
      / add meter=1 kbps burst stats bands=type=drop rate=10000 burst_size=1000$/,
    );
  });

  it('the meter instruction in a flow', () => {
    expectAsOfctl(
      'ofctl_flow_mod_meter',
      flowMod({
        tableId: 2,
        priority: 10,
        match: [{ field: 'in_port', value: 1 }],
        instructions: [inst.meter(1), inst.apply(act.output(2))],
      }),
    );
  });

  it('meter config, stats and features requests', () => {
    const mp = (body: Extract<OutgoingMessage, { type: 'multipart_request' }>['body']): OutgoingMessage => ({
      type: 'multipart_request',
      flags: 0,
      body,
    });
    expectAsOfctl('ofctl_meter_config_request', mp({ kind: 'meter_config', meterId: 0xffffffff }));
    expectAsOfctl('ofctl_meter_stats_request', mp({ kind: 'meter', meterId: 1 }));
    expectAsOfctl('ofctl_meter_features_request', mp({ kind: 'meter_features' }));
  });
});

describe('what ovs-vswitchd reports back decodes to what we installed', () => {
  const sent = conntrackFlows();
  const flows = sent.filter((m): m is FlowMod => m.type === 'flow_mod' && m.tableId === 4);
  const meter = sent.find((m): m is MeterMod => m.type === 'meter_mod')!;

  it('flow stats of the ct table: matches (OVS orders them its way), ct(), nat, ct_clear, meter', () => {
    const m = decode('switch_flow_stats_reply_ct');
    if (m.type !== 'multipart_reply' || m.body.kind !== 'flow') throw new Error('not flow stats');
    expect(m.body.flows).toHaveLength(flows.length);
    for (const f of flows) {
      const s = m.body.flows.find((x) => x.priority === f.priority)!;
      const key = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
      expect(s.match.map(key).sort()).toEqual(f.match.map(key).sort());
      // Output to a port comes back with max_len 0, as ever.
      const withMaxLen = f.instructions.map((i) =>
        i.type === 'apply_actions'
          ? { ...i, actions: i.actions.map((a) => (a.type === 'output' && a.maxLen === undefined ? { ...a, maxLen: 0 } : a)) }
          : i,
      );
      expect(s.instructions).toEqual(withMaxLen);
      expect(s.cookie).toBe(f.cookie);
    }
  });

  it('meter config, stats and features', () => {
    const config = decode('switch_meter_config_reply');
    expect(config.type === 'multipart_reply' && config.body).toEqual({
      kind: 'meter_config',
      meters: [{ meterId: meter.meterId, flags: meter.flags, bands: meter.bands }],
    });
    const stats = decode('switch_meter_stats_reply');
    expect(stats.type === 'multipart_reply' && stats.body).toMatchObject({
      kind: 'meter',
      meters: [{ meterId: 1, flowCount: 1, packetInCount: 0n, bands: [{ packetCount: 0n, byteCount: 0n }] }],
    });
    const features = decode('switch_meter_features_reply');
    expect(features.type === 'multipart_reply' && features.body).toMatchObject({
      kind: 'meter_features',
      capabilities: MeterFlags.KBPS | MeterFlags.PKTPS | MeterFlags.BURST | MeterFlags.STATS,
      bandTypes: 1 << 1, // drop only
    });
  });
});
