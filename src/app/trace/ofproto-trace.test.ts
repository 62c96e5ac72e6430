import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isGateGroup, parseOfprotoTrace } from './ofproto-trace.ts';

// Real outputs of OVS 3.1's ofproto/trace on a running lab (test/fixtures/trace/ofproto).
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/trace/ofproto/${name}.txt`, import.meta.url), 'utf8');
const rulesOf = (name: string) => parseOfprotoTrace(fixture(name)).rules.map((r) => [r.table, r.priority, `0x${r.cookie.toString(16)}`]);

describe('parseOfprotoTrace', () => {
  it('reads a unicast into a tunnel: the rules in order, the output with the VNI set before it, never br-phy', () => {
    const parsed = parseOfprotoTrace(fixture('web1-web3-hv1'));
    expect(rulesOf('web1-web3-hv1')).toEqual([
      [0, 100, '0x1001389659a7fb2'],
      [10, 100, '0x4001389a0636392'],
    ]);
    expect(parsed).toMatchObject({ outputs: [{ port: 8, tunId: 5001 }], skipped: [], deadGroups: [], closedGates: [] });
    expect(parsed.error).toBeUndefined();
  });

  it('reads a local delivery and the far end of a tunnel', () => {
    expect(parseOfprotoTrace(fixture('web1-web2-local')).outputs).toEqual([{ port: 2 }]);
    const far = parseOfprotoTrace(fixture('web1-web3-hv2'));
    expect(far.rules.map((r) => r.table)).toEqual([0, 10]);
    expect(far.outputs).toEqual([{ port: 1 }]);
  });

  it("reads every bucket of a flood group, each from the packet before it, and leaves out the input port's", () => {
    const parsed = parseOfprotoTrace(fixture('web1-bcast-hv1'));
    expect(parsed.outputs).toEqual([{ port: 2 }, { port: 10, tunId: 5001 }, { port: 8, tunId: 5001 }, { port: 7, tunId: 5001 }]);
    expect(parsed.skipped).toEqual([{ port: 3, why: 'skipping output to input port' }]);
  });

  it('follows a group chained from a bucket (service-node failover) and a service node replicating', () => {
    expect(parseOfprotoTrace(fixture('svc1-bcast-hv1')).outputs).toEqual([{ port: 6, tunId: 5003 }]);
    const replicated = parseOfprotoTrace(fixture('svc1-bcast-sn1'));
    expect(rulesOf('svc1-bcast-sn1').map(([t]) => t)).toEqual([0, 30]);
    expect(replicated.outputs).toEqual([
      { port: 2, tunId: 5003 },
      { port: 3, tunId: 5003 },
    ]);
  });

  it('says when a fast_failover group has no live bucket (the service node is dead)', () => {
    const parsed = parseOfprotoTrace(fixture('svc1-bcast-hv1-sn1-dead'));
    expect(parsed.outputs).toEqual([]);
    expect(parsed.deadGroups).toEqual([0x0200138b]);
  });

  it("reads an L2 gateway: the resubmit's nested rule (a learned MAC), the VLAN pushed before the NIC", () => {
    expect(rulesOf('lan1-printer-l2gw-learned').map(([t]) => t)).toEqual([0, 10, 40, 20]);
    expect(parseOfprotoTrace(fixture('lan1-printer-l2gw-learned')).outputs).toEqual([{ port: 1, vlan: 10 }]);
    // Nothing learned yet: the resubmit's miss goes on, and the flood group tags the NIC's copy.
    const unlearned = parseOfprotoTrace(fixture('lan1-printer-l2gw'));
    expect(unlearned.miss).toBeUndefined();
    expect(unlearned.outputs).toEqual([{ port: 1, vlan: 10 }]);
    // From the NIC: the tag popped, then into a tunnel untagged.
    expect(parseOfprotoTrace(fixture('printer-lan1-l2gw')).outputs).toEqual([{ port: 2, tunId: 5004 }]);
  });

  it('reads an L3 gateway: a router port, the uplink out to its NIC, the NIC into the uplink', () => {
    expect(parseOfprotoTrace(fixture('web1-db1-gw1')).outputs).toEqual([{ port: 2 }]);
    expect(rulesOf('web1-www-gw1-uplink')).toEqual([[0, 100, '0x13000000a1cb100f']]);
    expect(parseOfprotoTrace(fixture('www-uplink-gw1')).outputs).toEqual([{ port: 3 }]);
    expect(parseOfprotoTrace(fixture('web1-db1-hv1')).outputs).toEqual([{ port: 10, tunId: 5001 }]);
  });

  it('reads a table miss (a rule without a match) and an error instead of a trace', () => {
    const miss = parseOfprotoTrace(fixture('miss-table0'));
    expect(rulesOf('miss-table0')).toEqual([[0, 0, '0xf00000000000000']]);
    expect(miss.outputs).toEqual([]);
    const bad = parseOfprotoTrace(fixture('bad-port'));
    expect(bad.error).toMatch(/bad value for in_port \(vm-nosuch: invalid or unknown port for in_port\)/);
  });

  it('says when a gate gives its live bucket nothing to do, and a top-level miss', () => {
    const gate = 0x20001389;
    const text = [
      'bridge("br-int")',
      '----------------',
      ' 0. tun_id=0x1389,in_port=6, priority 100, cookie 0x2001389757a9f9a',
      '    goto_table:10',
      '10. metadata=0x1389,dl_dst=0a:46:28:97:a0:7c, priority 110, cookie 0x3001389f31df498',
      `    group:${gate}`,
      '     -> using bucket 0',
      '    bucket 0',
      '',
      'Final flow: unchanged',
    ].join('\n');
    expect(isGateGroup(gate)).toBe(true);
    expect(isGateGroup(0x10001389)).toBe(false);
    expect(parseOfprotoTrace(text)).toMatchObject({ outputs: [], closedGates: [gate] });
    const miss = ['bridge("br-int")', '----------------', '10. No match.', '    drop', '', 'Final flow: unchanged'].join('\n');
    expect(parseOfprotoTrace(miss).miss).toBe(10);
  });

  it("follows conntrack's recirculation: the rules after ct(table=N), and where the packet went then", () => {
    // Ingress (a tunnel's frame to web1): L2 hands it to web1's ACL, whose default drops it.
    const denied = parseOfprotoTrace(fixture('sg-guest1-web1-22-hv1'));
    expect(rulesOf('sg-guest1-web1-22-hv1')).toEqual([
      [0, 100, '0x2001389ee317783'],
      [10, 110, '0x3001389659a7fb2'],
      [7, 100, '0x18001389659a7fb2'],
      [8, 1, '0x1b001389659a7fb2'],
    ]);
    expect(denied).toMatchObject({ outputs: [], skipped: [] });
    expect(denied.miss).toBeUndefined();
    // A reject rule hands the packet to the controller: no output.
    expect(rulesOf('sg-guest1-web1-443-hv1').at(-1)).toEqual([8, 950, '0x1a001389f7c71130']);
    expect(parseOfprotoTrace(fixture('sg-guest1-web1-443-hv1')).outputs).toEqual([]);
    // Egress allowed by default: committed, then into the tunnel, or to a local VM.
    expect(rulesOf('sg-web1-guest1-54-hv1').map(([t]) => t)).toEqual([0, 1, 5, 6, 10]);
    expect(parseOfprotoTrace(fixture('sg-web1-guest1-54-hv1')).outputs).toEqual([{ port: 2, tunId: 5001 }]);
    expect(parseOfprotoTrace(fixture('sg-admin1-guest1-local')).outputs).toEqual([{ port: 2 }]);
  });

  it('reads a distributed router on the source node: the route, and the MACs and TTL it rewrote before the tunnel', () => {
    expect(rulesOf('dr-web1-db1-hv1')).toEqual([
      [0, 100, '0x1001389659a7fb2'],
      [10, 120, '0x20001389f31df498'],
      [50, 165, '0x2100138a0bbfe6d2'],
    ]);
    expect(parseOfprotoTrace(fixture('dr-web1-db1-hv1')).outputs).toEqual([
      { port: 3, tunId: 5002, ethSrc: '0a:56:08:11:02:e6', ethDst: '02:ff:92:5a:60:ab', ttlDecrements: 1 },
    ]);
  });
});
