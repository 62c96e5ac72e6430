// Direct liveness links between members. A killed member's sockets close at once, so peers know
// within milliseconds. A partitioned one closes nothing: each link carries a tick that the peer
// echoes, and a link that has echoed nothing for DEAD_MS is dropped (TCP keepalive and OVS's
// inactivity probe both work in seconds; this is the detector partition failover waits for).
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export const LIVENESS_PORT = 6650;
/** How often a link ticks, and how long without an echo before the peer counts as gone. Six
 *  ticks per dead time: each tick is a write and a read on both ends, on every link, always. */
export const TICK_MS = 250;
export const DEAD_MS = 1500;

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
    // Accepted links only echo the connecting side's ticks back.
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      socket.on('data', (tick) => socket.write(tick));
      socket.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
    const liveness = new Liveness(server, peers);
    for (const name of peers.keys()) liveness.connect(name, port);
    return liveness;
  }

  /** Members in the cluster, this one included. */
  get clusterSize(): number {
    return this.peers.size + 1;
  }

  /** Peers whose link is up now. */
  upPeers(): string[] {
    return [...this.up].sort();
  }

  isUp(name: string): boolean {
    return this.up.has(name);
  }

  private connect(name: string, port: number): void {
    if (this.closed) return;
    const socket = createConnection({ host: this.peers.get(name), port });
    socket.setNoDelay(true);
    this.sockets.set(name, socket);
    let heard = Date.now();
    // Also bounds the connect itself: a SYN to a cut-off peer is retried for minutes by TCP,
    // and a link that only comes back then would delay the heal.
    const ticker = setInterval(() => {
      if (socket.readyState === 'open') socket.write('.');
      // Judged after this turn's I/O: when this process itself was stalled, the echoes that
      // arrived meanwhile are read first and do not count against the peer.
      setImmediate(() => {
        if (Date.now() - heard > DEAD_MS) socket.destroy();
      });
    }, TICK_MS);
    socket.on('connect', () => {
      heard = Date.now();
      this.up.add(name);
      this.emit('change');
    });
    socket.on('data', () => {
      heard = Date.now();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(ticker);
      if (this.up.delete(name)) this.emit('change');
      setTimeout(() => this.connect(name, port), TICK_MS);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
