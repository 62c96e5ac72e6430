/// <reference lib="dom" />
// The live graph: laid out (layoutGraph, in a worker), drawn (toSvg) into one container and looked at
// through the graph viewer (attachViewer: drag to pan, wheel or buttons to zoom, click a node or an
// edge for its details). The layout runs again only when what is drawn changes
// (a node, an edge, a line of text); a change of state (a tunnel down, a member back) or of the
// highlighted trace redraws with the same layout and replaces only the elements whose drawing
// changed, so the picture does not jump and the viewer's transform stays. Each element also gets
// `data-state`, and `data-path` when a trace crossed it, from the console's own reading (CSS
// colours them; tests read them).
import { attachViewer, toSvg, type LabGraph, type LaidOutGraph, type Viewer, type ViewTransform } from '../graph/index.ts';
import { el } from './dom.ts';
import type { PathHighlight } from './trace-path.ts';

/** What decides the layout: every node with its text, every edge with its ends and label. */
const structureOf = (g: LabGraph) =>
  JSON.stringify([g.view, g.nodes.map((n) => [n.id, n.lines]), g.edges.map((e) => [e.id, e.from, e.to, e.label])]);

export class TopologyView {
  private laidOut: LaidOutGraph | undefined;
  private structure = '';
  /** What the last drawing showed, states, attributes and highlight included: the same again draws nothing. */
  private shown = '';
  private wanted: { graph: LabGraph; highlight: PathHighlight | undefined } | undefined;
  private drawing: Promise<void> | undefined;
  /** Resolves each time a graph has been drawn (the first paint waits on it). */
  drawn: Promise<void> = Promise.resolve();
  /** Pan, zoom and details over the drawing; none while a message stands in for the graph. */
  private viewer: Viewer | undefined;
  /** The view the viewer last fitted: a new layout is fitted again unless the user moved it since. */
  private fitted: ViewTransform | undefined;

  constructor(
    private readonly container: HTMLElement,
    /** Lays a graph out (layouts.ts: in a worker). */
    private readonly layout: (graph: LabGraph) => Promise<LaidOutGraph>,
  ) {}

  /** Draws `graph` (coalesced: while one drawing runs, only the latest graph waits for the next). */
  show(graph: LabGraph, highlight?: PathHighlight): Promise<void> {
    const shown = JSON.stringify([structureOf(graph), [...graph.nodes, ...graph.edges].map((x) => [x.state, x.attrs]), highlight]);
    if (shown === this.shown) return this.drawn;
    this.shown = shown;
    this.wanted = { graph, highlight };
    this.drawing ??= this.drawLoop().finally(() => (this.drawing = undefined));
    this.drawn = this.drawing;
    return this.drawing;
  }

  private async drawLoop(): Promise<void> {
    while (this.wanted) {
      const { graph, highlight } = this.wanted;
      this.wanted = undefined;
      try {
        await this.draw(graph, highlight);
      } catch (err) {
        this.shown = '';
        this.message(el('p', { class: 'error' }, `The graph could not be drawn: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }

  private async draw(graph: LabGraph, highlight: PathHighlight | undefined): Promise<void> {
    if (graph.nodes.length === 0) {
      this.message(el('p', { class: 'placeholder' }, 'Nothing to draw: the API lists no members, transport nodes or logical switches.'));
      return;
    }
    const structure = structureOf(graph);
    let relayout = structure !== this.structure || !this.laidOut;
    let laid = true;
    if (relayout) {
      try {
        this.laidOut = await this.layout(graph);
      } catch (err) {
        // Nowhere to lay it out (the member is gone, and the layout engine with it): the last
        // layout stays, its elements in their new states, and the next drawing tries again.
        if (!this.laidOut) throw err;
        [relayout, laid] = [false, false];
      }
    }
    const laidOut = withLiveState(this.laidOut!, graph);
    const text = toSvg(laidOut, highlight ? { highlight: { nodes: highlight.nodes, edges: highlight.edges } } : {});
    const path = highlight && { nodes: highlight.nodes, edges: highlight.edges };
    const current = this.container.querySelector<SVGSVGElement>(':scope > svg');
    if (!this.viewer || !current) {
      const fresh = parseSvg(text);
      mark(fresh, graph, highlight);
      this.container.replaceChildren(fresh);
      this.viewer = attachViewer(this.container, graph);
      this.viewer.highlight(path);
      this.fitted = this.viewer.transform();
    } else if (relayout) {
      const keep = !sameView(this.viewer.transform(), this.fitted);
      this.viewer.highlight(path);
      this.viewer.update(text, graph);
      mark(this.container.querySelector<SVGSVGElement>(':scope > svg')!, graph, highlight);
      if (!keep) {
        this.viewer.fit();
        this.fitted = this.viewer.transform();
      }
    } else {
      const fresh = parseSvg(text);
      mark(fresh, graph, highlight);
      patch(current, fresh);
      this.viewer.highlight(path);
      this.viewer.refresh(graph);
    }
    if (laid) this.structure = structure;
  }

  /** A message in place of the graph (nothing to draw, or a failure). */
  private message(p: HTMLElement): void {
    this.structure = '';
    this.viewer?.destroy();
    this.viewer = undefined;
    this.container.replaceChildren(p);
  }
}

const sameView = (a: ViewTransform, b: ViewTransform | undefined) => !!b && a.x === b.x && a.y === b.y && a.k === b.k;

/** The laid-out graph with the states (and attributes) of `graph`, whose structure it has. */
function withLiveState(laidOut: LaidOutGraph, graph: LabGraph): LaidOutGraph {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  return {
    ...laidOut,
    ...(graph.readAt ? { readAt: graph.readAt } : {}),
    nodes: laidOut.nodes.map((n) => ({ ...n, state: nodes.get(n.id)?.state, attrs: nodes.get(n.id)?.attrs ?? n.attrs })),
    edges: laidOut.edges.map((e) => ({ ...e, state: edges.get(e.id)?.state, attrs: edges.get(e.id)?.attrs ?? e.attrs })),
  };
}

function parseSvg(text: string): SVGSVGElement {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg') throw new Error(svg.textContent?.slice(0, 200) || 'toSvg gave no <svg>');
  return document.importNode(svg, true) as unknown as SVGSVGElement;
}

/** Top-level drawn elements by their graph id (`data-id`, as toSvg writes it). */
function byId(svg: SVGSVGElement): Map<string, Element> {
  const out = new Map<string, Element>();
  for (const e of Array.from(svg.querySelectorAll('[data-id]'))) {
    if (!e.parentElement?.closest('[data-id]')) out.set(e.getAttribute('data-id')!, e);
  }
  return out;
}

function mark(svg: SVGSVGElement, graph: LabGraph, highlight: PathHighlight | undefined): void {
  const states = new Map<string, string | undefined>([...graph.nodes, ...graph.edges].map((x) => [x.id, x.state]));
  const onPath = new Set([...(highlight?.nodes ?? []), ...(highlight?.edges ?? [])]);
  for (const [id, e] of byId(svg)) {
    const state = states.get(id);
    if (state) e.setAttribute('data-state', state);
    if (onPath.has(id)) e.setAttribute('data-path', id === highlight?.dropped ? 'dropped' : 'yes');
  }
}

/** What a viewer may set on the root (its pan and zoom): a patch leaves them as they are. */
const VIEWER_OWNED = new Set(['viewBox', 'width', 'height', 'style', 'transform']);

/** Replaces in `current` only the elements whose drawing differs in `fresh`, and brings the
 *  root's other attributes (a class saying a path is highlighted) up to date. */
function patch(current: SVGSVGElement, fresh: SVGSVGElement): void {
  for (const a of Array.from(fresh.attributes)) {
    if (!VIEWER_OWNED.has(a.name) && current.getAttribute(a.name) !== a.value) current.setAttribute(a.name, a.value);
  }
  const old = byId(current);
  for (const [id, e] of byId(fresh)) {
    const was = old.get(id);
    if (was && was.outerHTML !== e.outerHTML) was.replaceWith(e);
  }
}
