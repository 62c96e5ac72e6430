/// <reference lib="dom" />
// A lab's graph to look at in a browser: pan, zoom and details on click, over an SVG drawn by
// toSvg. Browser code (no node: imports); the standalone HTML (html.ts) and the web console
// both use it.
//
//   const viewer = attachViewer(container, graph, options?);
//
// `container` is an element holding the SVG toSvg drew for `graph` (a LabGraph: the viewer reads
// each node's and edge's details from it by the SVG's `data-id`). The viewer fills the container
// (it gives it `position: relative` and hides its overflow), adds zoom buttons in its top-left
// corner and a details panel on its right (or writes the details into `options.details`).
//   - drag: pan; wheel: zoom at the pointer; buttons or keys `+` `-` `0` (fit), arrows: pan;
//   - click a node or an edge: select it (`.selected`) and show its name, kind, state and every
//     attribute; click the background or press Escape: clear.
// Returns:
//   update(svg, graph?)  draws a new SVG (a refreshed graph), keeping the view, the highlight
//                        and the selection where its id is still drawn;
//   refresh(graph?)      the same after the caller changed the drawing in place (the console
//                        replaces only the elements whose state changed, not the whole SVG);
//   highlight(path?)     emphasises these node and edge ids (a trace's path), dims the rest;
//                        undefined clears it;
//   select(id?, type?)   selects a node or edge by id (a node first where an edge has the same
//                        id, unless `type` says 'edge'; undefined clears);
//   fit(), zoom(factor)  the view; `transform()` tells it ({ x, y, k });
//   destroy()            removes what the viewer added and its listeners.
// `options.onSelect(item)` is called with the selected node or edge (undefined when cleared).
import type { GraphEdge, GraphNode, LabGraph } from './model.ts';

export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

export type Selected = { type: 'node'; node: GraphNode } | { type: 'edge'; edge: GraphEdge };
/** Node and edge ids are unique among nodes and among edges, not across them. */
export type ItemType = Selected['type'];

export interface ViewerOptions {
  /** Where details go (default: a panel the viewer adds on the container's right). */
  details?: HTMLElement;
  onSelect?: (item: Selected | undefined) => void;
}

export interface Viewer {
  update(svg: string, graph?: LabGraph): void;
  refresh(graph?: LabGraph): void;
  highlight(path?: { nodes: readonly string[]; edges: readonly string[] }): void;
  select(id?: string, type?: ItemType): void;
  fit(): void;
  zoom(factor: number): void;
  transform(): ViewTransform;
  destroy(): void;
}

const STYLE_ID = 'nv-viewer-style';
const VIEWER_CSS = `
.nv-viewer { position: relative; overflow: hidden; outline: none; cursor: grab; background: #fff; }
.nv-viewer.panning { cursor: grabbing; }
.nv-viewer > svg { display: block; width: 100%; height: 100%; }
.nv-viewer-tools { position: absolute; top: 8px; left: 8px; display: flex; gap: 4px; }
.nv-viewer-tools button { font: 14px/1 system-ui, sans-serif; min-width: 30px; height: 30px; border: 1px solid #b0bec5;
  border-radius: 4px; background: #fff; cursor: pointer; }
.nv-viewer-tools button:hover { background: #eceff1; }
.nv-viewer-details { position: absolute; top: 8px; right: 8px; max-height: calc(100% - 16px); width: 300px; overflow: auto; cursor: auto;
  background: rgba(255,255,255,0.96); border: 1px solid #cfd8dc; border-radius: 6px; padding: 10px 12px;
  font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 2px 8px rgba(0,0,0,0.12); }
.nv-viewer-details[hidden] { display: none; }
.nv-viewer-details h2 { font-size: 16px; margin: 0 0 6px; word-break: break-all; }
.nv-viewer-details table { border-collapse: collapse; width: 100%; }
.nv-viewer-details th { text-align: left; color: #607d8b; font-weight: normal; padding: 2px 8px 2px 0; vertical-align: top; white-space: nowrap; }
.nv-viewer-details td { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; word-break: break-all; padding: 2px 0; }
.nv-viewer-details .state-up { color: #2e7d32; } .nv-viewer-details .state-down { color: #c62828; font-weight: bold; }
.nv-viewer-details .state-degraded { color: #e65100; } .nv-viewer-details .state-unknown { color: #757575; }
.nv-viewer-details button.close { position: absolute; top: 6px; right: 6px; border: none; background: none; font-size: 16px; cursor: pointer; }
`;

function ensureStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = VIEWER_CSS;
  doc.head.append(style);
}

/** The size toSvg drew at; the attributes that fix it go, so the viewer's transform rules. */
function naturalSize(el: SVGSVGElement): { width: number; height: number } {
  const vb = el.viewBox.baseVal;
  const size = { width: vb?.width || el.width.baseVal.value || 1, height: vb?.height || el.height.baseVal.value || 1 };
  for (const a of ['viewBox', 'width', 'height']) el.removeAttribute(a);
  return size;
}

function find(graph: LabGraph, id: string | undefined, type?: ItemType): Selected | undefined {
  const node = type === 'edge' ? undefined : graph.nodes.find((n) => n.id === id);
  if (node) return { type: 'node', node };
  const edge = type === 'node' ? undefined : graph.edges.find((e) => e.id === id);
  return edge ? { type: 'edge', edge } : undefined;
}

/** A trace's path emphasised, the same way toSvg's `highlight` draws it. */
function markPath(
  svg: SVGSVGElement,
  drawn: Record<ItemType, Map<string, Element>>,
  path?: { nodes: readonly string[]; edges: readonly string[] },
) {
  svg.classList.toggle('highlighting', path !== undefined);
  for (const type of ['node', 'edge'] as const) {
    const on = new Set(path?.[`${type}s`] ?? []);
    for (const [id, el] of drawn[type]) el.classList.toggle('hl', on.has(id));
  }
}

/** The drawn nodes and edges by id. */
function drawnItems(svg: SVGSVGElement): Record<ItemType, Map<string, Element>> {
  const of = (type: ItemType) => new Map([...svg.querySelectorAll(`.${type}[data-id]`)].map((e) => [e.getAttribute('data-id')!, e]));
  return { node: of('node'), edge: of('edge') };
}

/** The details of a node or edge, as rows of a table (text only: nothing is parsed as HTML). */
function detailRows(item: Selected, graph: LabGraph): [string, string][] {
  const name = (id: string) => {
    const n = graph.nodes.find((m) => m.id === id);
    return n ? `${n.name} (${n.kind})` : id;
  };
  const base: [string, string | undefined][] =
    item.type === 'node'
      ? [
          ['kind', item.node.kind],
          ['world', item.node.world],
          ['state', item.node.state],
          ['id', item.node.id],
        ]
      : [
          ['kind', item.edge.kind],
          ['from', name(item.edge.from)],
          ['to', name(item.edge.to)],
          ['label', item.edge.label],
          ['state', item.edge.state],
          ['id', item.edge.id],
        ];
  const attrs = Object.entries(item.type === 'node' ? item.node.attrs : item.edge.attrs).map(([k, v]): [string, string] => [k, String(v)]);
  return [...base.filter((r): r is [string, string] => r[1] !== undefined), ...attrs];
}

function renderDetails(panel: HTMLElement, item: Selected, graph: LabGraph, close: () => void): void {
  const doc = panel.ownerDocument;
  panel.replaceChildren();
  const button = doc.createElement('button');
  button.className = 'close';
  button.title = 'close';
  button.textContent = '×';
  button.addEventListener('click', close);
  const title = doc.createElement('h2');
  title.textContent = item.type === 'node' ? item.node.name : `${item.edge.kind}${item.edge.label ? ` ${item.edge.label}` : ''}`;
  const table = doc.createElement('table');
  for (const [k, v] of detailRows(item, graph)) {
    const row = table.insertRow();
    const th = doc.createElement('th');
    th.textContent = k;
    const td = row.insertCell();
    td.textContent = v;
    if (k === 'state') td.className = `state-${v}`;
    row.prepend(th);
  }
  panel.append(button, title, table);
  panel.hidden = false;
}

/** The SVG element of a drawing (toSvg's text). */
function parseDrawing(doc: Document, text: string): SVGSVGElement {
  const holder = doc.createElement('div');
  holder.innerHTML = text;
  const svg = holder.querySelector('svg');
  if (!svg) throw new Error('attachViewer: no <svg> in what was drawn');
  return svg;
}

export function attachViewer(container: HTMLElement, initial: LabGraph, options: ViewerOptions = {}): Viewer {
  const doc = container.ownerDocument;
  ensureStyle(doc);
  container.classList.add('nv-viewer');
  if (!container.hasAttribute('tabindex')) container.tabIndex = 0;
  let graph = initial;
  let view: ViewTransform = { x: 0, y: 0, k: 1 };
  let size = { width: 1, height: 1 };
  let svg: SVGSVGElement | null = null;
  let drawn: Record<ItemType, Map<string, Element>> = { node: new Map(), edge: new Map() };
  let selected: { id: string; type: ItemType } | undefined;
  let path: { nodes: readonly string[]; edges: readonly string[] } | undefined;

  const panel = options.details ?? Object.assign(doc.createElement('aside'), { className: 'nv-viewer-details', hidden: true });

  const apply = () => svg?.querySelector('.viewport')?.setAttribute('transform', `translate(${view.x} ${view.y}) scale(${view.k})`);
  const box = () => container.getBoundingClientRect();

  function fit(): void {
    const { width, height } = box();
    const k = Math.min(width / size.width, height / size.height, 2) * 0.96 || 1;
    view = { k, x: (width - size.width * k) / 2, y: (height - size.height * k) / 2 };
    apply();
  }

  /** Zooms by `factor` keeping the point `at` (container pixels) where it is. */
  function zoom(factor: number, at?: { x: number; y: number }): void {
    const { width, height } = box();
    const p = at ?? { x: width / 2, y: height / 2 };
    const k = Math.min(40, Math.max(0.02, view.k * factor));
    const f = k / view.k;
    view = { k, x: p.x - (p.x - view.x) * f, y: p.y - (p.y - view.y) * f };
    apply();
  }

  function select(id?: string, type?: ItemType): void {
    if (selected) drawn[selected.type].get(selected.id)?.classList.remove('selected');
    const item = find(graph, id, type);
    selected = item && id !== undefined ? { id, type: item.type } : undefined;
    if (selected) drawn[selected.type].get(selected.id)?.classList.add('selected');
    if (item) renderDetails(panel, item, graph, () => select(undefined));
    else if (!options.details) panel.hidden = true;
    else panel.replaceChildren();
    options.onSelect?.(item);
  }

  function highlight(next?: { nodes: readonly string[]; edges: readonly string[] }): void {
    path = next;
    if (svg) markPath(svg, drawn, next);
  }

  function update(text: string, next?: LabGraph): void {
    mount(parseDrawing(doc, text));
    refresh(next);
  }

  /** Takes what is drawn now (elements may have been replaced) and `next`'s details. */
  function refresh(next?: LabGraph): void {
    if (next) graph = next;
    if (svg) drawn = drawnItems(svg);
    highlight(path);
    const still = selected && drawn[selected.type].has(selected.id) ? selected : undefined;
    select(still?.id, still?.type);
  }

  /** Takes an SVG as the drawing: its own size kept for fitting, the viewer's transform applied. */
  function mount(el: SVGSVGElement): void {
    const first = svg === null;
    size = naturalSize(el);
    if (svg && svg !== el) svg.replaceWith(el);
    else if (!el.isConnected) container.prepend(el);
    svg = el;
    drawn = drawnItems(el);
    (first ? fit : apply)();
  }

  const actions: Actions = { zoom, fit, select, pan: (dx, dy) => ((view = { ...view, x: view.x + dx, y: view.y + dy }), apply()) };
  const cleanup = bindInput(container, actions);
  const tools = toolbar(doc, actions);
  container.append(tools);
  if (!options.details) container.append(panel);
  const existing = container.querySelector('svg');
  if (existing) mount(existing);

  return {
    update,
    refresh,
    highlight,
    select,
    fit,
    zoom: (f) => zoom(f),
    transform: () => ({ ...view }),
    destroy() {
      cleanup();
      tools.remove();
      if (!options.details) panel.remove();
      container.classList.remove('nv-viewer');
    },
  };
}

interface Actions {
  zoom(factor: number, at?: { x: number; y: number }): void;
  fit(): void;
  select(id?: string, type?: ItemType): void;
  pan(dx: number, dy: number): void;
}

/** The zoom buttons. */
function toolbar(doc: Document, act: Actions): HTMLElement {
  const tools = doc.createElement('div');
  tools.className = 'nv-viewer-tools';
  for (const [label, title, action] of [
    ['+', 'zoom in (+)', () => act.zoom(1.25)],
    ['−', 'zoom out (-)', () => act.zoom(0.8)],
    ['fit', 'fit to view (0)', () => act.fit()],
  ] as const) {
    const b = doc.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.title = title;
    b.addEventListener('click', action);
    tools.append(b);
  }
  return tools;
}

/** Mouse, wheel and keys on the container; returns what removes the listeners. */
function bindInput(container: HTMLElement, act: Actions): () => void {
  let drag: { x: number; y: number; moved: boolean; id: number } | undefined;
  const local = (e: MouseEvent) => {
    const r = container.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const onWheel = (e: WheelEvent) => {
    e.preventDefault();
    const delta = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
    act.zoom(Math.exp(-delta * 0.0015), local(e));
  };
  const onDown = (e: PointerEvent) => {
    if (e.button !== 0 || (e.target as Element).closest('.nv-viewer-tools, .nv-viewer-details')) return;
    drag = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
  };
  const onMove = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const [dx, dy] = [e.clientX - drag.x, e.clientY - drag.y];
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) container.setPointerCapture(e.pointerId);
    drag = { ...drag, x: e.clientX, y: e.clientY, moved: true };
    container.classList.add('panning');
    act.pan(dx, dy);
  };
  const onUp = (e: PointerEvent) => {
    if (!drag || e.pointerId !== drag.id) return;
    const clicked = !drag.moved;
    drag = undefined;
    container.classList.remove('panning');
    if (!clicked) return;
    const hit = (e.target as Element).closest?.('[data-id]');
    act.select(hit?.getAttribute('data-id') ?? undefined, hit?.classList.contains('edge') ? 'edge' : 'node');
  };
  const onKey = (e: KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      '+': () => act.zoom(1.25),
      '=': () => act.zoom(1.25),
      '-': () => act.zoom(0.8),
      '0': () => act.fit(),
      ArrowLeft: () => act.pan(60, 0),
      ArrowRight: () => act.pan(-60, 0),
      ArrowUp: () => act.pan(0, 60),
      ArrowDown: () => act.pan(0, -60),
      Escape: () => act.select(undefined),
    };
    const run = keys[e.key];
    if (!run || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    run();
  };
  container.addEventListener('wheel', onWheel, { passive: false });
  container.addEventListener('pointerdown', onDown);
  container.addEventListener('pointermove', onMove);
  container.addEventListener('pointerup', onUp);
  container.addEventListener('keydown', onKey);
  return () => {
    container.removeEventListener('wheel', onWheel);
    container.removeEventListener('pointerdown', onDown);
    container.removeEventListener('pointermove', onMove);
    container.removeEventListener('pointerup', onUp);
    container.removeEventListener('keydown', onKey);
  };
}
