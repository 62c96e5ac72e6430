/// <reference lib="dom" />
// nvlab's web console, in the spirit of NVP Manager: what one controller member's northbound API
// says of the lab, and nothing else (no other origin, no file, no font or script from elsewhere).
// The live topology in both worlds, the lists (members, transport nodes, tunnels, switches,
// routers, ports) and the trace form, refreshed from the API every second without a reload.
// The page says when it is loading, when the member is cut off from its store's quorum (its
// answers carry x-nvstore-stale), when it does not answer, and when it refuses the page for the
// lab's token (the page takes it from the URL `nvlab console` prints); it is never blank. Once everything
// has been read and drawn the first time, it sets the performance mark `nvlab-console-ready` and
// `data-ready` on <html> (the first-paint bench and the tests wait on them).
import { GRAPH_VIEWS, type GraphView } from '../graph/index.ts';
import type { TracePath } from '../model/index.ts';
import { el } from './dom.ts';
import { expectedGraph, liveGraph } from './live-graph.ts';
import { Layouts } from './layouts.ts';
import { ListsView } from './lists-view.ts';
import { LabPoller } from './poller.ts';
import { complete, listsRead, READ_MARK, READY_MARK, shapeKnown, type LabReadings } from './readings.ts';
import { TopologyView } from './topology-view.ts';
import { adoptUrlToken } from './token.ts';
import { pathHighlight } from './trace-path.ts';
import { TraceView } from './trace-view.ts';

/** While the first readings come in, the graph waits for what decides its shape (each partial
 *  graph would be laid out for nothing; port counters only colour it, and come in while it is
 *  laid out), but no longer than this. */
const FIRST_GRAPH_WAIT_MS = 2000;
/** Once everything was read, nothing more is asked until it is drawn, but no longer than this. */
const FIRST_PAINT_HOLD_MS = 3000;

const byId = (id: string): HTMLElement => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
};

class ConsoleApp {
  private readonly poller = new LabPoller({
    onChange: () => this.schedule(),
    // Not for long: a drawing that never ends must not stop the page from reading.
    holdWhile: () => this.ready && !this.painted && performance.now() - this.readAt < FIRST_PAINT_HOLD_MS,
  });
  private readonly layouts = new Layouts();
  private readonly topology = new TopologyView(byId('graph'), (graph) => this.layouts.layout(graph));
  private readonly lists = new ListsView(byId('lists'));
  private readonly trace = new TraceView(byId('trace'), (path) => {
    this.path = path;
    this.schedule();
  });
  private view: GraphView = 'both';
  private path: TracePath | undefined;
  private frame = 0;
  /** Everything has been read once (the first paint is under way or done). */
  private ready = false;
  private readAt = 0;
  /** The first paint is done. */
  private painted = false;
  /** The graph expected once the nodes' statuses are in has been given to the layout. */
  private expected = false;
  private readonly started = performance.now();

  start(): void {
    this.viewChooser(byId('graph-views'));
    this.poller.start();
  }

  private viewChooser(container: HTMLElement): void {
    container.replaceChildren(
      ...GRAPH_VIEWS.map((v) => {
        const input = el('input', { type: 'radio', name: 'graph-view', value: v, checked: v === this.view });
        input.addEventListener('change', () => {
          this.view = v;
          this.schedule();
        });
        return el('label', {}, input, ` ${v}`);
      }),
    );
  }

  /** One redraw per animation frame, however many answers came in it. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const r = this.poller.readings;
    this.header(r);
    this.banners(r);
    this.lists.update(r, liveGraph(r, 'both'));
    this.trace.setPorts(r.ports.value ?? []);
    const full = complete(r);
    if (r.status.at === 0 && r.nodes.at === 0) return;
    if (!this.ready && !this.expected && listsRead(r) && !shapeKnown(r)) {
      // Laid out while the statuses are read: the lab's graph will most likely find it done.
      this.expected = true;
      void this.layouts.layout(expectedGraph(r, this.view)).catch(() => {});
    }
    if (!this.ready && !full && !shapeKnown(r) && performance.now() - this.started < FIRST_GRAPH_WAIT_MS) return;
    const graph = liveGraph(r, this.view);
    const drawn = this.topology.show(graph, this.path ? pathHighlight(graph, this.path) : undefined);
    if (!this.ready && full) {
      this.ready = true;
      this.readAt = performance.now();
      performance.mark(READ_MARK);
      void drawn.then(() => {
        if (this.layouts.lastWhere) byId('graph').dataset.layout = this.layouts.lastWhere;
        performance.mark(READY_MARK);
        document.documentElement.dataset.ready = 'true';
        this.painted = true;
      });
    }
  }

  private header(r: LabReadings): void {
    const s = r.status.value;
    const role = s?.store.role ? `Raft ${s.store.role}` : undefined;
    byId('member').textContent = s ? [`member ${s.member}`, role].filter(Boolean).join(' · ') : '';
    if (s) document.title = `nvlab console · ${s.member}`;
    const at = r.status.okAt;
    byId('updated').textContent = at ? `read at ${new Date(at).toLocaleTimeString()}` : '';
  }

  private banners(r: LabReadings): void {
    const member = r.status.value?.member ?? 'this member';
    const out: HTMLElement[] = [];
    if (r.status.at === 0)
      out.push(el('p', { class: 'banner info', 'data-banner': 'loading' }, `Loading the lab from ${member}'s northbound API…`));
    if (r.unreachable)
      out.push(
        el(
          'p',
          { class: 'banner error', 'data-banner': 'unreachable' },
          `${member} does not answer: ${r.unreachable}. What is shown was read before.`,
        ),
      );
    if (r.unauthorized) out.push(el('p', { class: 'banner error', 'data-banner': 'unauthorized' }, r.unauthorized));
    if (r.stale)
      out.push(
        el(
          'p',
          { class: 'banner warning', 'data-banner': 'stale' },
          `${member} is cut off from its store's quorum: it shows its last snapshot, which may be out of date.`,
        ),
      );
    if (!r.unreachable && !r.unauthorized) {
      const lists = {
        'transport nodes': r.nodes,
        'logical switches': r.switches,
        'logical ports': r.ports,
        'logical routers': r.routers,
        status: r.status,
      };
      for (const [what, reading] of Object.entries(lists))
        if (reading.error)
          out.push(el('p', { class: 'banner error', 'data-banner': 'error' }, `The ${what} could not be read: ${reading.error}`));
    }
    const box = byId('banners');
    const text = out.map((b) => b.outerHTML).join('');
    if (box.dataset.shown !== text) {
      box.replaceChildren(...out);
      box.dataset.shown = text;
    }
  }
}

function boot(): void {
  try {
    adoptUrlToken();
    new ConsoleApp().start();
  } catch (err) {
    byId('banners').replaceChildren(
      el('p', { class: 'banner error' }, `The console could not start: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
