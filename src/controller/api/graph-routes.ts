// Graph layouts through the northbound API: the console sends the graph it is about to draw and
// gets it back laid out. The member keeps what it laid out, so the console's next load (or anyone
// else's of the same lab) gets its layout at once instead of running ELK in the browser; ELK
// itself runs outside the member's event loop (src/graph/layout-process.ts).
import { LabGraphSchema, LaidOutGraphSchema } from '../../graph/schema.ts';
import { GRAPH_LAYOUT_PATH } from '../../model/index.ts';
import { parseBody } from './resource-routes.ts';
import type { ComponentSpec, RouteSpec } from './routes.ts';

// The request body is named as the other bodies are (…Create), as OpenAPI clients expect.
export const GRAPH_COMPONENTS: Record<string, ComponentSpec> = {
  GraphLayoutCreate: { schema: LabGraphSchema, io: 'input' },
  LaidOutGraph: { schema: LaidOutGraphSchema, io: 'output' },
};

export const GRAPH_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: GRAPH_LAYOUT_PATH,
    operationId: 'layoutGraph',
    summary: 'Lay out a graph of the lab (as nvlab graph --format json prints it): where each node, edge and label is drawn',
    tag: 'graph',
    body: 'GraphLayoutCreate',
    // A lab of a few hundred transport nodes, its tunnels included, is a few megabytes.
    bodyLimit: 32 * 1024 * 1024,
    responses: {
      200: ['The graph, laid out', 'LaidOutGraph'],
      400: ['Not a graph', 'ValidationError'],
      501: ['This API does not lay out graphs', 'Error'],
    },
    handle: async (ctx) => {
      const graph = parseBody(LabGraphSchema, ctx.body);
      if (!ctx.layout) return { status: 501, body: { error: 'not implemented', detail: 'this API does not lay out graphs' } };
      return { status: 200, body: await ctx.layout(graph) };
    },
  },
];
