// A lab's graph as one self-contained HTML file that works offline (no CDN, no fetch, no web
// font): the SVG drawn in Node, the graph's JSON, the page's style and the viewer's script
// (pan, zoom, click for details) all inline. The viewer is bundled by esbuild once and kept in
// .cache/graph/ (src/util/build-cache.ts), as ELK's answers are (layout-cache.ts). Node only (it
// reads and writes files), so not exported from graph/index.ts, which browser bundles import.
import { join } from 'node:path';
import { cachedBuild } from '../util/build-cache.ts';
import { projectRoot } from '../util/paths.ts';
import { nodeLayout } from './layout-cache.ts';
import { layoutGraph, type LayoutOptions } from './layout.ts';
import type { LabGraph } from './model.ts';
import { EDGE_STYLES, KIND_COLOURS, STATE_COLOURS } from './svg-style.ts';
import { escapeXml, toSvg, type SvgOptions } from './svg.ts';

const ENTRY = join(projectRoot, 'src/graph/page.ts');
const BUNDLE = join(projectRoot, '.cache/graph/page.js');

let bundle: Promise<string> | undefined;

/** The page's script: the viewer, bundled for browsers. */
export function viewerBundle(): Promise<string> {
  bundle ??= cachedBuild(BUNDLE, async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      minify: true,
      logLevel: 'error',
    });
    return result.outputFiles[0]?.text ?? '';
  });
  bundle.catch(() => (bundle = undefined));
  return bundle;
}

const PAGE_CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { display: flex; flex-direction: column; font: 14px/1.4 system-ui, sans-serif; color: #263238; background: #eceff1; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 24px; padding: 8px 16px; background: #fff; border-bottom: 1px solid #cfd8dc; }
header h1 { font-size: 18px; margin: 0; }
header .sub { color: #607d8b; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; color: #455a64; }
.legend span { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.legend svg { flex: none; }
.legend b { font-weight: 600; color: #78909c; }
#nv-graph { flex: 1; min-height: 0; }
`;

/** A legend entry: a small drawing and its name. */
const entry = (drawing: string, name: string) =>
  `<span><svg width="22" height="12" aria-hidden="true">${drawing}</svg>${escapeXml(name)}</span>`;

function legend(): string {
  const nodes = Object.entries(KIND_COLOURS).map(([kind, c]) =>
    entry(`<rect x="1" y="1" width="20" height="10" rx="3" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/>`, kind),
  );
  const line = (stroke: string, width: number, dash?: string) =>
    `<line x1="1" y1="6" x2="21" y2="6" stroke="${stroke}" stroke-width="${width}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  const edges = Object.entries(EDGE_STYLES).map(([kind, s]) => entry(line(s.stroke, s.width, s.dash), kind));
  const states = Object.entries(STATE_COLOURS).map(([state, c]) =>
    entry(line(c, 2.4, state === 'up' ? undefined : '6 4'), `tunnel ${state}`),
  );
  const down = entry(
    `<rect x="1" y="1" width="20" height="10" rx="3" fill="#ffebee" stroke="${STATE_COLOURS.down}" stroke-width="2" stroke-dasharray="4 2"/>`,
    'node down',
  );
  return [
    `<div class="legend"><b>nodes</b>${nodes.join('')}</div>`,
    `<div class="legend"><b>edges</b>${edges.join('')}</div>`,
    `<div class="legend"><b>state</b>${states.join('')}${down}</div>`,
  ].join('');
}

/** JSON inside a <script> element: nothing in it may close the element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export interface HtmlOptions extends SvgOptions {
  layout?: LayoutOptions;
}

/** The whole page: title, legend, the drawing (a trace's path highlighted, if given), and the
 *  viewer with the graph's details. */
export async function toHtml(graph: LabGraph, options: HtmlOptions = {}): Promise<string> {
  const [laidOut, script] = await Promise.all([layoutGraph(graph, { ...nodeLayout, ...options.layout }), viewerBundle()]);
  const title = `${graph.lab}: ${graph.view === 'both' ? 'physical and logical' : graph.view} view`;
  const sub = graph.readAt ? `live state read at ${graph.readAt}` : 'drawn from the topology file (no live state)';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon request: the page asks for nothing.
    '<link rel="icon" href="data:,">',
    `<title>${escapeXml(`nvlab graph: ${title}`)}</title>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    `<header><div><h1>${escapeXml(title)}</h1><div class="sub">${escapeXml(sub)}</div></div>${legend()}</header>`,
    `<main id="nv-graph">${toSvg(laidOut, options)}</main>`,
    `<script type="application/json" id="nv-graph-data">${scriptJson(graph)}</script>`,
    `<script>${script.replace(/<\/script/gi, '<\\/script')}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
