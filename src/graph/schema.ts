// The graph model as zod schemas, for the API that lays graphs out (a member checks what it is
// given and documents what it answers). The types themselves stay in model.ts and layout.ts,
// free of zod, because the console's browser bundle uses them; the checks at the end keep the
// two in step.
import { z } from 'zod';
import type { LaidOutGraph } from './layout.ts';
import { GRAPH_EDGE_KINDS, GRAPH_NODE_KINDS, GRAPH_STATES, GRAPH_VIEWS, type LabGraph } from './model.ts';

const NAME = z.string().min(1).max(200);
const attrs = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** A graph this large is not a lab's (5,000 transport nodes with a port each, and their links). */
const MAX_NODES = 20_000;
const MAX_EDGES = 200_000;

const node = z.object({
  id: NAME,
  kind: z.enum(GRAPH_NODE_KINDS),
  name: NAME,
  world: z.enum(['physical', 'logical']),
  lines: z.array(z.string().max(200)).max(20),
  attrs,
  state: z.enum(GRAPH_STATES).optional(),
});

const edge = z.object({
  id: z.string().min(1).max(500),
  kind: z.enum(GRAPH_EDGE_KINDS),
  from: NAME,
  to: NAME,
  label: z.string().max(200).optional(),
  attrs,
  state: z.enum(GRAPH_STATES).optional(),
});

export const LabGraphSchema = z
  .object({
    lab: NAME,
    view: z.enum(GRAPH_VIEWS),
    readAt: z.string().optional(),
    nodes: z.array(node).max(MAX_NODES),
    edges: z.array(edge).max(MAX_EDGES),
  })
  .superRefine((g, ctx) => {
    const ids = new Set(g.nodes.map((n) => n.id));
    g.edges.forEach((e, i) => {
      for (const end of ['from', 'to'] as const)
        if (!ids.has(e[end])) ctx.addIssue({ code: 'custom', path: ['edges', i, end], message: `no node "${e[end]}"` });
    });
  })
  .meta({ description: 'A graph of a lab, as `nvlab graph --format json` prints it' });

const point = z.object({ x: z.number(), y: z.number() });
const box = { x: z.number(), y: z.number(), width: z.number(), height: z.number() };

export const LaidOutGraphSchema = z
  .object({
    lab: NAME,
    view: z.enum(GRAPH_VIEWS),
    readAt: z.string().optional(),
    width: z.number(),
    height: z.number(),
    nodes: z.array(node.extend(box)),
    edges: z.array(edge.extend({ points: z.array(point), curved: z.boolean().optional(), labelAt: point.optional() })),
    groups: z.array(z.object({ world: z.enum(['physical', 'logical']), ...box })).optional(),
  })
  .meta({ description: 'A graph with where each node, edge, label and world is drawn (SVG user units)' });

// Compile-time: the schemas describe exactly the model's types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameGraph: Same<z.infer<typeof LabGraphSchema>, LabGraph> = true;
const sameLaidOut: Same<z.infer<typeof LaidOutGraphSchema>, LaidOutGraph> = true;
void [sameGraph, sameLaidOut];
