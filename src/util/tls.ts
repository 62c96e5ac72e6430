// Who is at the other end of a TLS connection, for the protocol libraries (ovsdb, openflow) that
// tell a peer by the common name of the certificate it presented.
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

/**
 * The common name of the certificate the peer presented on `stream`; undefined on a plain
 * (non-TLS) stream, or when the certificate names no single common name (none, or several):
 * such a peer has no one identity to be taken for.
 */
export function peerCommonName(stream: Duplex): string | undefined {
  if (!(stream instanceof TLSSocket)) return undefined;
  const cn: unknown = stream.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : undefined;
}

/**
 * Why a TLS server refused a peer before its handshake completed: the certificate check that
 * failed (OpenSSL's code, e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY` for another authority's), or
 * the handshake's own error (no certificate, a timeout, bytes that are not TLS).
 */
export function handshakeRefusal(error: Error, socket: Duplex): string {
  const code = socket instanceof TLSSocket ? socket.authorizationError : undefined;
  return code ? `certificate refused (${String(code)})` : error.message.trim();
}
