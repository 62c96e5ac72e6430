// Labs as the runtime sees them: found by ownership labels alone, so these work after a crash
// and without the topology file.
import type { ContainerInfo, NetworkInfo, Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { LABEL_LAB, LABEL_NETWORK, LABEL_NODE } from '../model/index.ts';

/** Names of the labs that own at least one container or network on this host. */
export async function listLabs(runtime: Runtime): Promise<string[]> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: '' }),
    runtime.listNetworks({ [LABEL_LAB]: '' }),
  ]);
  const names = new Set([...containers, ...networks].map((r) => r.labels[LABEL_LAB] ?? ''));
  names.delete('');
  return [...names].sort();
}

export async function labExists(runtime: Runtime, lab: string): Promise<boolean> {
  const [containers, networks] = await Promise.all([
    runtime.listContainers({ [LABEL_LAB]: lab }),
    runtime.listNetworks({ [LABEL_LAB]: lab }),
  ]);
  return containers.length + networks.length > 0;
}

/** The container of one node of a lab (a transport node, host or controller member), by name. */
export async function nodeContainer(runtime: Runtime, lab: string, node: string): Promise<ContainerInfo> {
  const [found] = await runtime.listContainers({ [LABEL_LAB]: lab, [LABEL_NODE]: node });
  if (!found) throw new NvlabError('NO_NODE', `lab ${lab} has no node ${node}`, { exitCode: 2 });
  return found;
}

/** A lab's networks, looked up by key (mgmt, underlay, phys:NAME); an unknown key throws NO_NETWORK. */
export async function labNetworks(runtime: Runtime, lab: string): Promise<(key: string) => NetworkInfo> {
  const networks = await runtime.listNetworks({ [LABEL_LAB]: lab });
  return (key) => {
    const found = networks.find((n) => n.labels[LABEL_NETWORK] === key);
    if (!found) throw new NvlabError('NO_NETWORK', `lab ${lab} has no ${key} network`, { exitCode: 2 });
    return found;
  };
}
