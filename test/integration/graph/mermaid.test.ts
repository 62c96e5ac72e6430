// nvlab graph's Mermaid is what Mermaid itself parses (the parser GitHub's renderer runs), for
// every built-in topology and each view. Mermaid wants a DOM even to parse: jsdom gives it one.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_VIEWS, graphFromPlan, toMermaid } from '../../../src/graph/index.ts';
import { liveGraphWithFailure } from '../../../src/graph/live-fixtures.ts';
import { loadTopology } from '../../../src/topology/load.ts';
import { planLab } from '../../../src/topology/plan.ts';
import { projectRoot } from '../../../src/util/paths.ts';

type Mermaid = { parse(text: string): Promise<{ diagramType: string }> };
let mermaid: Mermaid;

beforeAll(async () => {
  const { window } = new JSDOM('<!doctype html><html><body></body></html>');
  Object.assign(globalThis, { window, document: window.document });
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
});

const topologies = (await readdir(join(projectRoot, 'topologies'))).filter((f) => f.endsWith('.yaml')).sort();

describe('nvlab graph --format mermaid', () => {
  it.each(topologies)('%s: Mermaid parses it as a flowchart, in every view', async (file) => {
    const plan = planLab((await loadTopology(join(projectRoot, 'topologies', file))).topology);
    for (const view of GRAPH_VIEWS)
      await expect(mermaid.parse(toMermaid(graphFromPlan(plan, view))), view).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it("a running lab's graph, states styled, parses too", async () => {
    const text = toMermaid(liveGraphWithFailure());
    expect(text).toMatch(/classDef down stroke:#c62828/);
    expect(text).toMatch(/linkStyle \d+ stroke:#c62828/);
    await expect(mermaid.parse(text)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it('and the parser does reject what is not Mermaid', async () => {
    await expect(mermaid.parse('flowchart LR\n  a["x"] --- end')).rejects.toThrow(/Parse error/);
  });
});
