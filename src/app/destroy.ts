import { LABEL_LAB } from '../topology/plan-types.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { mapLimit } from '../util/pool.ts';
import { listLabs } from './labs.ts';

export interface DestroyReport {
  lab: string;
  containers: number;
  networks: number;
}

/** Removes every container and network labelled with this lab, and nothing else. */
export async function destroyLab(runtime: Runtime, lab: string, concurrency = 8): Promise<DestroyReport> {
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  await mapLimit(containers, concurrency, (c) => runtime.removeContainer(c.name));
  // Networks go last: Docker refuses to remove a network that still has endpoints.
  const networks = await runtime.listNetworks({ [LABEL_LAB]: lab });
  await mapLimit(networks, concurrency, (n) => runtime.removeNetwork(n.name));
  return { lab, containers: containers.length, networks: networks.length };
}

export async function destroyAllLabs(runtime: Runtime): Promise<DestroyReport[]> {
  const reports: DestroyReport[] = [];
  for (const lab of await listLabs(runtime)) reports.push(await destroyLab(runtime, lab));
  return reports;
}
