// Graph layouts in a child process, for a long-running Node program (a controller member lays out
// the console's graphs): ELK runs for up to seconds on a large graph, which the member's own event
// loop (leases, echoes, OpenFlow) must never wait for, and it runs at a lower priority than the
// member. The child is started on the first request, keeps what it laid out (the next request
// for the same shape is answered at once), and exits after a while without requests.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { LaidOutGraph } from './layout.ts';
import type { LabGraph } from './model.ts';

export interface LayoutRequestMessage {
  id: number;
  graph: LabGraph;
}

export type LayoutReplyMessage = { id: number; laidOut: LaidOutGraph } | { id: number; error: string };

export interface LayoutProcessOptions {
  /** The child's script (layout-process-main.ts, bundled). */
  script: string;
  /** The child exits after this long without a request (default 10 min). */
  idleMs?: number;
  /** Its niceness (default 10: below the member's work). */
  nice?: number;
  /** Node's options for it (default none: not the parent's; a member runs without V8's
   *  optimising compiler, which ELK needs). Tests run the TypeScript source with tsx. */
  execArgv?: string[];
}

export class LayoutProcess {
  private child: ChildProcess | undefined;
  private next = 1;
  private readonly pending = new Map<number, { child: ChildProcess; resolve(l: LaidOutGraph): void; reject(e: Error): void }>();
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly options: LayoutProcessOptions) {}

  layout(graph: LabGraph): Promise<LaidOutGraph> {
    const child = this.start();
    const id = this.next++;
    clearTimeout(this.idle);
    return new Promise<LaidOutGraph>((resolve, reject) => {
      this.pending.set(id, { child, resolve, reject });
      child.send({ id, graph } satisfies LayoutRequestMessage);
    }).finally(() => this.restIfIdle());
  }

  /** Its child is running (it has been asked something, and has not been idle long since). */
  get running(): boolean {
    return this.child !== undefined;
  }

  close(): void {
    clearTimeout(this.idle);
    this.child?.kill();
    this.child = undefined;
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(this.options.script, [], { execArgv: this.options.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    try {
      if (child.pid !== undefined) setPriority(child.pid, this.options.nice ?? 10);
    } catch {
      // Only its priority is lost.
    }
    child.on('message', (reply: LayoutReplyMessage) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('laidOut' in reply) p?.resolve(reply.laidOut);
      else p?.reject(new Error(reply.error));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      for (const [id, p] of this.pending) {
        if (p.child !== child) continue;
        this.pending.delete(id);
        p.reject(new Error(`the layout process ended (${signal ?? `exit code ${code}`})`));
      }
    });
    child.on('error', () => {}); // its exit says the rest
    return child;
  }

  private restIfIdle(): void {
    if (this.pending.size > 0) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.close(), this.options.idleMs ?? 600_000);
    this.idle.unref();
  }
}
