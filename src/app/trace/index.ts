// The operations tools' trace (docs/operations.md): a packet's predicted path through a running
// lab, from the controller's logical state and the switches' real OpenFlow tables.
export { traceLab, labTracer, predictPath, traceRequest, labExec, type InjectTrace, type LabTracerOptions } from './tracer.ts';
export { traceResult, divergence } from './result.ts';
export { readLabView, labView, type LabView, type LabHost } from './lab-view.ts';
export { planTrace, type TracePlan } from './plan.ts';
export { NodeProbes, type NodeExec } from './node-probe.ts';
export { injectThroughApi } from './inject.ts';
