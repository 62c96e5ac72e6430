// The passive side: `ptcp:PORT[:IP]`, `pssl:PORT[:IP]` or `punix:PATH`, where ovsdb-servers
// connect to us as their manager; every accepted connection is its own JSON-RPC connection.
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { OvsdbConnectionError, OvsdbRemoteError } from './errors.ts';
import { JsonRpcConnection, type JsonRpcConnectionOptions } from './jsonrpc.ts';
import { isSecure, parseRemote } from './remote.ts';
import { handshakeRefusal, keepPeerAddress, peerAddress, refusedName, serverTlsOptions, type TlsCredentials } from '../util/tls.ts';

export interface ListenerOptions extends JsonRpcConnectionOptions {
  /** This end's certificate and the authority every peer's must be of: required by pssl:. */
  tls?: TlsCredentials;
}

export interface PeerAddress {
  remoteAddress?: string;
  remotePort?: number;
}

export interface ListenerEvents {
  connection: [JsonRpcConnection, PeerAddress];
  /** A peer that never became a connection: its TLS handshake failed (no certificate, one of
   *  another authority, too slow) or its certificate names none of `tls.peerNames`. */
  refused: [peer: string, reason: Error];
  error: [Error];
}

/**
 * A passive endpoint. Point ovsdb-servers at it with `ovs-vsctl set-manager tcp:IP:PORT` (or
 * `ssl:IP:PORT` for pssl:); each one that connects arrives as a `connection` event, its
 * certificate's common name in `connection.peerCommonName`.
 */
export class OvsdbListener extends EventEmitter<ListenerEvents> {
  private readonly connections = new Set<JsonRpcConnection>();
  /** Every socket, handshaking ones too: closing the listener drops them all. */
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly remote: string,
  ) {
    super();
  }

  static async listen(remote: string, options: ListenerOptions = {}): Promise<OvsdbListener> {
    const r = parseRemote(remote);
    if (r.kind !== 'ptcp' && r.kind !== 'pssl' && r.kind !== 'punix') throw new OvsdbRemoteError(`"${remote}" is not a passive remote`);
    if (isSecure(r) && !options.tls) throw new OvsdbRemoteError(`"${remote}" needs TLS credentials (options.tls)`);
    const tls = r.kind === 'pssl' ? options.tls : undefined;
    const server = tls ? createTlsServer(serverTlsOptions(tls)) : createServer();
    const listener = new OvsdbListener(server, remote);
    const peerOf = (socket: Socket) => {
      const { address, port } = peerAddress(socket);
      return address ? `${remote}<-${address}:${port}` : `${remote}<-peer`;
    };
    server.on('connection', (socket: Socket) => {
      keepPeerAddress(socket);
      listener.sockets.add(socket);
      socket.once('close', () => listener.sockets.delete(socket));
      if (r.kind !== 'punix') socket.setNoDelay(true);
      if (!tls) listener.announce(listener.accept(socket, peerOf(socket), options), socket);
    });
    if (tls) {
      server.on('secureConnection', (socket: TLSSocket) => {
        const conn = listener.accept(socket, peerOf(socket), options);
        const why = refusedName(tls, conn.peerCommonName);
        if (why) {
          conn.close(new OvsdbConnectionError(`${conn.name}: ${why}`));
          listener.emit('refused', conn.name, new OvsdbConnectionError(why));
          return;
        }
        listener.announce(conn, socket);
      });
      server.on('tlsClientError', (err, socket) => {
        const peer = peerOf(socket);
        socket.destroy();
        listener.emit('refused', peer, new OvsdbConnectionError(`TLS: ${handshakeRefusal(err, socket)}`, { cause: err }));
      });
    }
    server.on('error', (err) => {
      if (listener.listenerCount('error') > 0) listener.emit('error', err);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(new OvsdbConnectionError(`cannot listen on ${remote}: ${cause.message}`, { cause })));
      if (r.kind === 'punix') server.listen(r.path, () => resolve());
      else server.listen(r.port, r.host ?? '0.0.0.0', () => resolve());
    });
    return listener;
  }

  private accept(socket: Socket, name: string, options: ListenerOptions): JsonRpcConnection {
    const { tls: _tls, ...rpc } = options;
    const conn = new JsonRpcConnection(socket, { ...rpc, name });
    this.connections.add(conn);
    conn.once('close', () => this.connections.delete(conn));
    return conn;
  }

  private announce(conn: JsonRpcConnection, socket: Socket): void {
    this.emit('connection', conn, {
      ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}),
      ...(socket.remotePort ? { remotePort: socket.remotePort } : {}),
    });
  }

  /** The bound TCP port (useful with `ptcp:0:127.0.0.1`). */
  get port(): number | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** Stops listening and closes every accepted connection, and drops peers still handshaking. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
