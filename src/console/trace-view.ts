/// <reference lib="dom" />
// The trace form (from, to, protocol, and a frame kind for broadcast, multicast or unknown
// unicast): POST /api/v1/traceflows, poll GET /api/v1/traceflows/{id} until the trace ends, then
// the verdict (delivered, or dropped where and why), the hops one by one with what was observed
// at each, and the path handed to the graph to highlight. The console's only write.
import type { LogicalPort, Traceflow, TraceflowCreated, TraceHop, TracePath, TraceRequestInput } from '../model/index.ts';
// Values from the model's zod-free files (see poller.ts).
import { API_PREFIX } from '../model/api-paths.ts';
import { DROP_REASONS, TRACE_FRAMES } from '../model/trace-vocabulary.ts';
import { failureText, get, request } from './api.ts';
import { el, syncRows, table, type Row } from './dom.ts';
import { verdict } from './trace-path.ts';

const TRACEFLOWS = `${API_PREFIX}/traceflows`;
const POLL_MS = 250;
const TIMEOUT_MS = 30_000;
const PROTOS = ['icmp', 'arp', 'tcp', 'udp'] as const;

const hopRow = (h: TraceHop, i: number): Row => ({
  key: String(i),
  state: h.observation === 'dropped' ? 'down' : undefined,
  cells: [
    i + 1,
    h.node,
    h.component,
    { text: h.observation, state: h.observation === 'dropped' ? 'down' : h.observation === 'delivered' ? 'up' : undefined },
    h.logical ?? '—',
    h.tunnel ? `${h.tunnel.encap} VNI ${h.tunnel.vni} ↔ ${h.tunnel.remote}` : '—',
    h.rule ? `table ${h.rule.table}${h.rule.priority === undefined ? '' : ` prio ${h.rule.priority}`}: ${h.rule.meaning}` : '—',
    [h.reason ? `${h.reason}: ${DROP_REASONS[h.reason]}` : '', h.copies ? `${h.copies} copies` : '', h.detail ?? '']
      .filter(Boolean)
      .join('; ') || '—',
  ],
});

export class TraceView {
  private readonly form: HTMLFormElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLInputElement;
  private readonly proto: HTMLSelectElement;
  private readonly port: HTMLInputElement;
  private readonly frame: HTMLSelectElement;
  private readonly targets: HTMLDataListElement;
  private readonly submit: HTMLButtonElement;
  private readonly result: HTMLElement;
  private portNames = '';

  constructor(
    container: HTMLElement,
    /** The path to highlight on the graph, or undefined to clear it. */
    private readonly onPath: (path: TracePath | undefined) => void,
  ) {
    this.from = el('select', { name: 'from', required: true, 'aria-label': 'from' });
    this.to = el('input', { name: 'to', required: true, list: 'trace-targets', placeholder: 'port or IPv4 address', 'aria-label': 'to' });
    this.targets = el('datalist', { id: 'trace-targets' });
    this.proto = el('select', { name: 'proto', 'aria-label': 'protocol' }, ...PROTOS.map((p) => el('option', { value: p }, p)));
    this.port = el('input', { name: 'port', type: 'number', min: 1, max: 65535, value: 80, 'aria-label': 'port', hidden: true });
    this.frame = el(
      'select',
      { name: 'frame', 'aria-label': 'frame' },
      el('option', { value: '' }, 'unicast'),
      ...TRACE_FRAMES.map((f) => el('option', { value: f }, f)),
    );
    this.submit = el('button', { type: 'submit' }, 'Trace');
    const clear = el('button', { type: 'button', class: 'secondary' }, 'Clear');
    this.form = el(
      'form',
      { id: 'trace-form' },
      el('label', {}, 'From ', this.from),
      el('label', {}, 'To ', this.to),
      this.targets,
      el('label', {}, 'Protocol ', this.proto, this.port),
      el('label', {}, 'Frame ', this.frame),
      this.submit,
      clear,
    );
    this.result = el('div', { id: 'trace-result', 'aria-live': 'polite' });
    container.replaceChildren(this.form, this.result);
    this.proto.addEventListener('change', () => (this.port.hidden = !['tcp', 'udp'].includes(this.proto.value)));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    clear.addEventListener('click', () => {
      this.result.replaceChildren();
      this.onPath(undefined);
    });
  }

  /** Keeps the form's choices to the ports the API lists. */
  setPorts(ports: readonly LogicalPort[]): void {
    const names = ports.map((p) => p.name).sort();
    if (names.join(' ') === this.portNames) return;
    this.portNames = names.join(' ');
    const chosen = this.from.value;
    this.from.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
    if (names.includes(chosen)) this.from.value = chosen;
    this.targets.replaceChildren(...ports.flatMap((p) => [el('option', { value: p.name }, p.ip ?? p.switch)]));
  }

  private requestOf(): TraceRequestInput {
    const proto = ['tcp', 'udp'].includes(this.proto.value) ? `${this.proto.value}:${this.port.value}` : this.proto.value;
    const frame = this.frame.value as (typeof TRACE_FRAMES)[number] | '';
    return { from: this.from.value, to: this.to.value.trim(), proto, ...(frame ? { frame } : {}) };
  }

  private show(cls: string, ...children: (Node | string)[]): void {
    this.result.replaceChildren(el('p', { class: cls }, ...children));
  }

  private async run(): Promise<void> {
    const req = this.requestOf();
    this.submit.disabled = true;
    this.onPath(undefined);
    this.show('pending', `Tracing ${req.from} → ${req.to} (${req.proto})…`);
    try {
      const created = await request<TraceflowCreated>('POST', TRACEFLOWS, req);
      if (!created.ok) {
        const issues = (created.body as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
        this.show(
          'error',
          `The trace was refused: ${failureText(created)}`,
          ...issues.map((i) => el('span', { class: 'issue' }, `${i.path || 'request'}: ${i.message}`)),
        );
        return;
      }
      const done = await this.follow(created.body.id);
      if (done) this.showTrace(done);
    } finally {
      this.submit.disabled = false;
    }
  }

  /** Polls the trace until it ends, or says why it could not be followed. */
  private async follow(id: string): Promise<Traceflow | undefined> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const t = await get<Traceflow>(`${TRACEFLOWS}/${encodeURIComponent(id)}`);
      if (!t.ok) {
        this.show('error', `The trace could not be followed: ${failureText(t)}`);
        return undefined;
      }
      if (t.body.state !== 'running') return t.body;
      if (Date.now() > deadline) {
        this.show('error', `The trace did not end within ${TIMEOUT_MS / 1000} s.`);
        return undefined;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private showTrace(t: Traceflow): void {
    const path = t.path;
    const head = `${t.request.from} → ${t.request.to} (${t.request.proto}${t.request.frame ? `, ${t.request.frame}` : ''})`;
    const took = t.durationMs === undefined ? '' : ` in ${t.durationMs} ms`;
    const parts: Node[] = [];
    if (t.state === 'failed') parts.push(el('p', { class: 'error' }, `The trace failed${took}: ${t.error ?? 'no reason given'}`));
    if (path) {
      const v = verdict(path, t.request.to);
      parts.push(
        el(
          'p',
          { class: v.dropped ? 'verdict dropped' : 'verdict delivered', 'data-verdict': v.dropped ? 'dropped' : 'delivered' },
          `${head}${took}: ${v.text}`,
        ),
      );
      const hops = table('trace-hops', 'Hop by hop', ['#', 'Node', 'Component', 'Observed', 'Logical', 'Tunnel', 'Rule', 'Detail'], '');
      syncRows(hops.tBodies[0]!, path.hops.map(hopRow), 8, 'No hop was observed.');
      parts.push(el('div', { class: 'list-wrap' }, hops));
    } else if (t.state !== 'failed') parts.push(el('p', { class: 'error' }, `${head}: no path was observed.`));
    this.result.replaceChildren(...parts);
    this.onPath(path);
  }
}
