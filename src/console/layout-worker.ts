// The console's graph layout, in a worker (CONSOLE_FILES.layoutWorker): the layout engine loads,
// compiles and runs off the page's thread, so the page goes on reading the API and filling its
// lists meanwhile (a lab's first layout in the page took longer than all its reads).
// The page sends one message, a MessagePort, and asks for layouts on that port: ELK, once loaded
// in a worker, takes the worker's own onmessage for itself (it can run as a worker of its own),
// and leaves the port alone.
import { layoutGraph, type LabGraph, type LaidOutGraph } from '../graph/index.ts';

export interface LayoutRequest {
  id: number;
  graph: LabGraph;
}

export type LayoutReply = { id: number; laidOut: LaidOutGraph } | { id: number; error: string };

interface Port {
  onmessage: ((event: { data: LayoutRequest }) => void) | null;
  postMessage(reply: LayoutReply): void;
}

// The worker's own scope (typed here: the DOM and worker libraries cannot both be in the program).
const scope = globalThis as unknown as { onmessage: ((event: { data: Port }) => void) | null };

scope.onmessage = ({ data: port }) => {
  scope.onmessage = null;
  port.onmessage = ({ data: { id, graph } }) => {
    layoutGraph(graph).then(
      (laidOut) => port.postMessage({ id, laidOut }),
      (err: unknown) => port.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
    );
  };
};
