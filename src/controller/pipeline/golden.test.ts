// Golden output of the pipeline: every node's tunnels, flows and groups in a few labs (the unit
// tests' small lab, service nodes, routers, L2 gateways, bench:pipeline's 20 hypervisors), as
// text in golden.txt. A change to what the pipeline emits shows here as a diff; a refactoring
// leaves the file as it is. Regenerate with `npx vitest run -u src/controller/pipeline/golden.test.ts`
// only when the output is meant to change.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { flowMod, formatMatch, formatActions, formatInstructions, type Bucket } from '../../openflow/index.ts';
import { desiredFlows, desiredState } from './flows.ts';
import { patchRemotePorts } from './incremental.ts';
import { PipelineMemo } from './memo.ts';
import { flowKey } from './normalize.ts';
import { expectedPorts } from './routers.ts';
import { hv, smallLab } from './test-fixtures.ts';
import { desiredTunnels } from './tunnels.ts';
import type { DesiredFlows, FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import type { LogicalState, StatePort } from '../../model/index.ts';

const node = (name: string, ip: string, role: 'service-node' | 'l2-gateway' | 'l3-gateway') => hv(name, ip, { role });

/** hv1..hv4; big and small replicate through sn1/sn2, src at the source. */
const serviceLab = (): LogicalState => ({
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2'), hv('hv3', '192.0.2.3'), hv('hv4', '192.0.2.4'), node('sn2', '192.0.2.12', 'service-node'), node('sn1', '192.0.2.11', 'service-node')],
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

/** edge (web, db; gateways gw1, gw2, gw3) and core (web; gw2 then gw1) share eth2 on gw1 and
 *  gw2; stub has no uplink. */
const routerLab = (): LogicalState => ({
  nodes: [hv('hv1', '192.0.2.1'), hv('hv2', '192.0.2.2'), node('gw1', '192.0.2.31', 'l3-gateway'), node('gw2', '192.0.2.32', 'l3-gateway'), node('gw3', '192.0.2.33', 'l3-gateway')],
  switches: [
    { name: 'web', vni: 100, replication: 'source', encap: 'geneve' },
    { name: 'db', vni: 200, replication: 'source', encap: 'vxlan' },
  ],
  ports: [
    { name: 'web-a', switch: 'web', mac: '02:00:00:00:00:0a', node: 'hv1' },
    { name: 'web-c', switch: 'web', mac: '02:00:00:00:00:0c', node: 'hv2' },
    { name: 'db-d', switch: 'db', mac: '02:00:00:00:00:0d', node: 'hv1' },
  ],
  routers: [
    { name: 'edge', interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:01' }, { switch: 'db', mac: '0A:00:00:00:02:01' }],
      uplink: { mac: '0a:00:00:00:ff:01', gateways: ['gw1', 'gw2', 'gw3'].map((n) => ({ node: n, nic: 'eth2' })) } },
    { name: 'core', interfaces: [{ switch: 'web', mac: '0a:00:00:00:01:02' }],
      uplink: { mac: '0a:00:00:00:ff:02', gateways: ['gw2', 'gw1'].map((n) => ({ node: n, nic: 'eth2' })) } },
    { name: 'stub', interfaces: [{ switch: 'db', mac: '0a:00:00:00:02:03' }] },
  ],
});

/** gw1 bridges web onto VLAN 10 (eth2) and db untagged (eth3); db replicates through sn1. */
const gatewayLab = (): LogicalState => ({
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
const N = 20;
const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const benchPort = (i: number): StatePort => ({ name: `vm${i + 1}`, switch: 'net', mac: `02:00:00:01:${hex2(i >> 8)}:${hex2(i & 255)}`, ip: `10.0.${i >> 8}.${i & 255}`, node: `hv${(i % N) + 1}` });
const benchLab = (): LogicalState => ({
  nodes: Array.from({ length: N }, (_, i) => hv(`hv${i + 1}`, `172.30.0.${i + 10}`, { underlayMac: `02:00:00:00:00:${hex2(i + 16)}` })),
  switches: [{ name: 'net', vni: 5001, replication: 'source', encap: 'geneve' }],
  ports: Array.from({ length: N + 10 }, (_, i) => benchPort(i)),
  routers: [],
});

/** Every port the node must have, numbered: VMs and router ports from 1, NICs from 50, tunnels from 100. */
function factsOf(logical: LogicalState, name: string): NodeFacts {
  const { vmPorts, physicalPorts } = expectedPorts(logical, name);
  return {
    vmPorts: new Map(vmPorts.map((p, i) => [p, i + 1])),
    physicalPorts: new Map(physicalPorts.map((p, i) => [p, i + 50])),
    tunnelPorts: new Map(desiredTunnels(logical, name).map((t, i) => [t.name, i + 100])),
  };
}

const DEFAULTS: Record<string, unknown> = { ...flowMod({}) };
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
const SHOWN = new Set(['tableId', 'priority', 'cookie', 'match', 'instructions']);

function flowLine(f: FlowModMsg): string {
  const extra = Object.entries(f).filter(([k, v]) => !SHOWN.has(k) && json(v) !== json(DEFAULTS[k])).map(([k, v]) => ` ${k}=${json(v)}`);
  return `  t${f.tableId} p${f.priority} 0x${f.cookie.toString(16).padStart(16, '0')} ${formatMatch(f.match)} => ${formatInstructions(f.instructions)}${extra.join('')}`;
}
const bucketText = (b: Bucket) => `[${b.watchPort === 0xffffffff ? '' : `watch ${b.watchPort}: `}${formatActions(b.actions)}]`;
const groupLine = (g: GroupModMsg) => `  group 0x${g.groupId.toString(16)} ${g.groupType} ${g.command} ${g.buckets.map(bucketText).join(' ')}`;
// In a canonical order: flows by table, priority (highest first) and match, groups by id. The
// order the pipeline returns them in is not part of its contract (reconcile sorts what it sends).
const byPlace = (a: FlowModMsg, b: FlowModMsg) => a.tableId - b.tableId || b.priority - a.priority || (flowKey(a) < flowKey(b) ? -1 : flowKey(a) > flowKey(b) ? 1 : 0);
const flowsText = (d: DesiredFlows) => [...[...d.flows].sort(byPlace).map(flowLine), ...[...d.groups].sort((a, b) => a.groupId - b.groupId).map(groupLine)];

/** Each node's tunnels, flows and groups. */
function labText(title: string, logical: LogicalState): string[] {
  const lines = [`## ${title}`];
  for (const { name } of logical.nodes) {
    const s = desiredState(logical, name, factsOf(logical, name));
    lines.push(`# ${name}`, ...s.tunnels.map((t) => `  tunnel ${t.name} ${t.remoteNode} ${t.remoteIp} ${t.remoteMac ?? '-'} ${t.encap}${t.bfd ? ' bfd' : ''}`), ...flowsText(s));
  }
  return lines;
}

/** How a memo and the incremental path behave on the bench lab as a port is added: what is
 *  handed back unchanged (the very objects), and what a patch adds and removes. */
function memoText(): string[] {
  const before = benchLab();
  const after = { ...before, ports: [...before.ports, benchPort(N + 10)] };
  const lines = ['## bench lab, port vm31 added: objects reused by a PipelineMemo, and patchRemotePorts'];
  for (const { name } of before.nodes) {
    const facts = factsOf(before, name);
    const memo = new PipelineMemo();
    const first = desiredFlows(before, name, facts, memo);
    const next = desiredFlows(after, name, facts, memo);
    const reused = (a: readonly object[], b: readonly object[]) => b.filter((o) => a.includes(o)).length;
    const patchMemo = new PipelineMemo();
    const patch = patchRemotePorts(desiredFlows(before, name, facts, patchMemo), before, after, name, facts, patchMemo);
    const patched = patch ? `patch +${patch.added.length} -${patch.removed.length}` : 'no patch';
    lines.push(`# ${name} flows ${reused(first.flows, next.flows)}/${next.flows.length} groups ${reused(first.groups, next.groups)}/${next.groups.length}; ${patched}`);
  }
  return lines;
}

it('emits what it emitted: every node of the small, service-node, router, L2-gateway and bench labs', async () => {
  const bench = labText('bench lab (20 hv)', benchLab());
  const text = [
    ...labText('small lab', smallLab()),
    ...labText('service nodes', serviceLab()),
    ...labText('routers', routerLab()),
    ...labText('L2 gateways', gatewayLab()),
    // The 20-hv lab in full is ~1,000 lines of the same shape: its first node in text, all of it as a digest.
    ...bench.slice(0, bench.indexOf('# hv2')),
    `bench lab sha256 ${createHash('sha256').update(bench.join('\n')).digest('hex')}`,
    ...memoText(),
  ].join('\n');
  await expect(`${text}\n`).toMatchFileSnapshot('./golden.txt');
});
