// A running lab of one hypervisor and two l3 gateways as its northbound API and members would
// answer, for the tests of live graphs and of their renderers.
import { geneveTunnel, programmedNode } from '../model/status-fixtures.ts';
import type { LabNodeStatus, TransportNode } from '../model/index.ts';
import type { LabResources } from './from-resources.ts';
import { withLiveState, type LiveState } from './live.ts';
import { graphFromResources } from './from-resources.ts';
import type { LabGraph } from './model.ts';

const tn = (name: string, role: TransportNode['role'], ip: string) => ({ name, role, encap: 'geneve' as const, underlayIp: ip });

export const resources: LabResources = {
  lab: 'edge',
  members: [{ name: 'ctrl1', ip: '172.31.0.2' }, { name: 'ctrl2' }],
  transportNodes: [tn('hv1', 'hypervisor', '10.0.0.1'), tn('gw1', 'l3-gateway', '10.0.0.2'), tn('gw2', 'l3-gateway', '10.0.0.3')],
  switches: [{ name: 'web', vni: 5001, replication: 'source', encap: 'geneve', subnet: '10.1.0.0/24' }],
  ports: [{ name: 'web1', switch: 'web', mac: '02:00:00:00:00:01', ip: '10.1.0.11', node: 'hv1' }],
  routers: [
    {
      // Centralized: the live graph places it on the gateway that holds it.
      name: 'r1',
      distributed: false,
      interfaces: [{ switch: 'web', ip: '10.1.0.1/24', mac: '02:00:00:00:01:01' }],
      uplink: {
        network: 'wan',
        ip: '192.0.2.2/24',
        mac: '02:00:00:00:02:01',
        snat: true,
        gateways: [
          { node: 'gw1', nic: 'eth2' },
          { node: 'gw2', nic: 'eth2' },
        ],
      },
      routes: [],
    },
  ],
};

export const bfd = (forwarding: boolean) => ({ bfd: { state: forwarding ? 'up' : 'down', forwarding } });
export const node = (name: string, tunnels: ReturnType<typeof geneveTunnel>[], extra: object = {}): LabNodeStatus => ({
  ...programmedNode(name, 'ctrl1', 1, { flows: 30, groups: 2 }, tunnels),
  role: name.startsWith('gw') ? 'l3-gateway' : 'hypervisor',
  ...extra,
});

export const healthy = (): LiveState => ({
  readAt: '2026-12-07T04:00:00.000Z',
  members: [
    { name: 'ctrl1', live: true, raft: 'leader', masterOf: ['hv1', 'gw1', 'gw2'] },
    { name: 'ctrl2', live: false, masterOf: [], error: 'no answer' },
  ],
  nodes: [
    node('hv1', [geneveTunnel('gw1', '10.0.0.2', bfd(true)), geneveTunnel('gw2', '10.0.0.3', bfd(true))]),
    node('gw1', [geneveTunnel('hv1', '10.0.0.1', bfd(true)), geneveTunnel('gw2', '10.0.0.3', bfd(true))]),
    node('gw2', [geneveTunnel('hv1', '10.0.0.1', bfd(true)), geneveTunnel('gw1', '10.0.0.2', bfd(true))]),
  ],
});

/** The lab with gw1 cut off: gw1 down with its tunnels, gw2 holding the router. */
export function liveGraphWithFailure(): LabGraph {
  const live = healthy();
  const { flows: _flows, ...cut } = node('gw1', []) as LabNodeStatus & { flows?: number };
  live.nodes[1] = cut;
  live.nodes[2] = node('gw2', [geneveTunnel('hv1', '10.0.0.1', bfd(true)), geneveTunnel('gw1', '10.0.0.2', bfd(false))]);
  return withLiveState(graphFromResources(resources), live);
}
