// TLS as OVS runs it, for the protocol libraries (ovsdb, openflow) and whoever configures them:
// both ends present a certificate and each accepts only certificates of the one authority it was
// given. OVS checks nothing more (no host names); a caller that knows who it expects names the
// peers it accepts (`peerNames`), and every connection tells who is at its other end (the common
// name of the certificate the peer presented).
import { TLSSocket, type ConnectionOptions, type PeerCertificate, type TlsOptions } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface TlsCredentials {
  /** This end's private key (PEM). */
  key: string | Buffer;
  /** This end's certificate (PEM), shown to the peer. */
  cert: string | Buffer;
  /** The authority (PEM) whose certificates are accepted from the peer, which must show one. */
  ca: string | Buffer;
  /** When given, a peer whose certificate's common name is not one of these is refused. */
  peerNames?: readonly string[];
  /** A peer that has not completed the handshake within this is dropped (ms, default 10 s). */
  handshakeTimeout?: number;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Why a peer showing a certificate of `commonName` is refused by name; undefined if it is not. */
export function refusedName(tls: TlsCredentials, commonName: string | undefined): string | undefined {
  if (!tls.peerNames || (commonName !== undefined && tls.peerNames.includes(commonName))) return undefined;
  const shown = commonName === undefined ? 'a certificate without one common name' : `the certificate of "${commonName}"`;
  return `peer shows ${shown}, not one of ${tls.peerNames.map((n) => `"${n}"`).join(', ')}`;
}

/** The listening side: a client certificate of `ca` is required. */
export function serverTlsOptions(tls: TlsCredentials): TlsOptions {
  return {
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: tls.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
  };
}

/** The connecting side: the server's certificate must be of `ca` and, with `peerNames`, name one. */
export function clientTlsOptions(tls: TlsCredentials): ConnectionOptions {
  return {
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    rejectUnauthorized: true,
    checkServerIdentity: (_host: string, cert: PeerCertificate) => {
      const why = refusedName(tls, certificateName(cert));
      return why === undefined ? undefined : new Error(why);
    },
  };
}

/**
 * The common name of the certificate the peer presented on `stream`; undefined on a plain
 * (non-TLS) stream, or when the certificate names no single common name (none, or several):
 * such a peer has no one identity to be taken for.
 */
export function peerCommonName(stream: Duplex): string | undefined {
  return stream instanceof TLSSocket ? certificateName(stream.getPeerCertificate()) : undefined;
}

/** A certificate's one common name (Node gives several as an array). */
function certificateName(cert: PeerCertificate | undefined): string | undefined {
  const cn: unknown = cert?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/**
 * Why a TLS server refused a peer before its handshake completed: the certificate check that
 * failed (OpenSSL's code, e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY` for another authority's), or
 * the handshake's own error (no certificate, a timeout, bytes that are not TLS).
 */
export function handshakeRefusal(error: Error, socket: Duplex): string {
  const code = socket instanceof TLSSocket ? socket.authorizationError : undefined;
  // OpenSSL's reason alone ("tlsv1 alert unknown ca"), without its file and line.
  const reason = (error as Error & { reason?: unknown }).reason;
  return code ? `certificate refused (${String(code)})` : typeof reason === 'string' ? reason : error.message.trim();
}

/**
 * Where a TLS server's peer is, also once its socket is gone (a handshake refused over the
 * peer's certificate destroys it before `tlsClientError`): the TCP socket under it keeps the
 * address, if it was read when the peer connected (`keepPeerAddress` on the server's
 * 'connection' event).
 */
export function peerAddress(socket: Socket): { address?: string; port?: number } {
  const tcp = (socket as Socket & { _parent?: Socket })._parent;
  const address = socket.remoteAddress ?? tcp?.remoteAddress;
  const port = socket.remotePort ?? tcp?.remotePort;
  return { ...(address ? { address } : {}), ...(port ? { port } : {}) };
}

/** Reads (and so keeps) a TCP socket's peer address: see peerAddress. */
export function keepPeerAddress(tcp: Socket): void {
  void tcp.remoteAddress;
}
