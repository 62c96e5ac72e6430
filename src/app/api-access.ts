// How the owner of a lab reaches its northbound API: the token and the authority kept in the lab's
// state on this host (readable by root only), each member's URL, and a command that works as is.
import { join } from 'node:path';
import { API_PORT, API_PREFIX, type ApiCredentials } from '../model/index.ts';
import { STATE_FILES, labStateDir, readApiCredentials } from './lab-state.ts';

export interface ApiAccess {
  /** Where this host keeps the lab's token and authorities. */
  stateDir: string;
  /** Whether the lab's control channels run TLS; absent when this host holds no state for it. */
  tls?: boolean;
  /** The token every API call carries (`Authorization: Bearer <token>`). */
  token?: string;
  /** The controllers' authority, which a client checks members' certificates with (TLS only). */
  caFile?: string;
  /** Each member's API (none when the lab's state is not at hand). */
  urls: string[];
  /** A command asking a member for the cluster's status. */
  example?: string;
  /** Why there is no token: no state on this host, or state this user cannot read. */
  note?: string;
}

/** Access to a lab's API from its credentials (undefined: this host holds none) and members. */
export function describeApiAccess(stateDir: string, credentials: ApiCredentials | undefined, memberIps: readonly string[]): ApiAccess {
  // Without state the scheme is unknown (a lab deployed before lab state spoke plain HTTP).
  if (!credentials) return { stateDir, urls: [], note: `no token on this host (the lab has no state in ${stateDir})` };
  const tls = credentials.ca !== undefined;
  const urls = memberIps.map((ip) => `${tls ? 'https' : 'http'}://${ip}:${API_PORT}`);
  const caFile = tls ? join(stateDir, STATE_FILES.controllersCa) : undefined;
  const example = urls[0]
    ? [
        'curl',
        ...(caFile ? ['--cacert', caFile] : []),
        '-H',
        `"Authorization: Bearer ${credentials.token}"`,
        `${urls[0]}${API_PREFIX}/status`,
      ].join(' ')
    : undefined;
  return { stateDir, tls, token: credentials.token, ...(caFile ? { caFile } : {}), urls, ...(example ? { example } : {}) };
}

/** How to reach `lab`'s API from this host, its members being at `memberIps`. */
export async function labApiAccess(lab: string, memberIps: readonly string[]): Promise<ApiAccess> {
  const stateDir = labStateDir(lab);
  try {
    return describeApiAccess(stateDir, await readApiCredentials(lab), memberIps);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EACCES' ? 'readable by root only' : String((error as Error).message);
    return { stateDir, urls: [], note: `the lab's state in ${stateDir} could not be read: ${reason}` };
  }
}
