// Logical states shared by the pipeline's unit tests: the small lab, and the labs of the golden and
// stage tests (service nodes, routers, L2 gateways, bench:pipeline's 20 hypervisors); and the
// lookups those tests make in what the pipeline gives.
import type { Match } from '../../openflow/index.ts';
import { matchKey } from './normalize.ts';
import { expectedPorts } from './routers.ts';
import { desiredTunnels } from './tunnels.ts';
import type { DesiredFlows, FlowModMsg, NodeFacts } from './types.ts';
import type { Encap, LogicalState, StateNode, StatePort, StateRouter, StateSwitch } from '../../model/index.ts';

/** The flow of a table with exactly this match. */
export const find = (d: DesiredFlows, tableId: number, match: Match): FlowModMsg | undefined =>
  d.flows.find((f) => f.tableId === tableId && matchKey(f.match) === matchKey(match));
export const group = (d: DesiredFlows, id: number) => d.groups.find((g) => g.groupId === id);
export const md = (vni: number) => ({ field: 'metadata', value: BigInt(vni) }) as const;
/** The match of a frame a tunnel brought in for a switch. */
export const fromTunnel = (inPort: number, tunnelId: bigint): Match => [
  { field: 'in_port', value: inPort },
  { field: 'tunnel_id', value: tunnelId },
];

export const hv = (name: string, ip: string, extra: Partial<StateNode> = {}): StateNode => ({
  name,
  role: 'hypervisor',
  encap: 'geneve',
  underlayIp: ip,
  ...extra,
});

/** web (VNI 100, Geneve) and db (VNI 200), both replicated at the source. */
const webAndDb = (dbEncap: Encap): StateSwitch[] => [
  { name: 'web', vni: 100, replication: 'source', encap: 'geneve' },
  { name: 'db', vni: 200, replication: 'source', encap: dbEncap },
];

/** Three hypervisors; `web` (VNI 100, geneve) on hv1+hv2, `db` (VNI 200, vxlan) on hv1+hv3; hv4 hosts nothing. */
export function smallLab(): LogicalState {
  return {
    nodes: [
      hv('hv1', '192.0.2.1', { underlayMac: '02:00:00:00:01:01' }),
      hv('hv2', '192.0.2.2', { underlayMac: '02:00:00:00:01:02' }),
      hv('hv3', '192.0.2.3'),
      hv('hv4', '192.0.2.4'),
    ],
    switches: webAndDb('vxlan'),
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

/** The small lab with security groups: web-a and web-c in `web` (TCP 80 from anywhere, ICMP from
 *  group `admin`, a drop of UDP 53 out), web-b in `admin` (no rules), web-a with QoS; db-d with
 *  port security and no group. */
export function securityLab(): LogicalState {
  const small = smallLab();
  const groups: Record<string, Partial<StatePort>> = {
    'web-a': { securityGroups: ['web'], portSecurity: true, qos: { rateKbps: 10_000, burstKbits: 1000 } },
    'web-b': { securityGroups: ['admin'], portSecurity: true },
    'web-c': { securityGroups: ['web'], portSecurity: true },
    'db-d': { portSecurity: true },
  };
  return {
    ...small,
    ports: small.ports.map((p) => ({ ...p, ...groups[p.name] })),
    securityGroups: [
      { name: 'admin', rules: [] },
      {
        name: 'web',
        rules: [
          { index: 0, direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 }, remote: { cidr: '0.0.0.0/0' }, action: 'allow' },
          { index: 1, direction: 'ingress', protocol: 'icmp', remote: { group: 'admin' }, action: 'allow' },
          { index: 2, direction: 'egress', protocol: 'udp', ports: { min: 53, max: 53 }, remote: { cidr: '10.0.0.0/8' }, action: 'drop' },
        ],
      },
    ],
  };
}

export const hv1Facts = (): NodeFacts => ({
  vmPorts: new Map([
    ['web-a', 1],
    ['web-b', 2],
    ['db-d', 3],
  ]),
  tunnelPorts: new Map([
    ['tun-hv2-gnv', 10],
    ['tun-hv3-vxl', 11],
  ]),
});

const node = (name: string, ip: string, role: 'service-node' | 'l2-gateway' | 'l3-gateway') => hv(name, ip, { role });

/** hv1..hv4; big and small replicate through sn1/sn2, src at the source. */
export const serviceLab = (): LogicalState => ({
  nodes: [
    hv('hv1', '192.0.2.1'),
    hv('hv2', '192.0.2.2'),
    hv('hv3', '192.0.2.3'),
    hv('hv4', '192.0.2.4'),
    node('sn2', '192.0.2.12', 'service-node'),
    node('sn1', '192.0.2.11', 'service-node'),
  ],
  switches: [
    { name: 'big', vni: 7, replication: 'service-node', encap: 'geneve' },
    { name: 'small', vni: 8, replication: 'service-node', encap: 'vxlan' },
    { name: 'src', vni: 9, replication: 'source', encap: 'geneve' },
  ],
  ports: [
    { name: 'p1', switch: 'big', mac: '02:00:00:00:00:01', node: 'hv1' },
    { name: 'p1b', switch: 'big', mac: '02:00:00:00:00:11', node: 'hv1' },
    { name: 'p2', switch: 'big', mac: '02:00:00:00:00:02', node: 'hv2', up: false },
    { name: 'p3', switch: 'big', mac: '02:00:00:00:00:03', node: 'hv3' },
    { name: 'q1', switch: 'small', mac: '02:00:00:00:00:21', node: 'hv1' },
    { name: 'q2', switch: 'small', mac: '02:00:00:00:00:22', node: 'hv2' },
    { name: 'r1', switch: 'src', mac: '02:00:00:00:00:31', node: 'hv1' },
    { name: 'r4', switch: 'src', mac: '02:00:00:00:00:34', node: 'hv4' },
  ],
});

/** hv1, hv2 and the l3-gateways gw1..gw3; web (VNI 100) on hv1 + hv2, db (VNI 200) on hv1; the
 *  routers given. */
export const routedLab = (routers: StateRouter[], dbEncap: Encap = 'geneve'): LogicalState => ({
  nodes: [
    hv('hv1', '192.0.2.1'),
    hv('hv2', '192.0.2.2'),
    node('gw1', '192.0.2.31', 'l3-gateway'),
    node('gw2', '192.0.2.32', 'l3-gateway'),
    node('gw3', '192.0.2.33', 'l3-gateway'),
  ],
  switches: webAndDb(dbEncap),
  ports: [
    { name: 'web-a', switch: 'web', mac: '02:00:00:00:00:0a', node: 'hv1' },
    { name: 'web-c', switch: 'web', mac: '02:00:00:00:00:0c', node: 'hv2' },
    { name: 'db-d', switch: 'db', mac: '02:00:00:00:00:0d', node: 'hv1' },
  ],
  routers,
});

/** The routed lab with db on VXLAN: edge (web, db; gateways gw1, gw2, gw3) and core (web; gw2
 *  then gw1) share eth2 on gw1 and gw2; stub has no uplink. */
export const routerLab = (): LogicalState =>
  routedLab(
    [
      {
        name: 'edge',
        distributed: false,
        interfaces: [
          { switch: 'web', mac: '0a:00:00:00:01:01', ip: '10.0.0.1/24' },
          { switch: 'db', mac: '0A:00:00:00:02:01', ip: '10.1.0.1/24' },
        ],
        uplink: { ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:01', gateways: ['gw1', 'gw2', 'gw3'].map((n) => ({ node: n, nic: 'eth2' })) },
      },
      {
        name: 'core',
        distributed: false,
        interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:02', ip: '10.0.0.1/24' }],
        uplink: { ip: '203.0.113.2/24', mac: '0a:00:00:00:ff:02', gateways: ['gw2', 'gw1'].map((n) => ({ node: n, nic: 'eth2' })) },
      },
      { name: 'stub', distributed: false, interfaces: [{ switch: 'db', mac: '0a:00:00:00:02:03', ip: '10.1.0.1/24' }] },
    ],
    'vxlan',
  );

/** The small lab with distributed routers: core joins web and db (uplink through gw1, a static
 *  route via db-e), stub (no uplink) joins web alone; gw1 an l3-gateway. */
export const distributedLab = (): LogicalState => {
  const small = smallLab();
  return {
    ...small,
    nodes: [...small.nodes, node('gw1', '192.0.2.31', 'l3-gateway')],
    routers: [
      {
        name: 'core',
        distributed: true,
        interfaces: [
          { switch: 'web', mac: '0a:00:00:00:01:01', ip: '10.0.0.1/24' },
          { switch: 'db', mac: '0a:00:00:00:02:01', ip: '10.1.0.1/24' },
        ],
        uplink: { mac: '0a:00:00:00:ff:01', ip: '203.0.113.2/24', gateways: [{ node: 'gw1', nic: 'eth2' }] },
        routes: [
          { prefix: '10.50.0.0/16', nextHop: '10.1.0.11' },
          { prefix: '10.60.0.0/16', nextHop: '10.1.0.99' },
        ],
      },
      { name: 'stub', distributed: true, interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:09', ip: '10.0.0.9/24' }] },
    ],
  };
};

/** gw1 bridges web onto VLAN 10 (eth2) and db untagged (eth3); db replicates through sn1. */
export const gatewayLab = (): LogicalState => ({
  nodes: [node('gw1', '192.0.2.9', 'l2-gateway'), hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2'), node('sn1', '192.0.2.8', 'service-node')],
  switches: [
    { name: 'web', vni: 100, replication: 'source', encap: 'geneve', l2Gateway: { node: 'gw1', vlan: 10, nic: 'eth2' } },
    { name: 'db', vni: 200, replication: 'service-node', encap: 'geneve', l2Gateway: { node: 'gw1', nic: 'eth3' } },
  ],
  ports: [
    { name: 'web-a', switch: 'web', mac: '02:00:00:00:00:0a', node: 'hv1' },
    { name: 'web-c', switch: 'web', mac: '02:00:00:00:00:0c', node: 'hv2' },
    { name: 'db-d', switch: 'db', mac: '02:00:00:00:00:0d', node: 'hv2' },
  ],
});

/** bench:pipeline's lab: one switch over 20 hypervisors, 30 ports. */
export const BENCH_HVS = 20;
const N = BENCH_HVS;
const hex2 = (n: number) => n.toString(16).padStart(2, '0');
export const benchPort = (i: number): StatePort => ({
  name: `vm${i + 1}`,
  switch: 'net',
  mac: `02:00:00:01:${hex2(i >> 8)}:${hex2(i & 255)}`,
  ip: `10.0.${i >> 8}.${i & 255}`,
  node: `hv${(i % N) + 1}`,
});
export const benchLab = (): LogicalState => ({
  nodes: Array.from({ length: N }, (_, i) => hv(`hv${i + 1}`, `172.30.0.${i + 10}`, { underlayMac: `02:00:00:00:00:${hex2(i + 16)}` })),
  switches: [{ name: 'net', vni: 5001, replication: 'source', encap: 'geneve' }],
  ports: Array.from({ length: N + 10 }, (_, i) => benchPort(i)),
  routers: [],
});

/** Every port the node must have, numbered: VMs and router ports from 1, NICs from 50, tunnels from 100. */
export function factsOf(logical: LogicalState, name: string): NodeFacts {
  const { vmPorts, physicalPorts } = expectedPorts(logical, name);
  return {
    vmPorts: new Map(vmPorts.map((p, i) => [p, i + 1])),
    physicalPorts: new Map(physicalPorts.map((p, i) => [p, i + 50])),
    tunnelPorts: new Map(desiredTunnels(logical, name).map((t, i) => [t.name, i + 100])),
  };
}
