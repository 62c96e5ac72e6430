import { describe, expect, it } from 'vitest';
import { act, bucket, inst, type Match } from '../../openflow/index.ts';
import { desiredFlows } from './flows.ts';
import { cookie, floodAllGroupId, floodLocalGroupId, replicateGroupId, serviceFailoverGroupId } from './ids.ts';
import { CookieKind, From, Table } from './layout.ts';
import { learnAction } from './learn.ts';
import { LEARN_IDLE_TIMEOUT_S } from './stages/l2-gateway.ts';
import { find, fromTunnel, group, hv, md } from './test-fixtures.ts';
import { desiredTunnels, switchHosts } from './tunnels.ts';
import type { NodeFacts } from './types.ts';
import type { LogicalState } from '../../model/index.ts';

const reg = (i: number, v: number) => ({ field: `reg${i}`, value: v }) as Match[number];

/** web (VNI 100) on hv1 and hv2, bridged by gw1 onto VLAN 10 through its eth2. */
function gatewayLab(opts: { vlan?: number; replication?: 'source' | 'service-node' } = {}): LogicalState {
  const vlan = 'vlan' in opts ? opts.vlan : 10;
  return {
    nodes: [
      hv('gw1', '192.0.2.9', { role: 'l2-gateway' }),
      hv('hv1', '192.0.2.1'),
      hv('hv2', '192.0.2.2'),
      ...(opts.replication === 'service-node' ? [hv('sn1', '192.0.2.8', { role: 'service-node' })] : []),
    ],
    switches: [
      {
        name: 'web',
        vni: 100,
        replication: opts.replication ?? 'source',
        encap: 'geneve',
        l2Gateway: { node: 'gw1', ...(vlan === undefined ? {} : { vlan }), nic: 'eth2' },
      },
    ],
    ports: [
      { name: 'web-a', switch: 'web', mac: '02:00:00:00:00:0a', node: 'hv1' },
      { name: 'web-c', switch: 'web', mac: '02:00:00:00:00:0c', node: 'hv2' },
    ],
  };
}

const gwFacts = (): NodeFacts => ({
  vmPorts: new Map(),
  tunnelPorts: new Map([
    ['tun-hv1-gnv', 11],
    ['tun-hv2-gnv', 12],
    ['tun-sn1-gnv', 13],
  ]),
  physicalPorts: new Map([
    ['eth2', 5],
    ['br-int', 0xfffffffe],
  ]),
});

describe('L2 gateway pipeline', () => {
  it('counts the gateway as carrying its switch: tunnels gateway <-> every node of the switch', () => {
    expect(switchHosts(gatewayLab()).get('web')).toEqual(['gw1', 'hv1', 'hv2']);
    expect(desiredTunnels(gatewayLab(), 'gw1').map((t) => t.name)).toEqual(['tun-hv1-gnv', 'tun-hv2-gnv']);
    expect(desiredTunnels(gatewayLab(), 'hv1').map((t) => t.name)).toEqual(['tun-gw1-gnv', 'tun-hv2-gnv']);
  });

  it("classifies the NIC's frames tagged with the VLAN: pop the tag, learn the source, as a local port", () => {
    const d = desiredFlows(gatewayLab(), 'gw1', gwFacts());
    const f = find(d, Table.CLASSIFY, [
      { field: 'in_port', value: 5 },
      { field: 'vlan_vid', value: 0x1000 | 10 },
    ]);
    const learn = learnAction({
      table: Table.LEARNED,
      priority: 100,
      idleTimeout: LEARN_IDLE_TIMEOUT_S,
      cookie: cookie(CookieKind.L2GW_LEARNED, 100),
      metadata: 100n,
      mark: { reg: 7, bit: 0 },
    });
    expect(f?.instructions).toEqual([
      inst.apply(act.popVlan(), learn, act.setField({ field: 'reg6', value: From.VM })),
      inst.writeMetadata(100n),
      inst.gotoTable(Table.L2),
    ]);
    // Nothing else from the NIC (other VLANs, untagged) is classified: the table-miss drops it.
    expect(d.flows.filter((x) => x.tableId === Table.CLASSIFY && x.match.some((m) => m.field === 'in_port' && m.value === 5))).toHaveLength(
      1,
    );
  });

  it('sends physical frames to known VMs by their tunnel, and floods the rest to every node of the switch', () => {
    const d = desiredFlows(gatewayLab(), 'gw1', gwFacts());
    expect(find(d, Table.L2, [md(100), reg(6, From.VM), { field: 'eth_dst', value: '02:00:00:00:00:0c' }])?.instructions).toEqual([
      inst.apply(act.setField({ field: 'tunnel_id', value: 100n }), act.output(12)),
    ]);
    const toPhysical = [act.pushVlan(), act.setField({ field: 'vlan_vid', value: 0x100a }), act.output(5)];
    expect(group(d, floodAllGroupId(100))?.buckets).toEqual([
      bucket(toPhysical),
      bucket([act.setField({ field: 'tunnel_id', value: 100n }), act.output(11)]),
      bucket([act.setField({ field: 'tunnel_id', value: 100n }), act.output(12)]),
    ]);
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([bucket(toPhysical)]);
  });

  it('from a tunnel: learned MACs go out the NIC tagged, the rest (BUM, unknown) once to the physical side', () => {
    const d = desiredFlows(gatewayLab(), 'gw1', gwFacts());
    expect(find(d, Table.L2, [md(100), reg(6, From.TUNNEL)])?.instructions).toEqual([
      inst.apply(act.resubmit(Table.LEARNED)),
      inst.gotoTable(Table.FLOOD),
    ]);
    const out = find(d, Table.FLOOD, [md(100), reg(6, From.TUNNEL), reg(7, 1)]);
    expect(out?.priority).toBeGreaterThan(find(d, Table.FLOOD, [md(100), reg(6, From.TUNNEL)])!.priority);
    expect(out?.instructions).toEqual([inst.apply(act.pushVlan(), act.setField({ field: 'vlan_vid', value: 0x100a }), act.output(5))]);
    expect(find(d, Table.CLASSIFY, fromTunnel(11, 100n))).toBeDefined();
  });

  it('an untagged network: matches frames without a tag and neither pops nor pushes', () => {
    const d = desiredFlows(gatewayLab({ vlan: undefined }), 'gw1', gwFacts());
    const f = find(d, Table.CLASSIFY, [
      { field: 'in_port', value: 5 },
      { field: 'vlan_vid', value: 0 },
    ]);
    expect(f?.instructions[0]).toMatchObject({ type: 'apply_actions' });
    expect((f?.instructions[0] as { actions: { type: string }[] }).actions.map((a) => a.type)).toEqual(['experimenter', 'set_field']);
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([bucket([act.output(5)])]);
  });

  it('waits for the NIC: without its port number, no gateway flows', () => {
    const d = desiredFlows(gatewayLab(), 'gw1', { ...gwFacts(), physicalPorts: new Map() });
    expect(d.flows.filter((f) => f.tableId === Table.CLASSIFY && f.match.some((m) => m.field === 'vlan_vid'))).toEqual([]);
    expect(group(d, floodLocalGroupId(100))?.buckets).toEqual([]);
  });

  it('hypervisors flood unknown unicast to the gateway (source mode)', () => {
    const d = desiredFlows(gatewayLab(), 'hv1', {
      vmPorts: new Map([['web-a', 1]]),
      tunnelPorts: new Map([
        ['tun-gw1-gnv', 9],
        ['tun-hv2-gnv', 12],
      ]),
    });
    expect(group(d, floodAllGroupId(100))?.buckets).toContainEqual(
      bucket([act.setField({ field: 'tunnel_id', value: 100n }), act.output(9)]),
    );
    expect(find(d, Table.L2, [md(100)])?.instructions).toEqual([inst.gotoTable(Table.FLOOD)]);
    // Other nodes have no gateway flows.
    expect(d.flows.some((f) => f.tableId === Table.FLOOD && f.match.some((m) => m.field === 'reg7'))).toBe(false);
  });

  it('service-node mode: the gateway floods through the service node, which replicates to the gateway too', () => {
    const lab = gatewayLab({ replication: 'service-node' });
    const gw = desiredFlows(lab, 'gw1', gwFacts());
    expect(group(gw, floodAllGroupId(100))?.buckets).toEqual([
      bucket([act.pushVlan(), act.setField({ field: 'vlan_vid', value: 0x100a }), act.output(5)]),
      bucket([act.group(serviceFailoverGroupId(100))]),
    ]);
    const sn = desiredFlows(lab, 'sn1', {
      vmPorts: new Map(),
      tunnelPorts: new Map([
        ['tun-gw1-gnv', 1],
        ['tun-hv1-gnv', 2],
        ['tun-hv2-gnv', 3],
      ]),
    });
    expect(group(sn, replicateGroupId(100))?.buckets).toHaveLength(3);
  });

  it('encodes learn as a Nicira action padded to 8 bytes', () => {
    const a = learnAction({
      table: 40,
      priority: 100,
      idleTimeout: 300,
      cookie: 0x0e00006400000000n,
      metadata: 100n,
      mark: { reg: 7, bit: 0 },
    });
    expect(a).toMatchObject({ type: 'experimenter', experimenter: 0x2320 });
    const data = (a as { data: Buffer }).data;
    expect((data.length + 8) % 8).toBe(0);
    expect(data.readUInt16BE(0)).toBe(16); // NXAST_LEARN
    expect(data.readUInt8(18)).toBe(40);
  });
});
