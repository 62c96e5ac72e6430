// The listening side: accepts switch connections (TCP, or TLS when given certificates), runs the
// handshake for each and keeps the live sessions. Many switches may be connected at once.
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { OpenFlowConnection, type ConnectionOptions } from './connection.ts';
import { OpenFlowTimeoutError } from './errors.ts';
import { handshakeRefusal, keepPeerAddress, peerAddress } from '../util/tls.ts';

export interface ControllerOptions extends ConnectionOptions {
  /** Listen with TLS using these options (key, cert, ca, requestCert, handshakeTimeout...). Plain
   *  TCP otherwise. Each switch's certificate common name is then its connection's peerCommonName. */
  tls?: TlsOptions;
}

export interface ControllerEvents {
  /** A switch finished the handshake (HELLO + FEATURES). */
  switch: [OpenFlowConnection];
  /** A connection that never completed the handshake. */
  handshakeError: [Error, OpenFlowConnection];
  /** A peer whose TLS handshake failed (no certificate, one of another authority, too slow),
   *  by its address; it never became a connection. */
  refused: [peer: string, reason: Error];
  error: [Error];
}

export class OpenFlowController extends EventEmitter<ControllerEvents> {
  private readonly server: Server;
  private readonly sessions = new Set<OpenFlowConnection>();
  /** Every socket, handshaking ones too: closing the controller drops them all. */
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ControllerOptions = {}) {
    super();
    const onSocket = (socket: Socket) => this.accept(socket);
    this.server = options.tls ? createTlsServer(options.tls, onSocket) : createServer(onSocket);
    this.server.on('connection', (socket: Socket) => {
      keepPeerAddress(socket);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      const { address = '?', port = '?' } = peerAddress(socket);
      const peer = `${address}:${port}`;
      socket.destroy();
      this.emit('refused', peer, new Error(`TLS: ${handshakeRefusal(err, socket)}`, { cause: err }));
    });
    this.server.on('error', (err) => this.emit('error', err));
  }

  /** Starts listening; port 0 picks a free port. Resolves with the bound port. */
  listen(port = 6653, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Sessions that completed the handshake and are still open. */
  get connections(): OpenFlowConnection[] {
    return [...this.sessions].filter((c) => c.isOpen && c.features !== undefined);
  }

  /** Resolves with the first ready session (optionally of one datapath) that is or becomes ready. */
  waitForSwitch(options: { datapathId?: bigint; timeout?: number; exclude?: OpenFlowConnection[] } = {}): Promise<OpenFlowConnection> {
    const fits = (c: OpenFlowConnection) =>
      (options.datapathId === undefined || c.datapathId === options.datapathId) && !options.exclude?.includes(c);
    const existing = this.connections.find(fits);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timeout = options.timeout ?? 30000;
      const timer = setTimeout(() => {
        this.off('switch', onSwitch);
        reject(new OpenFlowTimeoutError(`no switch connected within ${timeout} ms`));
      }, timeout);
      const onSwitch = (c: OpenFlowConnection) => {
        if (!fits(c)) return;
        clearTimeout(timer);
        this.off('switch', onSwitch);
        resolve(c);
      };
      this.on('switch', onSwitch);
    });
  }

  /** Stops listening and closes every session. */
  async close(): Promise<void> {
    for (const c of this.sessions) c.close();
    this.sessions.clear();
    // Sessions end gracefully within a second (connection.ts); peers still in their TLS handshake
    // would hold the server open until its timeout.
    const linger = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    clearTimeout(linger);
  }

  private accept(socket: Socket): void {
    const conn = new OpenFlowConnection(socket, this.options);
    this.sessions.add(conn);
    conn.on('disconnect', () => this.sessions.delete(conn));
    conn.ready.then(
      () => this.emit('switch', conn),
      (err: Error) => this.emit('handshakeError', err, conn),
    );
  }
}
