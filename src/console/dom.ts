/// <reference lib="dom" />
// Small DOM helpers for the console's views: build an element, and keep a table's rows in step
// with a list by key, touching only the rows whose text changed (the console redraws each second).

type Child = Node | string | number | null | undefined | false;

/** An element with attributes (`class`, `data-*`, ...) and children; falsy children are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(typeof c === 'number' ? String(c) : c);
  return e;
}

/** A cell's text, and a state that colours it (up, down, degraded, unknown). */
export type Cell = string | number | { text: string | number; state?: string | undefined; title?: string | undefined };

export interface Row {
  /** Stable across refreshes (a node's name, a tunnel's node and interface). */
  key: string;
  cells: Cell[];
  /** The row's own state, as `data-state` (CSS colours it, tests read it). */
  state?: string | undefined;
}

const cellText = (c: Cell) => (typeof c === 'object' ? String(c.text) : String(c));
const signature = (r: Row) => JSON.stringify([r.state, r.cells.map((c) => (typeof c === 'object' ? [c.text, c.state, c.title] : c))]);

function fillRow(tr: HTMLTableRowElement, row: Row): void {
  tr.replaceChildren(
    ...row.cells.map((c) => {
      const td = el('td', typeof c === 'object' ? { 'data-state': c.state, title: c.title } : {}, cellText(c));
      return td;
    }),
  );
  if (row.state) tr.dataset.state = row.state;
  else delete tr.dataset.state;
}

/** Makes `tbody` hold `rows` in order, rewriting only rows that changed; `empty` when none. */
export function syncRows(tbody: HTMLTableSectionElement, rows: readonly Row[], columns: number, empty: string): void {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const tr of Array.from(tbody.rows)) if (tr.dataset.key !== undefined) existing.set(tr.dataset.key, tr);
  const wanted: HTMLTableRowElement[] = rows.map((row) => {
    const sig = signature(row);
    let tr = existing.get(row.key);
    existing.delete(row.key);
    if (!tr) {
      tr = el('tr', { 'data-key': row.key });
    }
    if (tr.dataset.sig !== sig) {
      fillRow(tr, row);
      tr.dataset.sig = sig;
    }
    return tr;
  });
  if (wanted.length === 0) wanted.push(el('tr', { class: 'empty' }, el('td', { colspan: columns }, empty)));
  // Only moves what is out of place, so unchanged rows stay as they are (and selected text with them).
  wanted.forEach((tr, i) => {
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] ?? null);
  });
  while (tbody.rows.length > wanted.length) tbody.deleteRow(-1);
}

/** A table with a caption and a header row, whose body syncRows fills. */
export function table(id: string, caption: string, headers: readonly string[], loading: string): HTMLTableElement {
  return el(
    'table',
    { id, class: 'list' },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, el('tr', { class: 'empty' }, el('td', { colspan: headers.length }, loading))),
  );
}
