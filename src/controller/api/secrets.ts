// What a member's API takes from its container (put there by deploy): the lab's token, always,
// and when the lab runs TLS the member's key and certificate and the controllers' authority
// (read once for every channel by tls/member-tls.ts). The member serves HTTPS with them and calls its peers with the same token, trusting
// that authority alone.
import { readFile } from 'node:fs/promises';
import { API_TOKEN_FILE, type ApiCredentials } from '../../model/index.ts';
import type { MemberTls } from '../tls/member-tls.ts';
import type { TlsMaterial } from './limits.ts';

export interface ApiSecrets {
  token: string;
  /** Absent without TLS: the API is plain HTTP (still with the token). */
  tls?: TlsMaterial;
  /** How this member calls its peers' APIs. */
  credentials: ApiCredentials;
}

async function read(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // A member without it would serve an open API, or none: it does not start.
    throw new Error(`the member's ${what} (${path}) cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** The API's secrets: the token read from `tokenFile`, and the TLS material the member read
 *  for every channel (tls/member-tls.ts), or none when the lab runs in the clear. */
export async function readApiSecrets(
  tls: Pick<MemberTls, 'key' | 'cert' | 'controllersCa'> | undefined,
  tokenFile = API_TOKEN_FILE,
): Promise<ApiSecrets> {
  const token = (await read(tokenFile, 'API token')).trim();
  if (!token) throw new Error(`the member's API token (${tokenFile}) is empty`);
  if (!tls) return { token, credentials: { token } };
  // The chain up to the authority: a client (a browser told to trust the lab's authority by its
  // key) sees the authority in what the member sends.
  const ca = tls.controllersCa;
  return { token, tls: { key: tls.key, cert: `${tls.cert.trimEnd()}\n${ca}` }, credentials: { token, ca } };
}
