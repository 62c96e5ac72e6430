// `nvlab exec TARGET`: a node runs the command in its container, a port (a VM) inside its network
// namespace on whichever hypervisor hosts it now (ports migrate, so it is looked up, not stored).
import type { ContainerInfo, Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { listLabs } from './labs.ts';
import { findLimit } from '../util/pool.ts';
import { LABEL_LAB, LABEL_NODE, LABEL_ROLE } from '../model/index.ts';

export interface ExecTarget {
  lab: string;
  container: string;
  /** Wraps a command so that it runs where the target lives. */
  wrap(cmd: string[]): string[];
}

/** The lab meant when none is named: the only one deployed. */
export async function defaultLab(runtime: Runtime): Promise<string> {
  const labs = await listLabs(runtime);
  if (labs.length === 1) return labs[0] as string;
  if (labs.length === 0) throw new NvlabError('NO_LAB', 'no lab is deployed', { exitCode: 2 });
  throw new NvlabError('AMBIGUOUS_LAB', `several labs are deployed (${labs.join(', ')}); name one with --lab`, {
    exitCode: 2,
  });
}

export async function resolveExecTarget(runtime: Runtime, target: string, lab?: string): Promise<ExecTarget> {
  const labName = lab ?? (await defaultLab(runtime));
  const [node] = await runtime.listContainers({ [LABEL_LAB]: labName, [LABEL_NODE]: target });
  if (node) return { lab: labName, container: node.name, wrap: (cmd) => cmd };
  const hypervisors = await runtime.listContainers({ [LABEL_LAB]: labName, [LABEL_ROLE]: 'hypervisor' });
  const host = await findHost(runtime, hypervisors, target);
  if (host) return { lab: labName, container: host.name, wrap: (cmd) => ['ip', 'netns', 'exec', target, ...cmd] };
  throw new NvlabError('NO_TARGET', `lab ${labName} has no node or port named ${target}`, { exitCode: 2 });
}

/** Hypervisors asked at once: all 200 of a lab asked at once got no answer within a minute on a
 *  loaded host. */
const PROBES_AT_ONCE = 16;

/** The hypervisor holding the VM namespace `target`, asked a few at a time until one has it. */
function findHost(runtime: Runtime, hypervisors: readonly ContainerInfo[], target: string): Promise<ContainerInfo | undefined> {
  return findLimit(hypervisors, PROBES_AT_ONCE, async (hv) => {
    const probe = await runtime.exec(hv.name, ['test', '-e', `/var/run/netns/${target}`]).catch(() => undefined);
    return probe?.exitCode === 0;
  });
}
