// Direct liveness links between members. A killed member's sockets close at once, so peers know
// within milliseconds. A partitioned one closes nothing: each link carries a tick that the peer
// echoes, and a link that has echoed nothing for DEAD_MS is dropped (TCP keepalive and OVS's
// inactivity probe both work in seconds; this is the detector partition failover waits for).
// Over TLS a link is only between members: each end shows its certificate of the controllers'
// authority, the accepting end takes only the members named, the connecting end only the one it
// meant to reach.
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import {
  clientTlsOptions,
  handshakeRefusal,
  keepPeerAddress,
  peerAddress,
  peerCommonName,
  refusedName,
  serverTlsOptions,
  type TlsCredentials,
} from '../../util/tls.ts';

export const LIVENESS_PORT = 6650;
/** How often a link ticks, and how long without an echo before the peer counts as gone. Six
 *  ticks per dead time: each tick is a write and a read on both ends, on every link, always. */
export const TICK_MS = 250;
export const DEAD_MS = 1500;

export interface LivenessOptions {
  /** Where this member listens, and its peers too (default LIVENESS_PORT). */
  port?: number;
  /** The address it listens on, and its links to peers leave from (default: all, and any). */
  host?: string;
  /** Every link over TLS with these credentials; `peerNames` are the members a link is taken from. */
  tls?: TlsCredentials;
}

export interface LivenessEvents {
  change: [];
  /** Over TLS, a link refused: a peer's handshake failed (no certificate, another authority's) or
   *  its certificate names no member, or the member reached is not the one meant. Said once per
   *  reason and peer while it lasts. */
  refused: [peer: string, reason: string];
}

export class Liveness extends EventEmitter<LivenessEvents> {
  private readonly up = new Set<string>();
  private readonly sockets = new Map<string, Socket>();
  /** Accepted links (and peers handshaking): dropped on close. */
  private readonly accepted = new Set<Socket>();
  private readonly lastRefusal = new Map<string, string>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly peers: Map<string, string>,
    private readonly tls: TlsCredentials | undefined,
    private readonly host: string | undefined,
  ) {
    super();
  }

  /** Listens for peers and keeps a link to every peer (name → address), reconnecting fast. */
  static async start(peers: Map<string, string>, options: LivenessOptions = {}): Promise<Liveness> {
    const { port = LIVENESS_PORT, host, tls } = options;
    // Accepted links only echo the connecting side's ticks back.
    const echo = (socket: Socket) => {
      socket.setNoDelay(true);
      socket.on('data', (tick) => socket.write(tick));
      socket.on('error', () => socket.destroy());
    };
    const server = tls ? createTlsServer(serverTlsOptions(tls)) : createServer(echo);
    const liveness = new Liveness(server, peers, tls, host);
    server.on('connection', (socket: Socket) => {
      keepPeerAddress(socket);
      liveness.accepted.add(socket);
      socket.once('close', () => liveness.accepted.delete(socket));
    });
    if (tls) {
      const peerOf = (socket: Socket) => peerAddress(socket).address ?? '?';
      server.on('secureConnection', (socket: TLSSocket) => {
        const why = refusedName(tls, peerCommonName(socket));
        if (why === undefined) return echo(socket);
        liveness.refuse(peerOf(socket), why);
        socket.destroy();
      });
      server.on('tlsClientError', (err, socket) => {
        liveness.refuse(peerOf(socket), `TLS: ${handshakeRefusal(err, socket)}`);
        socket.destroy();
      });
    }
    await new Promise<void>((resolve) => server.listen(port, host ?? '0.0.0.0', resolve));
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

  private refuse(peer: string, reason: string): void {
    if (this.lastRefusal.get(peer) === reason) return;
    this.lastRefusal.set(peer, reason);
    this.emit('refused', peer, reason);
  }

  private open(name: string, port: number): Socket {
    const to = { host: this.peers.get(name), port, ...(this.host ? { localAddress: this.host } : {}) };
    if (!this.tls) return createConnection(to);
    // The member it means to reach, and no other, even one of the same authority.
    const socket = tlsConnect({ ...to, ...clientTlsOptions({ ...this.tls, peerNames: [name] }) });
    // Between TCP's connect and TLS's, an error is the handshake's: the peer refused, or is not
    // who it should be. Before it, the peer is only away (said by nothing but its link).
    const refused = (err: Error) => this.refuse(name, `TLS: ${err.message}`);
    socket.once('connect', () => socket.once('error', refused));
    socket.once('secureConnect', () => {
      socket.off('error', refused);
      socket.write('.'); // the first echo says the peer took this end's certificate too
    });
    return socket;
  }

  private connect(name: string, port: number): void {
    if (this.closed) return;
    const socket = this.open(name, port);
    socket.setNoDelay(true);
    this.sockets.set(name, socket);
    // A peer is judged by its oldest tick not echoed yet, not by when it was last heard: after
    // this process itself stalled (a long GC, a burst of programming), the echoes of the ticks
    // sent before the stall are read first and the tick just sent is young, so a member's own
    // stall does not drop its links. Until the link is up, the connect itself is the oldest.
    const unanswered: number[] = [];
    let connecting: number | undefined = Date.now();
    // Also bounds the connect itself: a SYN to a cut-off peer is retried for minutes by TCP,
    // and a link that only comes back then would delay the heal.
    const ticker = setInterval(() => {
      if (socket.readyState === 'open') {
        socket.write('.');
        unanswered.push(Date.now());
      }
      // Judged after this turn's I/O, which reads the echoes that came meanwhile. The oldest
      // unanswered tick left one tick after the last echo: DEAD_MS after that echo in all.
      setImmediate(() => {
        const late =
          connecting !== undefined ? Date.now() - connecting > DEAD_MS : Date.now() - (unanswered[0] ?? Infinity) > DEAD_MS - TICK_MS;
        if (late) socket.destroy();
      });
    }, TICK_MS);
    const isUp = () => {
      if (this.up.has(name)) return;
      this.lastRefusal.delete(name);
      this.up.add(name);
      this.emit('change');
    };
    // Over TLS 1.3 the connecting end finishes its handshake before the peer has checked its
    // certificate: only the peer's first echo shows the link is up.
    const opened = () => {
      connecting = undefined;
      if (this.tls)
        unanswered.push(Date.now()); // the first '.', written on secureConnect
      else isUp();
    };
    socket.on(this.tls ? 'secureConnect' : 'connect', opened);
    socket.on('data', (echoes: Buffer) => {
      unanswered.splice(0, echoes.length);
      if (this.tls) isUp();
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
    for (const socket of this.accepted) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
