import { describe, expect, it } from 'vitest';
import { geneveTunnel } from '../model/status-fixtures.ts';
import type { LabNodeStatus } from '../model/index.ts';
import { graphFromResources } from './from-resources.ts';
import { withLiveState } from './live.ts';
import { bfd, healthy, node, resources } from './live-fixtures.ts';

const state = (g: ReturnType<typeof withLiveState>, id: string) =>
  g.nodes.find((n) => n.id === id)?.state ?? g.edges.find((e) => e.id === id)?.state;

describe('a running lab drawn from its northbound resources', () => {
  it('has members, transport nodes, the physical networks its gateways reach, and the logical world placed on them', () => {
    const g = graphFromResources(resources);
    expect(g.nodes.filter((n) => n.kind === 'network').map((n) => n.name)).toEqual(['management', 'underlay', 'wan']);
    expect(g.edges.filter((e) => e.kind === 'link' && e.to === 'network:wan').map((e) => `${e.from} ${e.label}`)).toEqual([
      'transport-node:gw1 eth2',
      'transport-node:gw2 eth2',
    ]);
    expect(g.edges.filter((e) => e.kind === 'placement').map((e) => `${e.from} ${e.to}`)).toEqual([
      'port:web1 transport-node:hv1',
      'router:r1 transport-node:gw1',
      'router:r1 transport-node:gw2',
    ]);
    expect(g.edges.find((e) => e.id === 'interface:r1:web')).toMatchObject({ label: '10.1.0.1', attrs: { ip: '10.1.0.1/24' } });
  });
});

describe('live state on the graph', () => {
  it('colours members by lease and answer, tunnels by both ends, and marks the gateway that holds the router', () => {
    const g = withLiveState(graphFromResources(resources), healthy());
    expect(g.readAt).toBe('2026-12-07T04:00:00.000Z');
    expect([state(g, 'member:ctrl1'), state(g, 'member:ctrl2')]).toEqual(['up', 'down']);
    expect(g.nodes.find((n) => n.id === 'member:ctrl1')?.lines).toEqual(['ctrl1', 'leader']);
    expect(
      g.edges
        .filter((e) => e.kind === 'tunnel')
        .map((e) => `${e.id} ${e.state}`)
        .sort(),
    ).toEqual(['tunnel:gw1:gw2:geneve up', 'tunnel:gw1:hv1:geneve up', 'tunnel:gw2:hv1:geneve up']);
    expect(g.nodes.find((n) => n.id === 'router:r1')).toMatchObject({ state: 'up', attrs: { active: 'gw1' } });
    const placements = g.edges.filter((e) => e.from === 'router:r1').filter((e) => e.kind === 'placement');
    expect(placements.map((e) => [e.to, e.attrs.active])).toEqual([
      ['transport-node:gw1', true],
      ['transport-node:gw2', false],
    ]);
  });

  it('a node whose switch does not answer is down with every tunnel to it, and its standby takes the router', () => {
    const live = healthy();
    const cut = { ...node('gw1', []), flows: undefined, groups: undefined } as LabNodeStatus;
    delete (cut as { flows?: number }).flows;
    live.nodes[1] = cut;
    live.nodes[2] = node('gw2', [geneveTunnel('hv1', '10.0.0.1', bfd(true)), geneveTunnel('gw1', '10.0.0.2', bfd(false))]);
    const g = withLiveState(graphFromResources(resources), live);
    expect(state(g, 'transport-node:gw1')).toBe('down');
    expect(state(g, 'tunnel:gw1:hv1:geneve')).toBe('down');
    expect(state(g, 'tunnel:gw1:gw2:geneve')).toBe('down');
    expect(state(g, 'tunnel:gw2:hv1:geneve')).toBe('up');
    expect(g.nodes.find((n) => n.id === 'router:r1')?.attrs.active).toBe('gw2');
  });

  it('a tunnel one end sees with BFD down is down; a node no member could ask is unknown', () => {
    const live = healthy();
    live.nodes[0] = node('hv1', [geneveTunnel('gw1', '10.0.0.2', bfd(false)), geneveTunnel('gw2', '10.0.0.3', bfd(true))]);
    live.nodes[2] = { node: 'gw2', role: 'l3-gateway', error: 'no answer within 2000 ms' };
    const g = withLiveState(graphFromResources(resources), live);
    expect(state(g, 'tunnel:gw1:hv1:geneve')).toBe('down');
    expect(state(g, 'transport-node:gw2')).toBe('unknown');
    expect(g.nodes.find((n) => n.id === 'transport-node:gw2')?.attrs.error).toBe('no answer within 2000 ms');
  });

  it('leaves the graph it was given as it was', () => {
    const g = graphFromResources(resources);
    const before = JSON.stringify(g);
    withLiveState(g, healthy());
    expect(JSON.stringify(g)).toBe(before);
  });
});
