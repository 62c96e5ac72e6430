import { describe, expect, it } from 'vitest';
import { contains, LogicalPortSchema, LogicalSwitchSchema, parseCidr, parseIp, TransportNodeSchema } from '../model/index.ts';
import { extraPorts, switchSizes, random, vifsByNode, workload } from './workload.ts';

describe('workload', () => {
  it("is NVP's mix at 3,000 nodes: 63,000 ports on about 7,000 switches of 2 to 64 ports, 9 on average", () => {
    const w = workload({ nodes: 3000 });
    expect(w.nodes).toHaveLength(3000);
    expect(w.ports).toHaveLength(63_000);
    expect(w.switches.length).toBeGreaterThan(6800);
    expect(w.switches.length).toBeLessThan(7200);
    const sizes = [...countBy(w.ports.map((p) => p.switch)).values()];
    expect(sizes).toHaveLength(w.switches.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64);
    expect(Math.max(...sizes)).toBeGreaterThan(40); // a tail of large switches, not all near 9
    for (const vifs of vifsByNode(w.ports).values()) expect(vifs).toHaveLength(21);
  });

  it('is the same for the same seed, another for another', () => {
    expect(workload({ nodes: 50, seed: 7 })).toEqual(workload({ nodes: 50, seed: 7 }));
    expect(workload({ nodes: 50, seed: 7 }).ports).not.toEqual(workload({ nodes: 50, seed: 8 }).ports);
  });

  it('puts the ports of a switch on different nodes, but for a few', () => {
    const w = workload({ nodes: 1000 });
    const pairs = new Set(w.ports.map((p) => `${p.switch} ${p.node}`));
    const sharing = w.ports.length - pairs.size; // ports beside another port of their switch
    expect(sharing / w.ports.length).toBeLessThan(0.01);
  });

  it('writes bodies the API takes: names, VNIs and MACs unique, each address in its switch subnet', () => {
    const w = workload({ nodes: 200 });
    for (const n of w.nodes) TransportNodeSchema.parse(n);
    for (const s of w.switches) LogicalSwitchSchema.parse(s);
    for (const p of w.ports) LogicalPortSchema.parse(p);
    const names = [...w.nodes, ...w.switches, ...w.ports].map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(w.switches.map((s) => s.vni)).size).toBe(w.switches.length);
    expect(new Set(w.ports.map((p) => p.mac)).size).toBe(w.ports.length);
    expect(new Set(w.nodes.map((n) => n.underlayIp)).size).toBe(w.nodes.length);
    const subnet = new Map(w.switches.map((s) => [s.name, parseCidr(s.subnet!)!]));
    for (const p of w.ports) expect(contains(subnet.get(p.switch)!, parseIp(p.ip!)!)).toBe(true);
    expect(w.switches.every((s) => s.encap === 'geneve' && s.replication === 'source')).toBe(true);
  });

  it('adds ports on distinct existing switches, on a node the switch already spans, with fresh names and addresses', () => {
    const w = workload({ nodes: 100 });
    const added = extraPorts(w, 10);
    expect(added).toHaveLength(10);
    expect(new Set(added.map((p) => p.switch)).size).toBe(10);
    const taken = new Set(w.ports.flatMap((p) => [p.name, p.mac, `${p.switch} ${p.ip}`]));
    for (const p of added) {
      LogicalPortSchema.parse(p);
      expect([p.name, p.mac, `${p.switch} ${p.ip}`].some((x) => taken.has(x))).toBe(false);
      expect(w.ports.some((q) => q.switch === p.switch && q.node === p.node)).toBe(true);
    }
  });
});

describe('switchSizes', () => {
  it('sums to the total with no switch under the minimum, whatever is left at the end', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const total = 20 + seed;
      const sizes = switchSizes(total, random(seed));
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64);
    }
  });
});

function countBy(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}
