// The node image: built from the repository's Dockerfile, tagged with a hash of the Dockerfile
// and everything it copies, so a changed image rebuilds and an unchanged one is reused.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { NvlabError } from '../../util/errors.ts';
import { projectRoot } from '../../util/paths.ts';

export const IMAGE_REPOSITORY = 'nvlab/node';
/** Where no registry serves debian:bookworm-slim, scripts/debian-base.sh builds this instead. */
export const OFFLINE_BASE = 'nvlab/debian:bookworm';
const REGISTRY_BASE = 'debian:bookworm-slim';
const PULL_TIMEOUT_MS = 30_000;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)])),
  );
  return nested.flat();
}

/** nvlab/node:<hash of Dockerfile, .dockerignore and image/>. */
export async function nodeImageTag(root = projectRoot): Promise<string> {
  const files = [join(root, 'Dockerfile'), join(root, '.dockerignore'), ...(await filesUnder(join(root, 'image')))];
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash
      .update(relative(root, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return `${IMAGE_REPOSITORY}:${hash.digest('hex').slice(0, 12)}`;
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** A base for the Dockerfile's FROM: the registry's when it can be had, else one built offline. */
async function ensureBase(docker: Docker, log: (line: string) => void): Promise<string> {
  if (await imageExists(docker, OFFLINE_BASE)) return OFFLINE_BASE;
  if (await imageExists(docker, REGISTRY_BASE)) return REGISTRY_BASE;
  log(`pulling ${REGISTRY_BASE}`);
  const pulled = await execa('docker', ['pull', '-q', REGISTRY_BASE], { reject: false, timeout: PULL_TIMEOUT_MS });
  if (pulled.exitCode === 0) return REGISTRY_BASE;
  log(`no registry serves ${REGISTRY_BASE}; building ${OFFLINE_BASE} with debootstrap`);
  const built = await execa('bash', [join(projectRoot, 'scripts/debian-base.sh'), OFFLINE_BASE], {
    reject: false,
    all: true,
  });
  if (built.exitCode !== 0) {
    throw new NvlabError('IMAGE_BUILD', `could not build the offline base image ${OFFLINE_BASE}:\n${tail(built.all)}`, {
      exitCode: 2,
    });
  }
  return OFFLINE_BASE;
}

function tail(text: string | undefined, lines = 20): string {
  return (text ?? '').split('\n').slice(-lines).join('\n');
}

/** Returns the node image tag, building the image first when it is absent (or when `rebuild`). */
export async function ensureNodeImage(
  docker: Docker,
  options: { onProgress?: (line: string) => void; rebuild?: boolean } = {},
): Promise<string> {
  const log = options.onProgress ?? (() => {});
  const tag = await nodeImageTag();
  if (!options.rebuild && (await imageExists(docker, tag))) return tag;
  const base = await ensureBase(docker, log);
  log(`building ${tag} on ${base}`);
  const build = execa('docker', ['build', '--build-arg', `BASE=${base}`, '-t', tag, projectRoot], {
    reject: false,
    all: true,
    env: { DOCKER_BUILDKIT: '0' },
  });
  build.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.startsWith('Step ')) log(line.trim());
  });
  const result = await build;
  if (result.exitCode !== 0) {
    throw new NvlabError('IMAGE_BUILD', `docker build of ${tag} failed:\n${tail(result.all)}`, { exitCode: 2 });
  }
  await removeSupersededImages(docker, tag);
  return tag;
}

/** Older node images are ours to remove once a new one is built; one still in use stays. */
async function removeSupersededImages(docker: Docker, current: string): Promise<void> {
  const images = await docker.listImages({ filters: { reference: [IMAGE_REPOSITORY] } });
  for (const tag of images.flatMap((image) => image.RepoTags ?? [])) {
    if (tag !== current && tag.startsWith(`${IMAGE_REPOSITORY}:`)) {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => {});
    }
  }
}
