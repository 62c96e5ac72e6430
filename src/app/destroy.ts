import type { Runtime } from '../runtime/runtime.ts';
import { mapLimit } from '../util/pool.ts';
import { listLabs } from './labs.ts';
import { removeLabState } from './lab-state.ts';
import { LABEL_LAB } from '../model/index.ts';

export interface DestroyReport {
  lab: string;
  containers: number;
  networks: number;
}

/** Removes every container and network labelled with this lab, then its state directory on this
 *  host (token, authorities) when it has one, and nothing else. */
export async function destroyLab(runtime: Runtime, lab: string, concurrency = 8): Promise<DestroyReport> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    runtime.listNetworks({ [LABEL_LAB]: lab }),
  ]);
  await mapLimit(containers, concurrency, (c) => runtime.removeContainer(c.name));
  // Networks go last: a network cannot go while nodes are still plugged into it (and in some
  // runtimes it is already gone with them).
  await mapLimit(networks, concurrency, (n) => runtime.removeNetwork(n.name));
  // Last: a lab whose nodes could not all be removed is still there, with its token and authorities.
  await removeLabState(lab);
  return { lab, containers: containers.length, networks: networks.length };
}

export async function destroyAllLabs(runtime: Runtime): Promise<DestroyReport[]> {
  const reports: DestroyReport[] = [];
  for (const lab of await listLabs(runtime)) reports.push(await destroyLab(runtime, lab));
  return reports;
}
