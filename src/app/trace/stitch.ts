// The predicted path, node by node: ofproto/trace where the packet enters, then each copy that
// left into a tunnel traced on the far end as coming from that tunnel with its VNI (a service
// node's replication fans out to every copy), a router port's packet through the router's step
// and back into the gateway's br-int from its egress port. The traces of one level run at once,
// one exec per node.
import type { Endpoint, NodePass, PassLoss, PassRule } from '../../controller/traceflow/index.ts';
import { cookie, CookieKind, tunnelName } from '../../controller/pipeline/index.ts';
import type { LabView } from './lab-view.ts';
import { nodeFacts, readExit, type NodeFacts } from './exits.ts';
import { NodeUnreachable, type NodeProbes } from './node-probe.ts';
import { parseOfprotoTrace, type ParsedTrace } from './ofproto-trace.ts';
import { flowText, type Ingress, type Packet } from './packet.ts';
import { routeThrough } from './router.ts';

/** A packet entering a node's br-int. */
export interface TraceInput {
  node: string;
  entry: Endpoint;
  ingress: Ingress;
  packet: Packet;
}

export interface Stitched {
  passes: NodePass[];
  /** Nodes that could not be asked, with why. */
  unreachable: Map<string, string>;
}

/** Far more levels than any path has (source, service node, remote, gateway, router, remote). */
const MAX_LEVELS = 12;

const groupHex = (id: number) => `0x${id.toString(16).padStart(8, '0')}`;

function rulesOf(parsed: ParsedTrace): PassRule[] {
  const rules = [...parsed.rules];
  if (parsed.miss !== undefined) rules.push({ table: parsed.miss, cookie: cookie(CookieKind.TABLE_MISS, 0, parsed.miss) });
  return rules;
}

/** Why a pass that sent nothing dropped the packet. */
function dropOf(input: TraceInput, parsed: ParsedTrace): NodePass['drop'] {
  if (parsed.error) {
    if (/bad value for in_port/.test(parsed.error)) {
      const e = input.entry;
      return e.kind === 'tunnel'
        ? { reason: 'tunnel-down', detail: `${input.node} has no tunnel from ${e.remote} (${input.ingress.inPort})` }
        : { reason: 'port-not-bound', detail: `${input.node} has no interface ${input.ingress.inPort}: not plugged in` };
    }
    return { reason: 'unreachable', detail: `ofproto/trace on ${input.node}: ${parsed.error}` };
  }
  if (parsed.closedGates.length > 0)
    return { reason: 'standby-gateway', detail: `${input.node} is a standby gateway: a better gateway is alive` };
  if (parsed.deadGroups.length > 0)
    return {
      reason: 'tunnel-down',
      detail: `fast_failover group ${groupHex(parsed.deadGroups[0]!)} has no live bucket: every tunnel it may use is down`,
    };
  if (parsed.skipped.length > 0 && parsed.outputs.length === 0)
    return { reason: 'no-flow', detail: 'no port to send to but the one it came in on' };
  // Said by the path from the packet's last rule: a security decision, or no flow.
  return undefined;
}

/** One input's pass on a node, and the inputs its copies make elsewhere. */
export function passOf(
  view: LabView,
  facts: NodeFacts,
  input: TraceInput,
  parsed: ParsedTrace,
  target: string,
): { passes: NodePass[]; next: TraceInput[] } {
  const pass: NodePass = { node: input.node, entry: input.entry, rules: rulesOf(parsed), exits: [] };
  const passes = [pass];
  const next: TraceInput[] = [];
  const losses: PassLoss[] = [];
  for (const output of parsed.outputs) {
    const read = readExit(view, facts, output, input.packet, target);
    if (!('exit' in read)) {
      losses.push(read);
      continue;
    }
    const exit = read.exit;
    pass.exits.push(exit);
    if (read.loss) losses.push({ ...read.loss, exit });
    else if (exit.kind === 'tunnel') {
      next.push({
        node: exit.remote,
        entry: { kind: 'tunnel', remote: input.node, encap: exit.encap, vni: exit.vni },
        ingress: { inPort: tunnelName(input.node, exit.encap), tunId: exit.vni },
        // As a distributed router on this node left it: its MACs, one hop less.
        packet: {
          ...input.packet,
          ...(output.ethSrc ? { dlSrc: output.ethSrc } : {}),
          ...(output.ethDst ? { dlDst: output.ethDst } : {}),
          ttl: input.packet.ttl - (output.ttlDecrements ?? 0),
        },
      });
    } else if (exit.kind === 'router-port') {
      const routed = routeThrough(view, input.node, exit, input.packet);
      if (routed) passes.push(routed.pass);
      if (routed?.next) next.push({ node: input.node, ...routed.next });
    }
  }
  for (const group of parsed.deadGroups)
    if (pass.exits.length > 0)
      losses.push({ reason: 'tunnel-down', detail: `fast_failover group ${groupHex(group)} has no live bucket: its copy went nowhere` });
  if (losses.length > 0) pass.losses = losses;
  const drop = pass.exits.length === 0 ? dropOf(input, parsed) : undefined;
  if (drop) pass.drop = drop;
  return { passes, next };
}

/** Traces one level's inputs on one node (one exec); a node that cannot be asked gives no pass. */
async function traceOnNode(
  view: LabView,
  probes: NodeProbes,
  node: string,
  inputs: readonly TraceInput[],
  target: string,
): Promise<{ passes: NodePass[]; next: TraceInput[]; unreachable?: string }> {
  try {
    const texts = await probes.trace(
      node,
      inputs.map((i) => flowText(i.packet, i.ingress)),
    );
    const facts = nodeFacts(node, await probes.state(node));
    // A node cut off the underlay gets nothing from a tunnel, whatever its flows say.
    if (facts.underlayDown && inputs.every((i) => i.entry.kind === 'tunnel'))
      return { passes: [], next: [], unreachable: `${node}'s underlay link is down: it is cut off` };
    const results = inputs.map((input, k) => passOf(view, facts, input, parseOfprotoTrace(texts[k] ?? ''), target));
    return { passes: results.flatMap((r) => r.passes), next: results.flatMap((r) => r.next) };
  } catch (error) {
    if (error instanceof NodeUnreachable) return { passes: [], next: [], unreachable: error.message };
    throw error;
  }
}

const inputKey = (i: TraceInput) => `${i.node} ${JSON.stringify(i.entry)} ${i.packet.dlDst} ${i.packet.ttl}`;

/** Every pass of the packet from `first`, level by level. */
export async function stitch(view: LabView, probes: NodeProbes, first: TraceInput, target: string): Promise<Stitched> {
  const passes: NodePass[] = [];
  const unreachable = new Map<string, string>();
  const seen = new Set<string>([inputKey(first)]);
  let level: TraceInput[] = [first];
  for (let depth = 0; level.length > 0 && depth < MAX_LEVELS; depth++) {
    const byNode = new Map<string, TraceInput[]>();
    for (const input of level) byNode.set(input.node, [...(byNode.get(input.node) ?? []), input]);
    const answers = await Promise.all([...byNode].map(([node, inputs]) => traceOnNode(view, probes, node, inputs, target)));
    level = [];
    answers.forEach((answer, k) => {
      passes.push(...answer.passes);
      if (answer.unreachable) unreachable.set([...byNode.keys()][k]!, answer.unreachable);
      for (const input of answer.next) {
        if (seen.has(inputKey(input))) continue;
        seen.add(inputKey(input));
        level.push(input);
      }
    });
  }
  return { passes, unreachable };
}
