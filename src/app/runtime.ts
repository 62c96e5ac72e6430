import { DockerRuntime } from '../runtime/docker/docker-runtime.ts';
import type { Runtime } from '../runtime/runtime.ts';

/** The runtime nvlab uses; the one place that picks an engine. */
export function createRuntime(): Runtime {
  return new DockerRuntime();
}
