/// <reference lib="dom" />
// The script of the standalone HTML page (html.ts bundles it): the viewer over the page's
// drawing, with the graph's details from the JSON the page carries.
import type { LabGraph } from './model.ts';
import { attachViewer } from './viewer.ts';

const data = document.getElementById('nv-graph-data');
const container = document.getElementById('nv-graph');
if (data?.textContent && container) {
  attachViewer(container, JSON.parse(data.textContent) as LabGraph);
  container.focus();
}
