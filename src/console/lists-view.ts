/// <reference lib="dom" />
// The lists: members, transport nodes, tunnels with their status, logical switches, routers and
// ports with their counters, each a table whose rows are kept in step with the readings (only the
// rows that changed are rewritten). A row's `data-state` is its verdict (up, down, degraded,
// unknown), coloured by the style sheet: the state of its node or edge in the live graph, so the
// lists and the topology never disagree.
import { nodeId, type GraphState, type LabGraph } from '../graph/index.ts';
import type { Counters, TunnelStatus } from '../model/index.ts';
import { el, syncRows, table, type Row } from './dom.ts';
import type { LabReadings } from './readings.ts';

/** The live graph (both worlds), where every verdict comes from. */
type Live = LabGraph;

interface ListSpec {
  id: string;
  title: string;
  headers: string[];
  empty: string;
  rows(r: LabReadings, g: Live): Row[];
  /** The reading whose error the list shows instead of rows, if it has none yet. */
  source(r: LabReadings): { at: number; error?: string; value?: unknown };
}

const dash = '—';
const yesNo = (b: boolean | undefined) => (b === undefined ? dash : b ? 'yes' : 'no');
const count = (c: Pick<Counters, 'packets' | 'bytes'> | undefined) => (c ? `${c.packets} pkt, ${bytes(c.bytes)}` : dash);
const nodeIn = (g: Live, id: string) => g.nodes.find((n) => n.id === id);
const stateIn = (g: Live, id: string): GraphState => nodeIn(g, id)?.state ?? 'unknown';

/** One end of a tunnel as its node reports it: its link and, where it runs, BFD. */
function endText(t: TunnelStatus): string {
  if (t.link === 'down') return 'link down';
  if (t.bfd && !t.bfd.forwarding) return `BFD ${t.bfd.state}${t.bfd.diagnostic ? ` (${t.bfd.diagnostic})` : ''}`;
  return t.bfd ? 'up, BFD up' : 'up';
}

function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const [v, unit] = n < 1e6 ? [n / 1e3, 'kB'] : n < 1e9 ? [n / 1e6, 'MB'] : [n / 1e9, 'GB'];
  return `${v.toFixed(v < 10 ? 1 : 0)} ${unit}`;
}

function memberRows(r: LabReadings, g: Live): Row[] {
  const s = r.status.value;
  const answered = r.members.value;
  const names = answered?.map((m) => m.name) ?? s?.members.map((m) => m.name) ?? [];
  return names.map((name) => {
    const m = answered?.find((x) => x.name === name);
    const state = stateIn(g, nodeId('member', name));
    const masterOf = m?.masterOf ?? (s?.masterships ?? []).filter((x) => x.member === name).map((x) => x.node);
    const raft = m?.raft ?? (name === s?.member ? s.store.role : undefined) ?? m?.error ?? dash;
    const live = m?.live ?? s?.members.find((x) => x.name === name)?.live;
    return {
      key: name,
      state,
      cells: [name === s?.member ? `${name} (this console)` : name, { text: yesNo(live), state }, raft, masterOf.join(' ') || dash],
    };
  });
}

function nodeRows(r: LabReadings, g: Live): Row[] {
  return (r.nodes.value ?? []).map((t) => {
    const reading = r.nodeStatus.get(t.name);
    const s = reading?.value;
    const node = nodeIn(g, nodeId('transport-node', t.name));
    const state = node?.state ?? 'unknown';
    const text = String(node?.attrs.error ?? (reading?.error ? `no status: ${reading.error}` : state === 'up' ? 'connected' : state));
    const tunnels = g.edges.filter((e) => e.kind === 'tunnel' && (e.from === node?.id || e.to === node?.id));
    const connected = s ? [s.connected.ovsdb && 'ovsdb', s.connected.openflow && 'openflow'].filter(Boolean).join(', ') || 'no' : dash;
    return {
      key: t.name,
      state,
      cells: [
        t.name,
        t.role,
        t.underlayIp,
        t.mgmtIp ?? dash,
        { text: connected, state, title: text },
        s?.master ? `${s.master.member} (gen ${s.master.generation})` : dash,
        yesNo(s?.programmed),
        s?.flows ?? dash,
        s?.groups ?? dash,
        `${tunnels.filter((e) => e.state === 'up').length}/${tunnels.length}`,
        { text, state },
      ],
    };
  });
}

function tunnelRows(r: LabReadings, g: Live): Row[] {
  return (r.nodes.value ?? []).flatMap((t) =>
    (r.nodeStatus.get(t.name)?.value?.tunnels ?? []).map((x): Row => {
      const [a, b] = [t.name, x.remote ?? x.remoteIp].sort();
      const edge = g.edges.find((e) => e.id === `tunnel:${a}:${b}:${x.encap}`);
      const state = edge?.state ?? 'unknown';
      const cut = [t.name, x.remote].find((n) => n && stateIn(g, nodeId('transport-node', n)) === 'down');
      const text = cut ? `${cut}: ${String(nodeIn(g, nodeId('transport-node', cut))?.attrs.error ?? 'down')}` : endText(x);
      const bfd = x.bfd
        ? `${x.bfd.state}${x.bfd.forwarding ? ', forwarding' : ''}${x.bfd.diagnostic ? ` (${x.bfd.diagnostic})` : ''}`
        : dash;
      return {
        key: `${t.name}/${x.interface}`,
        state,
        cells: [
          t.name,
          x.interface,
          x.remote ?? x.remoteIp,
          x.encap,
          x.key ?? dash,
          { text: x.link ?? dash, state: x.link === 'down' ? 'down' : undefined },
          { text: bfd, state: x.bfd ? (x.bfd.forwarding ? 'up' : 'down') : undefined },
          count(x.rx),
          count(x.tx),
          { text: state === 'up' ? 'up' : text, state },
        ],
      };
    }),
  );
}

function switchRows(r: LabReadings): Row[] {
  const ports = r.ports.value ?? [];
  return (r.switches.value ?? []).map((s) => ({
    key: s.name,
    cells: [
      s.name,
      s.vni,
      s.replication,
      s.encap,
      s.subnet ?? dash,
      s.l2Gateway
        ? `${s.l2Gateway.node} → ${s.l2Gateway.network}${s.l2Gateway.vlan === undefined ? '' : ` VLAN ${s.l2Gateway.vlan}`}`
        : dash,
      ports.filter((p) => p.switch === s.name).length,
    ],
  }));
}

function routerRows(r: LabReadings, g: Live): Row[] {
  return (r.routers.value ?? []).map((x) => {
    const router = nodeIn(g, nodeId('router', x.name));
    const active = String(router?.attrs.active ?? '').split(',');
    const gateways = (x.uplink?.gateways ?? []).map(
      (gw) =>
        `${gw.node}${active.includes(gw.node) ? ' (active)' : stateIn(g, nodeId('transport-node', gw.node)) === 'down' ? ' (down)' : ' (standby)'}`,
    );
    return {
      key: x.name,
      state: x.uplink ? router?.state : undefined,
      cells: [
        x.name,
        x.interfaces.map((i) => `${i.switch} ${i.ip}`).join(', ') || dash,
        x.uplink ? `${x.uplink.network} ${x.uplink.ip}${x.uplink.snat ? ', SNAT' : ''}` : dash,
        gateways.join(', ') || dash,
      ],
    };
  });
}

function portRows(r: LabReadings, g: Live): Row[] {
  return (r.ports.value ?? []).map((p) => {
    const reading = r.portStats.get(p.name);
    const s = reading?.value;
    const state = stateIn(g, nodeId('port', p.name));
    const text = !p.node ? 'not bound' : s ? `${s.plugged ? '' : 'not '}plugged on ${p.node}` : (reading?.error ?? 'not read yet');
    return {
      key: p.name,
      state,
      cells: [
        p.name,
        p.switch,
        p.mac,
        p.ip ?? dash,
        p.node ?? dash,
        { text, state },
        count(s?.rx),
        count(s?.tx),
        count(s?.classify),
        count(s?.delivery),
      ],
    };
  });
}

const LISTS: ListSpec[] = [
  {
    id: 'members',
    title: 'Controller members',
    headers: ['Member', 'Live', 'Raft role', 'Master of'],
    empty: 'No members.',
    rows: memberRows,
    source: (r) => r.status,
  },
  {
    id: 'transport-nodes',
    title: 'Transport nodes',
    headers: [
      'Node',
      'Role',
      'Underlay IP',
      'Management IP',
      'Connected',
      'Master',
      'Programmed',
      'Flows',
      'Groups',
      'Tunnels up',
      'Status',
    ],
    empty: 'No transport nodes.',
    rows: nodeRows,
    source: (r) => r.nodes,
  },
  {
    id: 'tunnels',
    title: 'Tunnels',
    headers: ['Node', 'Interface', 'Remote', 'Encap', 'Key', 'Link', 'BFD', 'Received', 'Sent', 'Status'],
    empty: 'No tunnels.',
    rows: tunnelRows,
    source: (r) => r.nodes,
  },
  {
    id: 'logical-switches',
    title: 'Logical switches',
    headers: ['Switch', 'VNI', 'Replication', 'Encap', 'Subnet', 'L2 gateway', 'Ports'],
    empty: 'No logical switches.',
    rows: switchRows,
    source: (r) => r.switches,
  },
  {
    id: 'logical-routers',
    title: 'Logical routers',
    headers: ['Router', 'Interfaces', 'Uplink', 'Gateways'],
    empty: 'No logical routers.',
    rows: routerRows,
    source: (r) => r.routers,
  },
  {
    id: 'logical-ports',
    title: 'Logical ports',
    headers: ['Port', 'Switch', 'MAC', 'IP', 'Node', 'Plugged', 'Received (rx)', 'Sent (tx)', 'Classified', 'Delivered'],
    empty: 'No logical ports.',
    rows: portRows,
    source: (r) => r.ports,
  },
];

export class ListsView {
  private readonly tables = new Map<string, HTMLTableElement>();

  constructor(container: HTMLElement) {
    container.replaceChildren(
      ...LISTS.map((l) => {
        const t = table(`list-${l.id}`, l.title, l.headers, 'Loading…');
        this.tables.set(l.id, t);
        return el('div', { class: 'list-wrap' }, t);
      }),
    );
  }

  update(r: LabReadings, g: Live): void {
    for (const l of LISTS) {
      const t = this.tables.get(l.id)!;
      const source = l.source(r);
      if (source.at === 0) continue;
      const error = source.error && source.value === undefined ? `Could not be read: ${source.error}` : undefined;
      syncRows(t.tBodies[0]!, error ? [] : l.rows(r, g), l.headers.length, error ?? l.empty);
    }
  }
}
