import { describe, expect, it } from 'vitest';
import { loadRecording, recordedView, replayExec } from '../../../test/fixtures/trace/recorded.ts';
import { delivered, expectDropped } from '../../../test/support/trace-hops.ts';
import type { TraceHop, TraceRequestInput } from '../../model/index.ts';
import { NodeProbes } from './node-probe.ts';
import { planTrace } from './plan.ts';
import { predictPath, traceRequest } from './tracer.ts';

// The tracer against the recorded answers of a real lab (test/integration/lab/topologies/trace.yaml,
// recorded by test/fixtures/trace/record.ts): what each node said, replayed however it is asked.
const recording = loadRecording();
const view = recordedView(recording);

async function trace(input: TraceRequestInput, options: { answers?: string; dead?: string[] } = {}) {
  const exec = replayExec(recording.answers[options.answers ?? 'healthy']!, { dead: options.dead ?? [] });
  const path = await predictPath(view, new NodeProbes(exec), planTrace(view, traceRequest(input)));
  return { path, asked: exec.asked };
}

const brief = (hops: TraceHop[]) => hops.map((h) => [h.node, h.component, h.observation, h.logical ?? h.tunnel?.remote ?? '']);

describe('predicted paths, stitched from the nodes’ ofproto/trace', () => {
  it('unicast within one node: classified, delivered by the local port’s rule; one exec', async () => {
    const { path, asked } = await trace({ from: 'web1', to: 'web2' });
    expect(path.delivered).toBe(true);
    expect(brief(path.hops)).toEqual([
      ['hv1', 'port', 'received', 'web1'],
      ['hv1', 'logical-switch', 'forwarded', 'web'],
      ['hv1', 'port', 'delivered', 'web2'],
    ]);
    expect(path.hops[1]!.rule).toMatchObject({ table: 10, priority: 110, meaning: 'deliver to local port web2 on switch web' });
    expect(asked).toEqual(['hv1']);
  });

  it('unicast across nodes: into the tunnel with its VNI, out of it on the far node', async () => {
    const { path, asked } = await trace({ from: 'web1', to: 'web3' });
    expect(path.delivered).toBe(true);
    expect(brief(path.hops)).toEqual([
      ['hv1', 'port', 'received', 'web1'],
      ['hv1', 'logical-switch', 'forwarded', 'web'],
      ['hv1', 'tunnel', 'forwarded', 'hv2'],
      ['hv2', 'tunnel', 'received', 'hv1'],
      ['hv2', 'logical-switch', 'forwarded', 'web'],
      ['hv2', 'port', 'delivered', 'web3'],
    ]);
    expect(path.hops[2]!.tunnel).toEqual({ encap: 'geneve', vni: 5001, remote: 'hv2' });
    expect(path.hops[3]!.rule?.meaning).toBe('classify what tunnel tun-hv1-gnv brings on switch web');
    // hv2 is asked for its state beside hv1's trace, then for its own trace.
    expect(asked.sort()).toEqual(['hv1', 'hv2', 'hv2']);
    expect((await trace({ from: 'web1', to: 'web3', proto: 'tcp:80' })).path.delivered).toBe(true);
  });

  it('a broadcast with source-node replication: every copy, each node traced once', async () => {
    const { path, asked } = await trace({ from: 'web1', to: 'web4', frame: 'broadcast' });
    expect(path.delivered).toBe(true);
    expect(path.hops.find((h) => h.observation === 'replicated')).toMatchObject({ node: 'hv1', copies: 4 });
    expect(path.hops.filter((h) => h.component === 'tunnel' && h.observation === 'forwarded').map((h) => h.tunnel?.remote)).toEqual([
      'gw1',
      'hv2',
      'hv3',
    ]);
    expect(delivered(path.hops)).toEqual(['web2', 'web3', 'web4']);
    // The router's interface on web gets its copy too, and routes nothing of it.
    expect(path.hops).toContainEqual(
      expect.objectContaining({ node: 'gw1', component: 'logical-router', logical: 'edge', observation: 'forwarded' }),
    );
    expect(asked.filter((n) => n === 'hv1')).toHaveLength(1);
    expect(asked.filter((n) => n === 'gw1')).toHaveLength(1);
  });

  it("a broadcast through a service node: one copy leaves the source, the service node's copies reach the others", async () => {
    const { path } = await trace({ from: 'svc1', to: 'svc3', frame: 'broadcast' });
    expect(path.delivered).toBe(true);
    expect(path.hops.filter((h) => h.node === 'hv1').map((h) => [h.component, h.observation, h.tunnel?.remote ?? h.logical])).toEqual([
      ['port', 'received', 'svc1'],
      ['logical-switch', 'forwarded', 'svc'],
      ['logical-switch', 'forwarded', 'svc'],
      ['tunnel', 'forwarded', 'sn1'],
    ]);
    expect(path.hops.find((h) => h.observation === 'replicated')).toMatchObject({ node: 'sn1', component: 'service-node', copies: 2 });
    expect(path.hops.find((h) => h.node === 'sn1' && h.rule?.table === 30)?.rule?.meaning).toBe(
      'service node: replicate on switch svc to every node carrying the switch',
    );
    expect(delivered(path.hops)).toEqual(['svc2', 'svc3']);
  });

  it('routed between two switches: through the router on its gateway, TTL minus one, on to the target', async () => {
    const { path } = await trace({ from: 'web1', to: 'db1' });
    expect(path.delivered).toBe(true);
    expect(path.hops.map((h) => h.node).filter((n, i, all) => n !== all[i - 1])).toEqual(['hv1', 'gw1', 'hv2']);
    expect(path.hops[1]).toMatchObject({ component: 'logical-router', logical: 'edge', rule: { table: 10, priority: 120 } });
    expect(path.hops).toContainEqual(
      expect.objectContaining({
        node: 'gw1',
        component: 'logical-router',
        detail: 'routed towards 10.0.2.11 out of its interface on switch db, TTL 63',
      }),
    );
    expect(path.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'delivered', logical: 'db1' });
    expect((await trace({ from: 'web1', to: '10.0.2.11' })).path.hops).toEqual(path.hops);
  });

  it('SNAT to a physical host behind the uplink: out the NIC with the uplink address', async () => {
    const { path } = await trace({ from: 'web1', to: 'www' });
    expect(path.delivered).toBe(true);
    expect(path.hops).toContainEqual(
      expect.objectContaining({ detail: 'routed towards 203.0.113.80 out of its uplink, TTL 63, source NAT to 203.0.113.2' }),
    );
    expect(brief(path.hops.slice(-2))).toEqual([
      ['gw1', 'physical-network', 'forwarded', 'internet'],
      ['www', 'host', 'delivered', 'www'],
    ]);
    expect((await trace({ from: 'db1', to: 'www', proto: 'udp:53' })).path.delivered).toBe(true);
  });

  it('an L2 gateway to a host on a VLAN, and back from the host', async () => {
    const { path } = await trace({ from: 'lan1', to: 'printer' });
    expect(path.delivered).toBe(true);
    expect(path.hops.filter((h) => h.node === 'l2gw' && h.component === 'l2-gateway').map((h) => h.rule?.table)).toEqual([10, 40, 20]);
    expect(path.hops.at(-2)).toMatchObject({
      node: 'l2gw',
      component: 'physical-network',
      logical: 'office',
      detail: 'out eth2 onto physical network office, VLAN 10',
    });
    expect(path.hops.at(-1)).toMatchObject({ node: 'printer', component: 'host', observation: 'delivered' });
    const back = await trace({ from: 'printer', to: 'lan1' });
    expect(back.path.delivered).toBe(true);
    expect(brief(back.path.hops.slice(0, 2))).toEqual([
      ['printer', 'host', 'forwarded', 'printer'],
      ['l2gw', 'l2-gateway', 'received', 'office'],
    ]);
    expect((await trace({ from: 'www', to: '203.0.113.2' })).path.hops.at(-1)).toMatchObject({
      node: 'gw1',
      observation: 'delivered',
      logical: 'edge',
    });
  });

  it('an ARP for a routed target is answered by the router: delivered to its interface', async () => {
    const { path } = await trace({ from: 'web1', to: 'db1', proto: 'arp' });
    expect(path.delivered).toBe(true);
    expect(path.hops).toContainEqual(
      expect.objectContaining({ node: 'gw1', component: 'logical-router', logical: 'edge', observation: 'delivered' }),
    );
  });

  it('isolation: the trace shows where the packet went, the verdict says why it never arrives', async () => {
    const { path } = await trace({ from: 'web1', to: 'other2' });
    expect(path).toMatchObject({ delivered: false, reason: 'isolation' });
    expect(delivered(path.hops)).toEqual(['web2', 'web3', 'web4']);
    expect(path.hops.at(-1)).toMatchObject({ node: 'hv1', observation: 'dropped', reason: 'isolation', logical: 'web' });
  });

  it('no route at the router', async () => {
    const { path } = await trace({ from: 'web1', to: '8.8.8.8' });
    expectDropped(path, 'no-route', {
      node: 'gw1',
      component: 'logical-router',
      detail: 'router edge has no route towards 8.8.8.8',
    });
  });

  it('a dead service node: its fast_failover group has no live bucket (tunnel-down)', async () => {
    const { path } = await trace({ from: 'svc1', to: 'svc3', frame: 'broadcast' }, { answers: 'sn1-dead', dead: ['sn1'] });
    expectDropped(path, 'tunnel-down', {
      node: 'hv1',
      observation: 'dropped',
      detail: 'fast_failover group 0x0200138b has no live bucket: every tunnel it may use is down',
    });
  });

  it('a node that does not answer: the copy sent to it is unreachable, with why', async () => {
    const { path } = await trace({ from: 'web1', to: 'web3' }, { dead: ['hv2'] });
    expectDropped(path, 'unreachable', { node: 'hv2', observation: 'dropped', reason: 'unreachable' });
    expect(path.hops.at(-1)!.detail).toMatch(/hv2 could not be asked: .*not running/);
    const source = await trace({ from: 'web1', to: 'web3' }, { dead: ['hv1'] });
    expect(source.path).toMatchObject({ delivered: false, reason: 'unreachable', hops: [{ node: 'hv1', observation: 'dropped' }] });
  });
});
