// The layout child process, for real (forked, run by tsx): what it lays out is what layoutGraph
// lays out in the calling process, a second request for the same graph is answered from what it
// kept, and a child that dies fails what it was asked and is started again for the next request.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { projectRoot } from '../util/paths.ts';
import { graphFromPlan, layoutGraph } from './index.ts';
import { LayoutProcess } from './layout-process.ts';
import { LaidOutGraphSchema } from './schema.ts';

const demo = async () => graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies/demo.yaml'))).topology));
const script = join(projectRoot, 'src/graph/layout-process-main.ts');

describe('LayoutProcess', () => {
  let layouts: LayoutProcess | undefined;
  afterEach(() => layouts?.close());

  it('lays out as layoutGraph does, and answers a graph it laid out before at once', async () => {
    layouts = new LayoutProcess({ script, execArgv: ['--import', 'tsx'] });
    const graph = await demo();
    const t0 = performance.now();
    const laid = await layouts.layout(graph);
    const first = performance.now() - t0;
    expect(LaidOutGraphSchema.safeParse(laid).success).toBe(true);
    expect(laid).toEqual(await layoutGraph(graph));
    const t1 = performance.now();
    expect(await layouts.layout(graph)).toEqual(laid);
    expect(performance.now() - t1).toBeLessThan(first / 2);
  }, 60_000);

  it('fails what a dying child was asked, and starts another for the next request', async () => {
    layouts = new LayoutProcess({ script, execArgv: ['--import', 'tsx'] });
    const graph = await demo();
    await layouts.layout(graph);
    const asked = layouts.layout({ ...graph, lab: 'other' });
    layouts.close();
    await expect(asked).rejects.toThrow(/layout process ended/);
    expect((await layouts.layout(graph)).nodes.length).toBe(graph.nodes.length);
  }, 60_000);

  it('ends its child after the idle time', async () => {
    layouts = new LayoutProcess({ script, execArgv: ['--import', 'tsx'], idleMs: 200 });
    await layouts.layout(await demo());
    expect(layouts.running).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(layouts.running).toBe(false);
  }, 60_000);
});
