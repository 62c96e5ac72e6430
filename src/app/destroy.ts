import type { Runtime } from '../runtime/runtime.ts';
import { mapLimit } from '../util/pool.ts';
import { listLabs } from './labs.ts';
import { removeLabState } from './lab-state.ts';
import { LABEL_LAB, LABEL_ROLE } from '../model/index.ts';
import type { ResourceInfo } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';

/** Some of a lab's containers could not be removed: named, the lab's state kept. */
export class DestroyError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('DESTROY', message, options);
  }
}

export interface DestroyReport {
  lab: string;
  containers: number;
  networks: number;
}

/** How many times removing a container is tried before destroy gives up on it: under load an
 *  engine may time out killing one (200 nodes going at once). */
const REMOVE_ATTEMPTS = 3;

/**
 * Removes every container and network labelled with this lab, then its state directory on this
 * host (token, authorities) when it has one, and nothing else. Controller members go first: left
 * running, they would chase every switch that goes away and take the CPU the engine needs to
 * remove the rest. Every container is tried, each up to REMOVE_ATTEMPTS times; those still
 * there are named in the error, and the lab's state is kept.
 */
export async function destroyLab(runtime: Runtime, lab: string, concurrency = 8): Promise<DestroyReport> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    runtime.listNetworks({ [LABEL_LAB]: lab }),
  ]);
  const members = containers.filter((c) => c.labels[LABEL_ROLE] === 'controller');
  const rest = containers.filter((c) => c.labels[LABEL_ROLE] !== 'controller');
  const left = [...(await removeAll(runtime, members, concurrency)), ...(await removeAll(runtime, rest, concurrency))];
  if (left.length > 0) {
    const names = left.map(({ container }) => container.name);
    const first = left[0]?.error;
    throw new DestroyError(
      `destroy ${lab}: ${names.length} container(s) could not be removed (${names.join(', ')}): ${first instanceof Error ? first.message : String(first)}`,
      { cause: first },
    );
  }
  // Networks go last: a network cannot go while nodes are still plugged into it (and in some
  // runtimes it is already gone with them).
  await mapLimit(networks, concurrency, (n) => runtime.removeNetwork(n.name));
  // Last: a lab whose nodes could not all be removed is still there, with its token and authorities.
  await removeLabState(lab);
  return { lab, containers: containers.length, networks: networks.length };
}

/** Removes each container, trying again those the engine failed to remove; returns those left. */
async function removeAll(
  runtime: Runtime,
  containers: readonly ResourceInfo[],
  concurrency: number,
): Promise<{ container: ResourceInfo; error: unknown }[]> {
  let left = containers.map((container) => ({ container, error: undefined as unknown }));
  for (let attempt = 0; attempt < REMOVE_ATTEMPTS && left.length > 0; attempt++) {
    const outcomes = await mapLimit(left, concurrency, async ({ container }) => {
      try {
        await runtime.removeContainer(container.name);
        return undefined;
      } catch (error) {
        return { container, error };
      }
    });
    left = outcomes.filter((o) => o !== undefined);
  }
  return left;
}

export async function destroyAllLabs(runtime: Runtime): Promise<DestroyReport[]> {
  const reports: DestroyReport[] = [];
  for (const lab of await listLabs(runtime)) reports.push(await destroyLab(runtime, lab));
  return reports;
}
