// What a member's API takes from its container (put there by deploy): the lab's token, always,
// and when the lab runs TLS (NVLAB_TLS=1) the member's key and certificate and the controllers'
// authority. The member serves HTTPS with them and calls its peers with the same token, trusting
// that authority alone.
import { readFile } from 'node:fs/promises';
import { API_TOKEN_FILE, PKI_FILES, TLS_ENV, type ApiCredentials } from '../../model/index.ts';
import type { TlsMaterial } from './limits.ts';

export interface ApiSecrets {
  token: string;
  /** Absent without TLS: the API is plain HTTP (still with the token). */
  tls?: TlsMaterial;
  /** How this member calls its peers' APIs. */
  credentials: ApiCredentials;
}

export interface SecretFiles {
  token: string;
  key: string;
  certificate: string;
  controllersCa: string;
}

const FILES: SecretFiles = { token: API_TOKEN_FILE, ...PKI_FILES };

async function read(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // A member without them would serve an open API, or none: it does not start.
    throw new Error(`the member's ${what} (${path}) cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

export async function readApiSecrets(env: NodeJS.ProcessEnv = process.env, files: SecretFiles = FILES): Promise<ApiSecrets> {
  const token = (await read(files.token, 'API token')).trim();
  if (!token) throw new Error(`the member's API token (${files.token}) is empty`);
  if (env[TLS_ENV] !== '1') return { token, credentials: { token } };
  const [key, certificate, ca] = await Promise.all([
    read(files.key, 'TLS key'),
    read(files.certificate, 'certificate'),
    read(files.controllersCa, "controllers' authority"),
  ]);
  // The chain up to the authority: a client (a browser told to trust the lab's authority by its
  // key) sees the authority in what the member sends.
  return { token, tls: { key, cert: `${certificate.trimEnd()}\n${ca}` }, credentials: { token, ca } };
}
