// `nvlab status` as tables, in the style of `nvlab inspect`: the members, the transport nodes,
// their tunnels and the logical ports. Pure: returns the lines.
import chalk from 'chalk';
import type {
  Counters,
  LabNodeStatus,
  LabPortStatus,
  LabStatus,
  LogicalPortStatus,
  TransportNodeStatus,
  TunnelStatus,
} from '../model/index.ts';
import { table } from './output.ts';

const good = (text: string) => chalk.green(text);
const bad = (text: string) => chalk.red(text);
const yesNo = (v: boolean | undefined) => (v === undefined ? '' : v ? good('yes') : bad('no'));
const upDown = (state: string | undefined) => (state === undefined ? '' : state === 'up' ? good(state) : bad(state));
const indent = (lines: string[]) => lines.map((l) => `  ${l}`);

const isNode = (n: LabNodeStatus): n is TransportNodeStatus & { role: string } => !('error' in n);
const isPort = (p: LabPortStatus): p is LogicalPortStatus => !('error' in p);

function memberRows(status: LabStatus): string[][] {
  return status.members.map((m) => [
    m.name,
    m.running ? (m.live ? good('yes') : bad('no')) : bad('stopped'),
    m.raft === undefined ? '' : m.raft === 'disconnected' ? bad(m.raft) : m.raft,
    m.error ? bad(m.error) : m.masterOf.join(','),
  ]);
}

function connected(n: TransportNodeStatus): string {
  const up = [n.connected.ovsdb ? 'ovsdb' : '', n.connected.openflow ? 'openflow' : ''].filter(Boolean);
  return up.length === 2 ? good(up.join(',')) : up.length ? chalk.yellow(up.join(',')) : bad('no');
}

function nodeRows(status: LabStatus): string[][] {
  return status.nodes.map((n) => {
    if (!isNode(n)) return [n.node, n.role, bad(n.error)];
    const master = n.master ? `${n.master.member} (gen ${n.master.generation})` : bad('none');
    const up = n.tunnels.filter((t) => t.link === 'up').length;
    const tunnels = n.tunnels.length ? `${up}/${n.tunnels.length} up` : '';
    return [n.node, n.role, master, connected(n), yesNo(n.programmed), String(n.flows ?? ''), String(n.groups ?? ''), tunnels];
  });
}

const pair = (rx: Counters | undefined, tx: Counters | undefined, what: 'packets' | 'bytes') => `${rx?.[what] ?? '-'}/${tx?.[what] ?? '-'}`;

function bfdCell(t: TunnelStatus): string {
  if (!t.bfd) return '-';
  const text = t.bfd.state === 'up' && !t.bfd.forwarding ? 'up (not forwarding)' : t.bfd.state;
  return t.bfd.state === 'up' && t.bfd.forwarding ? good(text) : bad(text + (t.bfd.diagnostic ? ` (${t.bfd.diagnostic})` : ''));
}

function tunnelRows(status: LabStatus): string[][] {
  return status.nodes
    .filter(isNode)
    .flatMap((n) =>
      n.tunnels.map((t) => [
        n.node,
        t.interface,
        t.remote ?? t.remoteIp,
        t.encap,
        t.key ?? '',
        upDown(t.link),
        bfdCell(t),
        pair(t.rx, t.tx, 'packets'),
        pair(t.rx, t.tx, 'bytes'),
      ]),
    );
}

/** The flows installed for a port, by kind and the nodes holding them: "classify,deliver on hv1;
 *  remote on hv2,hv3". */
export function portFlows(p: LogicalPortStatus): string {
  const nodesOf = new Map<string, Set<string>>();
  for (const f of p.flows) {
    let kinds = nodesOf.get(f.node);
    if (!kinds) nodesOf.set(f.node, (kinds = new Set()));
    kinds.add(f.kind);
  }
  // Nodes holding the same kinds are listed together.
  const byKinds = new Map<string, string[]>();
  // Its own node first, then the others by name.
  const rank = (node: string) => (node === p.node ? 0 : 1);
  const sorted = [...nodesOf].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
  for (const [node, kinds] of sorted) {
    const key = [...kinds].join(',');
    byKinds.set(key, [...(byKinds.get(key) ?? []), node]);
  }
  const parts = [...byKinds].map(([kinds, nodes]) => `${kinds} on ${nodes.join(',')}`);
  if (p.unread?.length) parts.push(bad(`${p.unread.join(',')} not read`));
  return parts.join('; ') || chalk.yellow('none');
}

function portRows(status: LabStatus): string[][] {
  return status.ports.map((p) => {
    if (!isPort(p)) return [p.port, '', '', '', bad(p.error)];
    return [
      p.port,
      p.switch,
      p.node ?? bad('unbound'),
      yesNo(p.plugged),
      p.up ? good('up') : bad('down'),
      String(p.flows.length),
      portFlows(p),
    ];
  });
}

export function statusReport(status: LabStatus): string[] {
  const lines = [chalk.bold(`lab ${status.lab}`)];
  lines.push(...indent(table(['MEMBER', 'LIVE', 'RAFT', 'MASTERS'], memberRows(status))), '');
  lines.push(...indent(table(['NODE', 'ROLE', 'MASTER', 'CONNECTED', 'PROGRAMMED', 'FLOWS', 'GROUPS', 'TUNNELS'], nodeRows(status))));
  const tunnels = tunnelRows(status);
  if (tunnels.length) {
    const headers = ['NODE', 'TUNNEL', 'REMOTE', 'ENCAP', 'KEY', 'LINK', 'BFD', 'PACKETS RX/TX', 'BYTES RX/TX'];
    lines.push('', ...indent(table(headers, tunnels)));
  }
  const ports = portRows(status);
  if (ports.length) lines.push('', ...indent(table(['PORT', 'SWITCH', 'NODE', 'PLUGGED', 'STATE', 'FLOWS', 'INSTALLED'], ports)));
  return lines;
}
