// POST /api/v1/graph/layout: a graph laid out by what the member was given to lay out with, a
// body that is not a graph refused with every issue, 501 where the API lays nothing out.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphFromPlan, layoutGraph } from '../../graph/index.ts';
import { LaidOutGraphSchema } from '../../graph/schema.ts';
import { loadTopology } from '../../topology/load.ts';
import { planLab } from '../../topology/plan.ts';
import { projectRoot } from '../../util/paths.ts';
import type { Store } from '../store/index.ts';
import { createApi } from './app.ts';

const store = { status: () => ({ connected: true, synced: true, available: true }) } as unknown as Store;
const graph = graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies/demo.yaml'))).topology));
const url = '/api/v1/graph/layout';

describe('graph layout route', () => {
  const app = createApi({ store, member: 'ctrl1', layout: (g) => layoutGraph(g) });
  afterAll(() => app.close());

  it('answers the graph laid out, in its schema', async () => {
    const res = await app.inject({ method: 'POST', url, payload: graph });
    expect(res.statusCode).toBe(200);
    expect(LaidOutGraphSchema.safeParse(res.json()).success).toBe(true);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(await layoutGraph(graph))));
  });

  it('refuses what is not a graph with every issue', async () => {
    const bad = { ...graph, view: 'sideways', nodes: [{ ...graph.nodes[0], kind: 'cloud' }, ...graph.nodes.slice(1)] };
    const res = await app.inject({ method: 'POST', url, payload: bad });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual(['view', 'nodes.0.kind']);
  });

  it('refuses an edge to a node the graph does not have', async () => {
    const bad = { ...graph, edges: [...graph.edges, { id: 'x', kind: 'link', from: 'member:ctrl1', to: 'nowhere', attrs: {} }] };
    const res = await app.inject({ method: 'POST', url, payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: `edges.${graph.edges.length}.to`, message: 'no node "nowhere"' }]);
  });

  it('answers 501 where the API lays nothing out', async () => {
    const bare = createApi({ store, member: 'ctrl1' });
    const res = await bare.inject({ method: 'POST', url, payload: graph });
    expect(res.statusCode).toBe(501);
    await bare.close();
  });
});
