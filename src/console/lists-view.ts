/// <reference lib="dom" />
// The lists: members, transport nodes, tunnels with their status, logical switches, routers and
// ports with their counters, each a table whose rows are kept in step with the readings (only the
// rows that changed are rewritten). A row's `data-state` is its verdict (up, down, degraded,
// unknown), coloured by the style sheet.
import type { Counters } from '../model/index.ts';
import { el, syncRows, table, type Row } from './dom.ts';
import { activeGateway, memberState, nodeHealth, portState, tunnelEndState, tunnelsOf, type LabReadings } from './readings.ts';

interface ListSpec {
  id: string;
  title: string;
  headers: string[];
  empty: string;
  rows(r: LabReadings): Row[];
  /** The reading whose error the list shows instead of rows, if it has none yet. */
  source(r: LabReadings): { at: number; error?: string; value?: unknown };
}

const dash = '—';
const yesNo = (b: boolean | undefined) => (b === undefined ? dash : b ? 'yes' : 'no');
const count = (c: Pick<Counters, 'packets' | 'bytes'> | undefined) => (c ? `${c.packets} pkt, ${bytes(c.bytes)}` : dash);
function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const [v, unit] = n < 1e6 ? [n / 1e3, 'kB'] : n < 1e9 ? [n / 1e6, 'MB'] : [n / 1e9, 'GB'];
  return `${v.toFixed(v < 10 ? 1 : 0)} ${unit}`;
}

function memberRows(r: LabReadings): Row[] {
  const s = r.status.value;
  if (!s) return [];
  return s.members.map((m) => {
    const judged = memberState(s, m.name);
    const masterOf = s.masterships.filter((x) => x.member === m.name).map((x) => x.node);
    const role = m.name === s.member ? (s.store.role ?? dash) : dash;
    return {
      key: m.name,
      state: judged.state,
      cells: [
        m.name === s.member ? `${m.name} (this console)` : m.name,
        { text: m.live ? 'yes' : 'no', state: judged.state },
        role,
        masterOf.join(' ') || dash,
      ],
    };
  });
}

function nodeRows(r: LabReadings): Row[] {
  return (r.nodes.value ?? []).map((t) => {
    const reading = r.nodeStatus.get(t.name);
    const s = reading?.value;
    const health = nodeHealth(reading);
    const tunnels = tunnelsOf(reading);
    const up = tunnels.filter((x) => health.state === 'up' && tunnelEndState(x).state === 'up').length;
    const connected = s ? [s.connected.ovsdb && 'ovsdb', s.connected.openflow && 'openflow'].filter(Boolean).join(', ') || 'no' : dash;
    return {
      key: t.name,
      state: health.state,
      cells: [
        t.name,
        t.role,
        t.underlayIp,
        t.mgmtIp ?? dash,
        { text: connected, state: health.state, title: health.text },
        s?.master ? `${s.master.member} (gen ${s.master.generation})` : dash,
        yesNo(s?.programmed),
        s?.flows ?? dash,
        s?.groups ?? dash,
        `${up}/${tunnels.length}`,
        { text: health.text, state: health.state },
      ],
    };
  });
}

function tunnelRows(r: LabReadings): Row[] {
  const health = new Map((r.nodes.value ?? []).map((t) => [t.name, nodeHealth(r.nodeStatus.get(t.name))]));
  return (r.nodes.value ?? []).flatMap((t) =>
    tunnelsOf(r.nodeStatus.get(t.name)).map((x): Row => {
      const own = health.get(t.name)!;
      const remote = x.remote ? health.get(x.remote) : undefined;
      const end = tunnelEndState(x);
      const verdict =
        own.state === 'down'
          ? { state: 'down', text: `${t.name}: ${own.text}` }
          : remote?.state === 'down'
            ? { state: 'down', text: `${x.remote}: ${remote.text}` }
            : end;
      const bfd = x.bfd
        ? `${x.bfd.state}${x.bfd.forwarding ? ', forwarding' : ''}${x.bfd.diagnostic ? ` (${x.bfd.diagnostic})` : ''}`
        : dash;
      return {
        key: `${t.name}/${x.interface}`,
        state: verdict.state,
        cells: [
          t.name,
          x.interface,
          x.remote ?? x.remoteIp,
          x.encap,
          x.key ?? dash,
          { text: x.link ?? dash, state: x.link === 'down' ? 'down' : undefined },
          { text: bfd, state: x.bfd ? (x.bfd.state === 'up' ? 'up' : 'down') : undefined },
          count(x.rx),
          count(x.tx),
          { text: verdict.state === 'up' ? 'up' : verdict.text, state: verdict.state },
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

function routerRows(r: LabReadings): Row[] {
  const health = (node: string) => nodeHealth(r.nodeStatus.get(node));
  return (r.routers.value ?? []).map((x) => {
    const active = activeGateway(x, health);
    const gateways = (x.uplink?.gateways ?? []).map(
      (g) => `${g.node}${g.node === active ? ' (active)' : health(g.node).state === 'up' ? ' (standby)' : ' (down)'}`,
    );
    return {
      key: x.name,
      state: x.uplink && !active ? 'down' : undefined,
      cells: [
        x.name,
        x.interfaces.map((i) => `${i.switch} ${i.ip}`).join(', ') || dash,
        x.uplink ? `${x.uplink.network} ${x.uplink.ip}${x.uplink.snat ? ', SNAT' : ''}` : dash,
        gateways.join(', ') || dash,
      ],
    };
  });
}

function portRows(r: LabReadings): Row[] {
  return (r.ports.value ?? []).map((p) => {
    const reading = r.portStats.get(p.name);
    const s = reading?.value;
    const judged = portState(reading, p);
    return {
      key: p.name,
      state: judged.state,
      cells: [
        p.name,
        p.switch,
        p.mac,
        p.ip ?? dash,
        p.node ?? dash,
        { text: judged.text, state: judged.state },
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

  update(r: LabReadings): void {
    for (const l of LISTS) {
      const t = this.tables.get(l.id)!;
      const source = l.source(r);
      if (source.at === 0) continue;
      const error = source.error && source.value === undefined ? `Could not be read: ${source.error}` : undefined;
      syncRows(t.tBodies[0]!, error ? [] : l.rows(r), l.headers.length, error ?? l.empty);
    }
  }
}
