/// <reference lib="dom" />
// Where the console's graphs are laid out: by the member that served the page (POST
// /api/v1/graph/layout), which keeps its layouts, so a lab's graph is laid out once for every
// load and every person looking at it; where the member does not (an older member, a failure),
// in a worker (layout-worker.ts), started then; where no worker runs, in the page.
import { layoutGraph, type LabGraph, type LaidOutGraph } from '../graph/index.ts';
import { CONSOLE_FILES, GRAPH_LAYOUT_PATH } from '../model/api-paths.ts';
import { failureText, request } from './api.ts';
import type { LayoutReply, LayoutRequest } from './layout-worker.ts';

/** A large lab's first layout on a busy member takes seconds. */
const MEMBER_TIMEOUT_MS = 20_000;

interface Pending {
  resolve(laidOut: LaidOutGraph): void;
  reject(err: Error): void;
}

export type LayoutPlace = 'member' | 'worker' | 'page';

/** A layout worker, or undefined where none can start. */
class LayoutWorker {
  private readonly port: MessagePort;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  static start(): LayoutWorker | undefined {
    try {
      return new LayoutWorker(new Worker(CONSOLE_FILES.layoutWorker, { type: 'module' }));
    } catch {
      return undefined;
    }
  }

  private constructor(private readonly worker: Worker) {
    // The worker's end of the conversation is the other port of this channel (layout-worker.ts).
    const channel = new MessageChannel();
    worker.postMessage(channel.port2, [channel.port2]);
    this.port = channel.port1;
    this.port.onmessage = ({ data }: MessageEvent<LayoutReply>) => {
      const p = this.pending.get(data.id);
      this.pending.delete(data.id);
      if ('laidOut' in data) p?.resolve(data.laidOut);
      else p?.reject(new Error(data.error));
    };
    // A worker that cannot run (its script missing, a browser without module workers) fails what
    // it was asked; the page lays those out, and everything after.
    worker.onerror = (event) => {
      event.preventDefault();
      this.stop();
    };
  }

  get running(): boolean {
    return !this.stopped;
  }

  layout(graph: LabGraph): Promise<LaidOutGraph> {
    if (this.stopped) return Promise.reject(new Error('the layout worker stopped'));
    const id = this.next++;
    return new Promise<LaidOutGraph>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ id, graph } satisfies LayoutRequest);
    });
  }

  private stop(): void {
    this.stopped = true;
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('the layout worker stopped'));
    this.pending.clear();
  }
}

export class Layouts {
  private worker: LayoutWorker | undefined;
  private memberLays = true;
  /** Where the latest layout was made (the page says it on the graph, as `data-layout`). */
  lastWhere: LayoutPlace | undefined;
  /** Why the member did not lay out the latest graph it was asked (shown to nobody; tests read it). */
  memberFailure: string | undefined;

  async layout(graph: LabGraph): Promise<LaidOutGraph> {
    if (this.memberLays) {
      const answer = await request<LaidOutGraph>('POST', GRAPH_LAYOUT_PATH, graph, MEMBER_TIMEOUT_MS);
      if (answer.ok) return this.made('member', answer.body);
      this.memberFailure = failureText(answer);
      // A member that does not lay out graphs will not start to.
      if (answer.status === 404 || answer.status === 501) this.memberLays = false;
    }
    this.worker ??= LayoutWorker.start();
    if (this.worker?.running) {
      try {
        return this.made('worker', await this.worker.layout(graph));
      } catch {
        // laid out in the page
      }
    }
    return this.made('page', await layoutGraph(graph));
  }

  private made(where: LayoutPlace, laidOut: LaidOutGraph): LaidOutGraph {
    this.lastWhere = where;
    return laidOut;
  }
}
