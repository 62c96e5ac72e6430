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
import { benchLab, benchPort, BENCH_HVS, factsOf, gatewayLab, routerLab, serviceLab, smallLab } from './test-fixtures.ts';
import type { DesiredFlows, FlowModMsg, GroupModMsg } from './types.ts';
import type { LogicalState } from '../../model/index.ts';

const DEFAULTS: Record<string, unknown> = { ...flowMod({}) };
const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
const SHOWN = new Set(['tableId', 'priority', 'cookie', 'match', 'instructions']);

function flowLine(f: FlowModMsg): string {
  const extra = Object.entries(f)
    .filter(([k, v]) => !SHOWN.has(k) && json(v) !== json(DEFAULTS[k]))
    .map(([k, v]) => ` ${k}=${json(v)}`);
  return `  t${f.tableId} p${f.priority} 0x${f.cookie.toString(16).padStart(16, '0')} ${formatMatch(f.match)} => ${formatInstructions(f.instructions)}${extra.join('')}`;
}
const bucketText = (b: Bucket) => `[${b.watchPort === 0xffffffff ? '' : `watch ${b.watchPort}: `}${formatActions(b.actions)}]`;
const groupLine = (g: GroupModMsg) =>
  `  group 0x${g.groupId.toString(16)} ${g.groupType} ${g.command} ${g.buckets.map(bucketText).join(' ')}`;
// In a canonical order: flows by table, priority (highest first) and match, groups by id. The
// order the pipeline returns them in is not part of its contract (reconcile sorts what it sends).
const byPlace = (a: FlowModMsg, b: FlowModMsg) =>
  a.tableId - b.tableId || b.priority - a.priority || (flowKey(a) < flowKey(b) ? -1 : flowKey(a) > flowKey(b) ? 1 : 0);
const flowsText = (d: DesiredFlows) => [
  ...[...d.flows].sort(byPlace).map(flowLine),
  ...[...d.groups].sort((a, b) => a.groupId - b.groupId).map(groupLine),
];

/** Each node's tunnels, flows and groups. */
function labText(title: string, logical: LogicalState): string[] {
  const lines = [`## ${title}`];
  for (const { name } of logical.nodes) {
    const s = desiredState(logical, name, factsOf(logical, name));
    lines.push(
      `# ${name}`,
      ...s.tunnels.map((t) => `  tunnel ${t.name} ${t.remoteNode} ${t.remoteIp} ${t.remoteMac ?? '-'} ${t.encap}${t.bfd ? ' bfd' : ''}`),
      ...flowsText(s),
    );
  }
  return lines;
}

/** How a memo and the incremental path behave on the bench lab as a port is added: what is
 *  handed back unchanged (the very objects), and what a patch adds and removes. */
function memoText(): string[] {
  const before = benchLab();
  const after = { ...before, ports: [...before.ports, benchPort(BENCH_HVS + 10)] };
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
    lines.push(
      `# ${name} flows ${reused(first.flows, next.flows)}/${next.flows.length} groups ${reused(first.groups, next.groups)}/${next.groups.length}; ${patched}`,
    );
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
