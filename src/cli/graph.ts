// `nvlab graph FILE|LAB`: a lab's two worlds (physical and logical) and the mapping between them,
// from its topology file alone, or from a running lab with its live state; as Mermaid (renders
// in GitHub Markdown), Graphviz dot, the graph model's JSON for other tools, an SVG laid out by
// ELK, or one self-contained HTML file to pan, zoom and click (offline).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { toHtml } from '../graph/html.ts';
import { nodeLayout } from '../graph/layout-cache.ts';
import { GRAPH_VIEWS, graphFromPlan, layoutGraph, toDot, toMermaid, toSvg, type GraphView, type LabGraph } from '../graph/index.ts';
import { labGraph } from '../app/graph.ts';
import { createRuntime } from '../app/runtime.ts';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { err, formatWarning, out } from './output.ts';

const FORMATS = ['mermaid', 'dot', 'json', 'svg', 'html'] as const;
type GraphFormat = (typeof FORMATS)[number];

const RENDER: Record<GraphFormat, (g: LabGraph) => string | Promise<string>> = {
  mermaid: toMermaid,
  dot: toDot,
  json: (g) => `${JSON.stringify(g, null, 2)}\n`,
  svg: async (g) => toSvg(await layoutGraph(g, nodeLayout)),
  html: toHtml,
};

/** A path that names a file is a topology file; anything else names a deployed lab. */
async function graphOf(source: string, view: GraphView): Promise<LabGraph> {
  if (existsSync(source) || /\.ya?ml$/i.test(source)) {
    const loaded = await loadTopology(source);
    for (const warning of loaded.warnings) err(formatWarning(warning));
    return graphFromPlan(planLab(loaded.topology), view);
  }
  return labGraph(await createRuntime(), source, view);
}

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description("a lab's physical and logical worlds and the mapping between them, from its topology file or, live, from a running lab")
    .argument('<file|lab>', 'a topology file (YAML), or the name of a deployed lab')
    .addOption(new Option('--view <view>', 'physical, logical or both').choices(GRAPH_VIEWS).default('both'))
    .addOption(new Option('--format <format>', FORMATS.join(', ')).choices(FORMATS).default('mermaid'))
    .option('-o, --output <path>', 'write to this file instead of stdout')
    .action(async (source: string, flags: { view: GraphView; format: GraphFormat; output?: string }) => {
      const text = await RENDER[flags.format](await graphOf(source, flags.view));
      if (flags.output) await writeFile(flags.output, text);
      else out(text.trimEnd());
    });
}
