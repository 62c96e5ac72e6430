/// <reference lib="dom" />
// Where the console lays out its graphs: in a worker (layout-worker.ts) when the browser starts
// one, else in the page. The worker is started at once and given a small graph to lay out, so it
// loads and compiles the layout engine while the page reads the API: the lab's first layout does
// not pay for that (a cold first layout took several times longer than the next).
import { layoutGraph, type LabGraph, type LaidOutGraph } from '../graph/index.ts';
import { CONSOLE_FILES } from '../model/api-paths.ts';
import type { LayoutReply, LayoutRequest } from './layout-worker.ts';

const WARM_UP: LabGraph = {
  lab: 'warm-up',
  view: 'physical',
  nodes: ['a', 'b'].map((n) => ({ id: `transport-node:${n}`, kind: 'transport-node', name: n, world: 'physical', lines: [n], attrs: {} })),
  edges: [{ id: 'link:a:b', kind: 'link', from: 'transport-node:a', to: 'transport-node:b', attrs: {} }],
};

interface Pending {
  resolve(laidOut: LaidOutGraph): void;
  reject(err: Error): void;
}

export class Layouts {
  private worker: Worker | undefined;
  /** The worker's end of the conversation is the other port of this channel (layout-worker.ts). */
  private port: MessagePort | undefined;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  /** Where the latest layout was made (the page says it on the graph, as `data-layout`). */
  lastWhere: 'worker' | 'page' | undefined;

  constructor() {
    try {
      this.worker = new Worker(CONSOLE_FILES.layoutWorker, { type: 'module' });
    } catch {
      this.worker = undefined;
    }
    if (!this.worker) return;
    const channel = new MessageChannel();
    this.worker.postMessage(channel.port2, [channel.port2]);
    this.port = channel.port1;
    this.port.onmessage = ({ data }: MessageEvent<LayoutReply>) => {
      const p = this.pending.get(data.id);
      this.pending.delete(data.id);
      if ('laidOut' in data) p?.resolve(data.laidOut);
      else p?.reject(new Error(data.error));
    };
    // A worker that cannot run (its script missing, a browser without module workers): the page
    // lays out what it had asked, and everything after.
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.worker?.terminate();
      this.worker = undefined;
      this.port = undefined;
      for (const p of this.pending.values()) p.reject(new Error('the layout worker stopped'));
      this.pending.clear();
    };
    void this.layout(WARM_UP).catch(() => {});
  }

  layout(graph: LabGraph): Promise<LaidOutGraph> {
    const inPage = () => layoutGraph(graph).finally(() => (this.lastWhere = 'page'));
    const port = this.port;
    if (!port) return inPage();
    const id = this.next++;
    return new Promise<LaidOutGraph>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      port.postMessage({ id, graph } satisfies LayoutRequest);
    }).then((laidOut) => {
      this.lastWhere = 'worker';
      return laidOut;
    }, inPage);
  }
}
