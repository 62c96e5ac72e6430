// nvlab graph on every built-in topology: Graphviz itself reads the dot (and draws it), and the
// CLI writes each format where it is told.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphFromPlan, STATE_COLOURS, toDot, type LabGraph } from '../../../src/graph/index.ts';
import { liveGraphWithFailure } from '../../../src/graph/live-fixtures.ts';
import { loadTopology } from '../../../src/topology/load.ts';
import { planLab } from '../../../src/topology/plan.ts';
import { projectRoot } from '../../../src/util/paths.ts';

const topologies = (await readdir(join(projectRoot, 'topologies'))).filter((f) => f.endsWith('.yaml')).sort();
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nvlab-graph-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('nvlab graph', () => {
  it.each(topologies)('%s: Graphviz reads its dot without a warning and draws every node and edge', async (file) => {
    const plan = planLab((await loadTopology(join(projectRoot, 'topologies', file))).topology);
    const graph = graphFromPlan(plan);
    const svg = await execa('dot', ['-Tsvg'], { input: toDot(graph) });
    expect(svg.stderr).toBe('');
    expect((svg.stdout.match(/class="node"/g) ?? []).length).toBe(graph.nodes.length);
    expect((svg.stdout.match(/class="edge [a-z]+"|class="[a-z]+ edge"|<g id="edge\d+" class="[^"]*"/g) ?? []).length).toBe(
      graph.edges.length,
    );
  });

  it("a running lab's graph: Graphviz draws the states, a cut-off node and its tunnels in red", async () => {
    const graph = liveGraphWithFailure();
    const svg = await execa('dot', ['-Tsvg'], { input: toDot(graph) });
    expect(svg.stderr).toBe('');
    const down = graph.edges.filter((e) => e.state === 'down').length;
    expect(down).toBe(2);
    expect((svg.stdout.match(/class="edge tunnel state&#45;down"/g) ?? []).length).toBe(down);
    expect(svg.stdout).toContain(`stroke="${STATE_COLOURS.down}"`);
    expect(svg.stdout).toMatch(/class="node state&#45;down"/);
  });

  it('writes mermaid, dot and json where -o says', async () => {
    const file = join(projectRoot, 'topologies', 'l3-gateway.yaml');
    for (const format of ['mermaid', 'dot', 'json']) {
      const out = join(dir, `graph.${format}`);
      const r = await execa('node', [join(projectRoot, 'bin/nvlab.js'), 'graph', file, '--format', format, '-o', out], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const text = await readFile(out, 'utf8');
      if (format === 'mermaid') expect(text.startsWith('flowchart LR\n')).toBe(true);
      if (format === 'dot') expect(text.startsWith('graph "l3-gateway" {')).toBe(true);
      if (format === 'json') expect((JSON.parse(text) as LabGraph).nodes.some((n) => n.id === 'router:edge')).toBe(true);
    }
  });

  it('a bad file exits 2 with its position; a bad view is refused', async () => {
    const bad = await execa('node', [join(projectRoot, 'bin/nvlab.js'), 'graph', join(projectRoot, 'package.json')], { reject: false });
    expect(bad.exitCode).toBe(2);
    const view = await execa('node', [join(projectRoot, 'bin/nvlab.js'), 'graph', 'x.yaml', '--view', 'nope'], { reject: false });
    expect(view.exitCode).not.toBe(0);
    expect(view.stderr).toMatch(/nope/);
  });
});
