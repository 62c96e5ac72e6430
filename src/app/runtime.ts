import type { Runtime } from '../runtime/runtime.ts';

/** The runtime nvlab uses; the one place that picks an engine. Loaded on demand, so verbs that
 *  need no engine (validate, --help) start without the Docker client. */
export async function createRuntime(): Promise<Runtime> {
  const { DockerRuntime } = await import('../runtime/docker/docker-runtime.ts');
  return new DockerRuntime();
}
