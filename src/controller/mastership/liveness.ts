// Direct liveness links between members. A killed member's sockets close at once, so peers know
// within milliseconds; a partitioned one is caught by the store lease instead (see docs).
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export const LIVENESS_PORT = 6650;

export interface LivenessEvents {
  change: [];
}

export class Liveness extends EventEmitter<LivenessEvents> {
  private readonly up = new Set<string>();
  private readonly sockets = new Map<string, Socket>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly peers: Map<string, string>,
  ) {
    super();
  }

  /** Listens for peers and keeps a link to every peer (name → address), reconnecting fast. */
  static async start(peers: Map<string, string>, port = LIVENESS_PORT): Promise<Liveness> {
    // Accepted links are only held open: their closing is what the peer's side observes.
    const server = createServer((socket) => socket.on('error', () => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
    const liveness = new Liveness(server, peers);
    for (const name of peers.keys()) liveness.connect(name, port);
    return liveness;
  }

  isUp(name: string): boolean {
    return this.up.has(name);
  }

  private connect(name: string, port: number): void {
    if (this.closed) return;
    const socket = createConnection({ host: this.peers.get(name), port });
    socket.setKeepAlive(true, 1000);
    this.sockets.set(name, socket);
    socket.on('connect', () => {
      this.up.add(name);
      this.emit('change');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.up.delete(name)) this.emit('change');
      setTimeout(() => this.connect(name, port), 100);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
