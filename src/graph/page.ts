/// <reference lib="dom" />
// The script of the standalone HTML page (html.ts bundles it): the viewer over the page's
// drawing, with the graph's details from the JSON the page carries. The viewer is left on
// `window.nvlabViewer` for scripts (and the tests) to drive.
import type { LabGraph } from './model.ts';
import { attachViewer, type Viewer } from './viewer.ts';

declare global {
  interface Window {
    nvlabViewer?: Viewer;
  }
}

const data = document.getElementById('nv-graph-data');
const container = document.getElementById('nv-graph');
if (data?.textContent && container) {
  window.nvlabViewer = attachViewer(container, JSON.parse(data.textContent) as LabGraph);
  container.focus();
}
