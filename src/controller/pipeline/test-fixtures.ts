// Small logical states shared by the pipeline's unit tests.
import type { NodeFacts } from './types.ts';
import type { LogicalState, StateNode } from '../../model/index.ts';

export const hv = (name: string, ip: string, extra: Partial<StateNode> = {}): StateNode => ({
  name, role: 'hypervisor', encap: 'geneve', underlayIp: ip, ...extra,
});

/** Three hypervisors; `web` (VNI 100, geneve) on hv1+hv2, `db` (VNI 200, vxlan) on hv1+hv3; hv4 hosts nothing. */
export function smallLab(): LogicalState {
  return {
    nodes: [
      hv('hv1', '192.0.2.1', { underlayMac: '02:00:00:00:01:01' }),
      hv('hv2', '192.0.2.2', { underlayMac: '02:00:00:00:01:02' }),
      hv('hv3', '192.0.2.3'),
      hv('hv4', '192.0.2.4'),
    ],
    switches: [
      { name: 'web', vni: 100, replication: 'source', encap: 'geneve' },
      { name: 'db', vni: 200, replication: 'source', encap: 'vxlan' },
    ],
    ports: [
      { name: 'web-a', switch: 'web', mac: '02:00:00:00:00:0a', ip: '10.0.0.10', node: 'hv1' },
      { name: 'web-b', switch: 'web', mac: '02:00:00:00:00:0b', ip: '10.0.0.11', node: 'hv1' },
      { name: 'web-c', switch: 'web', mac: '02:00:00:00:00:0c', ip: '10.0.0.12', node: 'hv2' },
      { name: 'web-u', switch: 'web', mac: '02:00:00:00:00:0f' }, // unbound
      { name: 'db-d', switch: 'db', mac: '02:00:00:00:00:0d', ip: '10.1.0.10', node: 'hv1' },
      { name: 'db-e', switch: 'db', mac: '02:00:00:00:00:0e', ip: '10.1.0.11', node: 'hv3' },
    ],
  };
}

export const hv1Facts = (): NodeFacts => ({
  vmPorts: new Map([['web-a', 1], ['web-b', 2], ['db-d', 3]]),
  tunnelPorts: new Map([['tun-hv2-gnv', 10], ['tun-hv3-vxl', 11]]),
});
