// A lab's own state on the host: its certificate authorities and its API token, in a directory
// only root reads (`/var/lib/nvlab/labs/<lab>`, or under NVLAB_STATE_DIR), made at deploy and
// removed with the lab. Everything else about a lab is found from the runtime by label.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiCredentials } from '../model/index.ts';

export const STATE_FILES = {
  token: 'api-token',
  controllersCa: 'controllers-ca.pem',
  controllersCaKey: 'controllers-ca.key',
  nodesCa: 'nodes-ca.pem',
  nodesCaKey: 'nodes-ca.key',
} as const;

/** The state directory of `lab`. */
export function labStateDir(lab: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.NVLAB_STATE_DIR || '/var/lib/nvlab', 'labs', lab);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** How to call `lab`'s API (its token, and its controllers' authority when it runs TLS), or
 *  undefined when this host holds no state for it (a lab deployed elsewhere, or before tokens). */
export async function readApiCredentials(lab: string): Promise<ApiCredentials | undefined> {
  const dir = labStateDir(lab);
  const [token, ca] = await Promise.all([readOptional(join(dir, STATE_FILES.token)), readOptional(join(dir, STATE_FILES.controllersCa))]);
  if (token === undefined) return undefined;
  return { token: token.trim(), ...(ca ? { ca } : {}) };
}
