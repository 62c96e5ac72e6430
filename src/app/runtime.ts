import type { Runtime } from '../runtime/runtime.ts';
import { runtimes } from '../runtime/registry.ts';

/** The runtime labs run on: the one place that picks it among the registered ones
 *  (src/runtime/registry.ts). */
export const DEFAULT_RUNTIME = 'docker';

/** The default runtime, or the one named (an unknown name is an error listing the known ones).
 *  It is loaded on demand, so verbs that need no engine (validate, --help) start without the
 *  Docker client. */
export async function createRuntime(name: string = DEFAULT_RUNTIME): Promise<Runtime> {
  return runtimes.get(name).create();
}
