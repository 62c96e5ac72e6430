// What the API listener takes from a client and how long it waits for it, so that a huge body, a
// slow or stalled client, or bytes that are not HTTP cost a member little and get a clear answer
// (docs/controller.md, "Limits"). Node's HTTP server applies them; fastify passes them on.
import http from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';
import type { ErrorBody } from './errors.ts';

export interface ApiLimits {
  /** The largest request body in bytes (413 above it); a route may take more (the graph layout). */
  bodyLimit: number;
  /** The whole request, headers and body, must arrive within this, or the client gets 408 and is
   *  cut off: a client sending a byte a second holds one socket for this long, no more. */
  requestTimeoutMs: number;
  /** A connection that sends nothing for this long is closed. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/** The request line and headers together (Node's default, made explicit): 431 above it. */
const MAX_HEADER_BYTES = 16 * 1024;

export const API_LIMITS: ApiLimits = {
  bodyLimit: 1024 * 1024,
  requestTimeoutMs: 15_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
};

/** The member's key and certificate (PEM; `cert` may hold the chain up to its authority, so
 *  that a client can tell the authority from what the member sends). */
export interface TlsMaterial {
  key: string;
  cert: string;
}

/** fastify's server options for `limits`, over HTTPS with `tls`. */
export function serverOptions(limits: ApiLimits, tls?: TlsMaterial): FastifyHttpOptions<http.Server> {
  const server: http.ServerOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: limits.requestTimeoutMs,
    // Node looks for requests past their time at this pace (its default, 30 s, would let a slow
    // client stay up to 30 s longer than requestTimeoutMs).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
  };
  // A TLS handshake gets no longer than a request (Node's default is 120 s): a client sending
  // its hello a byte a second holds a socket no longer over HTTPS than over HTTP.
  const secure: https.ServerOptions | undefined = tls && {
    ...server,
    key: tls.key,
    cert: tls.cert,
    handshakeTimeout: limits.requestTimeoutMs,
  };
  return {
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // fastify hands `https` to https.createServer, which takes the HTTP server's options too.
    ...(secure ? ({ https: secure } as object) : { http: server }),
    clientErrorHandler: answerClientError,
  };
}

/** Bytes that are not HTTP, headers too large, or a request past its time: answered in the API's
 *  error shape (instead of fastify's own) before the connection is closed. */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, body]: [number, ErrorBody] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, { error: 'request timeout', detail: 'the request did not arrive in time; the connection is closed' }]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, { error: 'headers too large', detail: `the request line and headers exceed ${MAX_HEADER_BYTES / 1024} KiB` }]
        : [400, { error: 'bad request', detail: `not an HTTP request this server can read (${err.code ?? err.message})` }];
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}
