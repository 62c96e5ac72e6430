// One HTTP exchange with one member, over HTTPS when the lab runs TLS: the client trusts the
// lab's controllers' authority alone (never any certificate at all) and checks that the member's
// certificate names the address it called; every request carries the lab's token and the name
// of the client, for the member's audit log.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AUTH_SCHEME, CLIENT_HEADER, PROGRESS_HEADER, type ApiCredentials, type ClientName } from '../model/index.ts';

/** How a client calls a lab's API: its credentials (without them, no token is sent and the API
 *  answers 401; with a `ca`, HTTPS trusting that authority alone) and the name it gives itself. */
export interface ApiAccess {
  credentials?: ApiCredentials | undefined;
  client?: ClientName | undefined;
}

export interface HttpRequest {
  ip: string;
  port: number;
  method: string;
  path: string;
  body?: string | undefined;
  /** More headers (the token and client name come from `access`). */
  headers?: Record<string, string>;
  /** The answer must come within this much silence. */
  timeoutMs: number;
  /** Connected within this (default timeoutMs). */
  connectTimeoutMs?: number;
  access?: ApiAccess | undefined;
}

export interface HttpAnswer {
  status: number;
  text: string;
  headers: IncomingHttpHeaders;
  /** The longest the member left the client without a byte (connecting, working, answering);
   *  each `102 Processing` it sends while it works ends a silence. */
  silenceMs: number;
  /** From the request to the end of the answer. */
  elapsedMs: number;
}

/** A member's certificate the client does not trust: not of the lab's authority, or not for the
 *  address called. Every member of a lab holds one of the same authority, so asking another, or
 *  again, changes nothing: the credentials this host holds are not this lab's. */
export class UntrustedCertificateError extends Error {
  readonly code = 'UNTRUSTED_CERTIFICATE';
}

const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// Connections are kept for the next request (an idle one does not keep the process alive), one
// pool per authority trusted. Plain node:http(s) rather than fetch: a request costs the caller
// about a millisecond of CPU instead of three, and the first one does not load undici (50 ms),
// which matters on a 2-core host where the lab's switches wait for the same CPU.
const plainAgent = new HttpAgent({ keepAlive: true });
const secureAgents = new Map<string, HttpsAgent>();

function secureAgent(ca: string): HttpsAgent {
  let agent = secureAgents.get(ca);
  if (!agent) secureAgents.set(ca, (agent = new HttpsAgent({ keepAlive: true, ca })));
  return agent;
}

function headersOf(r: HttpRequest): Record<string, string | number> {
  const { credentials, client } = r.access ?? {};
  return {
    ...(r.body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) }),
    ...(credentials?.token ? { authorization: `${AUTH_SCHEME} ${credentials.token}` } : {}),
    ...(client ? { [CLIENT_HEADER]: client } : {}),
    // Members say they are working on it while they do (src/controller/api/progress.ts).
    [PROGRESS_HEADER]: '1',
    ...r.headers,
  };
}

/** One exchange with one member, within `timeoutMs` of silence (and connected within
 *  `connectTimeoutMs`). */
export function send(r: HttpRequest): Promise<HttpAnswer> {
  const ca = r.access?.credentials?.ca;
  const connectTimeoutMs = r.connectTimeoutMs ?? r.timeoutMs;
  const started = performance.now();
  let last = started;
  let silenceMs = 0;
  // Anything from the member ends a silence.
  const heard = () => {
    const now = performance.now();
    silenceMs = Math.max(silenceMs, now - last);
    last = now;
  };
  return new Promise((resolve, reject) => {
    const options: RequestOptions = {
      host: r.ip,
      port: r.port,
      method: r.method,
      path: r.path,
      timeout: r.timeoutMs,
      headers: headersOf(r),
    };
    const onAnswer = (res: IncomingMessage) => {
      heard();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        heard();
        chunks.push(c);
      });
      res.on('end', () => {
        heard();
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers, silenceMs, elapsedMs: performance.now() - started });
      });
      res.on('error', reject);
    };
    const req = ca
      ? httpsRequest({ ...options, agent: secureAgent(ca) }, onAnswer)
      : httpRequest({ ...options, agent: plainAgent }, onAnswer);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)));
    req.on('information', heard);
    req.on('socket', (socket) => {
      // A kept-alive socket is connected already.
      if (!socket.connecting) return;
      const timer =
        connectTimeoutMs < r.timeoutMs
          ? setTimeout(() => req.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs)
          : undefined;
      socket.once('connect', () => {
        clearTimeout(timer);
        // The time to connect is not the member's silence (the connect time-out bounds it).
        last = performance.now();
      });
      socket.once('close', () => clearTimeout(timer));
    });
    req.on('error', (error: Error & { code?: string }) =>
      reject(
        error.code && CERTIFICATE_ERRORS.has(error.code)
          ? new UntrustedCertificateError(`its certificate is not trusted: ${error.message} (${error.code})`, { cause: error })
          : error,
      ),
    );
    req.end(r.body);
  });
}
