// Injected traceflows through the northbound API: POST takes a trace request and answers at once
// with the trace's id (the members run it together through the store, traceflow/agent.ts); GET
// gives its state and, once it ended, the observed path and the passes it came from.
import { randomUUID } from 'node:crypto';
import { API_PREFIX, TraceflowCreatedSchema, TraceflowSchema, TraceRequestSchema, type Traceflow } from '../../model/index.ts';
import { NotFoundError, type TraceflowRecord } from '../store/index.ts';
import { planTrace } from '../traceflow/plan.ts';
import { parseBody } from './resource-routes.ts';
import type { ComponentSpec, RouteSpec } from './routes.ts';
import { NO_QUORUM_RESPONSE } from './errors.ts';

const PATH = `${API_PREFIX}/traceflows`;

export const TRACEFLOW_COMPONENTS: Record<string, ComponentSpec> = {
  // The request body: a TraceRequest (named as the API's other bodies are).
  TraceflowCreate: { schema: TraceRequestSchema, io: 'input' },
  Traceflow: { schema: TraceflowSchema, io: 'output' },
  TraceflowCreated: { schema: TraceflowCreatedSchema, io: 'output' },
};

export function traceflowBody(t: TraceflowRecord): Traceflow {
  const r = t.result;
  return {
    id: t.id,
    state: t.state,
    request: t.request,
    ...(r?.path ? { path: r.path } : {}),
    ...(r?.passes ? { passes: r.passes } : {}),
    ...(r?.error ? { error: r.error } : {}),
    ...(t.finished === undefined ? {} : { durationMs: Math.max(0, t.finished - t.created) }),
  };
}

export const TRACEFLOW_ROUTES: RouteSpec[] = [
  {
    method: 'POST',
    path: PATH,
    operationId: 'createTraceflow',
    summary: 'Inject a marked packet from a port or host and observe it on every node (it never reaches a VM)',
    tag: 'traceflows',
    body: 'TraceflowCreate',
    responses: {
      202: ['Accepted: the members run it; GET it for its state and path', 'TraceflowCreated'],
      400: ['Invalid request', 'ValidationError'],
      404: ['A port or host the request names does not exist', 'Error'],
      503: NO_QUORUM_RESPONSE,
    },
    handle: async (ctx) => {
      const request = parseBody(TraceRequestSchema, ctx.body);
      // Names the store does not know, or a trace that cannot be sent, are answered now.
      planTrace(request, { ports: ctx.store.listPorts(), switches: ctx.store.listSwitches(), routers: ctx.store.listRouters() });
      const id = randomUUID();
      await ctx.store.createTraceflow({ id, member: ctx.member, request, created: Date.now() });
      return { status: 202, body: { id, state: 'running' }, headers: { location: `${PATH}/${id}` } };
    },
  },
  {
    method: 'GET',
    path: `${PATH}/{id}`,
    operationId: 'getTraceflow',
    summary: 'A traceflow: running, then completed with its observed path, or failed naming who did not answer',
    tag: 'traceflows',
    responses: { 200: ['The traceflow', 'Traceflow'], 404: ['No such traceflow', 'Error'] },
    handle: (ctx) => {
      const id = ctx.params.id ?? '';
      const t = ctx.store.traceflows().find((x) => x.id === id);
      if (!t) throw new NotFoundError('traceflow', id);
      return { status: 200, body: traceflowBody(t) };
    },
  },
];
