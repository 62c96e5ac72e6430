// The northbound API's security for tests, as deploy makes it for a lab: a controllers'
// authority (src/pki), a member's certificate for the address it serves on, and the lab's token;
// and one request to an API listener with what a client of ours sends (the token, the client's
// name, HTTPS trusting that authority alone), or without, as a stranger would call it.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TlsMaterial } from '../../src/controller/api/index.ts';
import type { ApiCredentials, ClientName } from '../../src/model/index.ts';
import { send } from '../../src/northbound-client/http-exchange.ts';
import { createAuthority, issueCertificate, type Authority } from '../../src/pki/index.ts';

export interface ApiSecurity {
  authority: Authority;
  /** The member's key and certificate (with the authority, as a member sends it). */
  tls: TlsMaterial;
  token: string;
  /** What a client of the lab holds: the token and the authority. */
  credentials: ApiCredentials;
}

/** A new lab's API security, its member certificate for `ip`. */
export async function testApiSecurity(ip = '127.0.0.1', name = 'test'): Promise<ApiSecurity> {
  const authority = await createAuthority(`nvlab ${name} controllers CA`);
  const member = await issueCertificate(authority, { commonName: 'ctrl1', ips: [ip] });
  const token = randomBytes(32).toString('base64url');
  return {
    authority,
    tls: { key: member.privateKey, cert: member.certificate + authority.certificate },
    token,
    credentials: { token, ca: authority.certificate },
  };
}

export interface ApiAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
  text: string;
}

export interface ApiRequestInit {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, as JSON (instead of `body`). */
  payload?: string | undefined;
  headers?: Record<string, string>;
  /** Sent as the bearer token (absent: none). */
  token?: string;
  /** HTTPS trusting this authority alone (absent: plain HTTP). */
  ca?: string;
  client?: ClientName;
}

/** One request to the API at `ip:port`: over HTTPS when the credentials carry an authority. */
export async function apiRequest(at: { ip?: string; port: number }, path: string, init: ApiRequestInit = {}): Promise<ApiAnswer> {
  const { status, text, headers } = await send({
    ip: at.ip ?? '127.0.0.1',
    port: at.port,
    method: init.method ?? 'GET',
    path,
    body: init.payload ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    ...(init.headers ? { headers: init.headers } : {}),
    timeoutMs: 10_000,
    access: { credentials: { token: init.token ?? '', ...(init.ca ? { ca: init.ca } : {}) }, client: init.client },
  });
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status, headers, body, text };
}
