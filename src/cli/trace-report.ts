// `nvlab trace`'s result for people: one line per hop under the node it is on, what happened and
// why (the rule's meaning, by its cookie), then the verdict. Colours as the run reporter's:
// green delivered, red dropped, dim for what only explains.
import { Chalk, type ChalkInstance } from 'chalk';
import { DROP_REASONS, type TraceHop, type TracePath, type TraceResult } from '../model/index.ts';

const ICONS: Record<TraceHop['observation'], string> = {
  received: '→',
  forwarded: '·',
  replicated: '⑃',
  delivered: '✓',
  dropped: '✗',
};

/** What the hop is about: the logical object, or the tunnel with its encap and VNI. */
function subject(hop: TraceHop): string {
  if (hop.tunnel) return `${hop.component} ${hop.tunnel.remote} (${hop.tunnel.encap}, VNI ${hop.tunnel.vni})`;
  return hop.logical ? `${hop.component} ${hop.logical}` : hop.component;
}

function hopLine(c: ChalkInstance, hop: TraceHop, width: number): string {
  const colour = hop.observation === 'delivered' ? c.green : hop.observation === 'dropped' ? c.red : (s: string) => s;
  const head = colour(`${ICONS[hop.observation]} ${hop.observation.padEnd(10)}`);
  const reason = hop.reason ? c.red(`${hop.reason}: `) : '';
  const says = [hop.detail, hop.rule?.meaning].filter((s, i, all) => s && all.indexOf(s) === i).join(' · ');
  const rule = hop.rule
    ? c.dim(
        `  [table ${hop.rule.table}${hop.rule.priority === undefined ? '' : `, priority ${hop.rule.priority}`}, cookie ${hop.rule.cookie}]`,
      )
    : '';
  return `  ${head} ${subject(hop).padEnd(width)}  ${reason}${says}${rule}`;
}

/** The nodes a path crosses, in order, each once. */
export function nodesOf(path: TracePath): string[] {
  const nodes: string[] = [];
  for (const hop of path.hops) if (hop.node && !nodes.includes(hop.node)) nodes.push(hop.node);
  return nodes;
}

/** The last line: delivered, or where and why not. */
export function verdictLine(c: ChalkInstance, result: TraceResult): string {
  if (result.delivered) return c.green(`✓ delivered: ${result.from} → ${result.to} through ${nodesOf(result).join(', ')}`);
  const drop = result.hops.find((h) => h.observation === 'dropped' && h.reason === result.reason) ?? result.hops.at(-1);
  const where = drop?.node ? drop.node : (drop?.logical ?? result.from);
  const reason = result.reason ?? 'no-flow';
  // A security decision names itself ("dropped by rule 4 of group web (...)"); other reasons say what they mean.
  const why = reason === 'security-group' && drop?.detail ? drop.detail : DROP_REASONS[reason];
  return c.red(`✗ dropped at ${where}: ${reason} (${why})`);
}

function pathLines(c: ChalkInstance, path: TracePath): string[] {
  const width = Math.min(40, Math.max(...path.hops.map((h) => subject(h).length)));
  const lines: string[] = [];
  let node: string | undefined;
  for (const hop of path.hops) {
    if (hop.node !== node) {
      node = hop.node;
      lines.push(c.bold(node || '(no node)'));
    }
    lines.push(hopLine(c, hop, width));
  }
  return lines;
}

/** The whole report, as lines. */
export function traceLines(result: TraceResult, options: { color: boolean }): string[] {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const what = [result.proto, result.frame].filter(Boolean).join(', ');
  const lines = [c.bold(`trace ${result.from} → ${result.to} (${what})`)];
  const predicted = result.predicted ?? result;
  const d = result.divergence;
  if (result.observed && !d) {
    lines.push(c.dim("predicted from the controller's logical state and the switches' OpenFlow tables, and seen by an injected packet:"));
    lines.push(...pathLines(c, predicted), c.dim(`observed: the injected packet took the same ${result.observed.hops.length} hops`));
  } else if (result.observed && d) {
    lines.push(c.dim('predicted:'), ...pathLines(c, predicted), c.dim('observed (an injected packet):'), ...pathLines(c, result.observed));
    lines.push(
      c.red(`the observed path leaves the predicted one at hop ${d.hop} (${d.node}): predicted ${d.predicted}, observed ${d.observed}`),
    );
  } else {
    lines.push(c.dim("predicted from the controller's logical state and the switches' OpenFlow tables"), ...pathLines(c, result));
    if (result.notInjected) lines.push(c.yellow(`no packet injected: ${result.notInjected}`));
  }
  lines.push(verdictLine(c, result));
  return lines;
}
