// The Docker runtime as the runtime registry knows it: a name, and a factory that loads the
// runtime (and with it dockerode) only when a lab needs it.
import type { RuntimeRegistration } from '../registry.ts';

export const dockerRuntime: RuntimeRegistration = {
  name: 'docker',
  create: async () => new (await import('./docker-runtime.ts')).DockerRuntime(),
};
