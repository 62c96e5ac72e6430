// A lab's own state on the host: its certificate authorities and its API token, in a directory
// only root reads (`/var/lib/nvlab/labs/<lab>`, or under NVLAB_STATE_DIR), made at deploy and
// removed with the lab. Everything else about a lab is found from the runtime by label.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LabSecrets } from '../nodes/index.ts';
import { LAB_NAME_PATTERN, type ApiCredentials } from '../model/index.ts';
import { UsageError } from '../util/errors.ts';

export const STATE_FILES = {
  token: 'api-token',
  controllersCa: 'controllers-ca.pem',
  controllersCaKey: 'controllers-ca.key',
  nodesCa: 'nodes-ca.pem',
  nodesCaKey: 'nodes-ca.key',
} as const;

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The state directory of `lab`. A name that cannot be a lab's is refused, so that no path
 *  built here ever leaves the labs' directory (`..`, slashes). */
export function labStateDir(lab: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!LAB_NAME_PATTERN.test(lab)) throw new UsageError(`${JSON.stringify(lab)} is not a lab name (expected [a-z][a-z0-9-]{0,19})`);
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

/** How a client calls the API of the lab these secrets are of: its token, and its controllers'
 *  authority when it runs TLS (what readApiCredentials reads back from the state). */
export function apiCredentialsOf(secrets: LabSecrets): ApiCredentials {
  return { token: secrets.apiToken, ...(secrets.authorities ? { ca: secrets.authorities.controllers.certificate } : {}) };
}

/** A fresh API token: 32 random bytes, base64url (43 characters, safe in a header and a shell). */
export function newApiToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Makes `lab`'s state afresh (a leftover of a lab of that name that is gone is replaced): a new
 * API token, always, and with `tls` the lab's two authorities. Directory 0700, files 0600.
 * Returns what the node kinds need to give the lab's nodes their secrets.
 */
export async function createLabState(lab: string, options: { tls: boolean }): Promise<LabSecrets> {
  const dir = labStateDir(lab);
  await mkdir(dirname(dir), { recursive: true, mode: DIR_MODE });
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: DIR_MODE });
  await chmod(dir, DIR_MODE); // exact, whatever the umask
  const secrets: LabSecrets = { apiToken: newApiToken() };
  const files: [string, string][] = [[STATE_FILES.token, `${secrets.apiToken}\n`]];
  if (options.tls) {
    // The x509 library is loaded only here (~200 ms): other commands and labs without TLS skip it.
    const { createAuthority } = await import('../pki/index.ts');
    const [controllers, nodes] = await Promise.all([
      createAuthority(`nvlab ${lab} controllers CA`),
      createAuthority(`nvlab ${lab} transport nodes CA`),
    ]);
    secrets.authorities = { controllers, nodes };
    files.push(
      [STATE_FILES.controllersCa, controllers.certificate],
      [STATE_FILES.controllersCaKey, controllers.privateKey],
      [STATE_FILES.nodesCa, nodes.certificate],
      [STATE_FILES.nodesCaKey, nodes.privateKey],
    );
  }
  for (const [name, content] of files) {
    // `wx`: the directory is new, so a file already there (or a link planted) is an error.
    await writeFile(join(dir, name), content, { mode: FILE_MODE, flag: 'wx' });
    await chmod(join(dir, name), FILE_MODE);
  }
  return secrets;
}

/** What `lab`'s state holds for its nodes (a transport node added later gets its certificate from
 *  it), or undefined when this host holds none (a lab deployed before lab state existed). */
export async function readLabSecrets(lab: string): Promise<LabSecrets | undefined> {
  const dir = labStateDir(lab);
  const texts = await Promise.all(Object.values(STATE_FILES).map((name) => readOptional(join(dir, name))));
  const [token, controllersCa, controllersKey, nodesCa, nodesKey] = texts;
  if (token === undefined) return undefined;
  if (!controllersCa || !controllersKey || !nodesCa || !nodesKey) return { apiToken: token.trim() };
  return {
    apiToken: token.trim(),
    authorities: {
      controllers: { certificate: controllersCa, privateKey: controllersKey },
      nodes: { certificate: nodesCa, privateKey: nodesKey },
    },
  };
}

/** Whether this host holds state for `lab` (false for a name that cannot be a lab's). */
export async function hasLabState(lab: string): Promise<boolean> {
  if (!LAB_NAME_PATTERN.test(lab)) return false;
  return stat(labStateDir(lab)).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Removes `lab`'s state directory and nothing else; true when there was one. */
export async function removeLabState(lab: string): Promise<boolean> {
  if (!(await hasLabState(lab))) return false;
  await rm(labStateDir(lab), { recursive: true, force: true });
  return true;
}
