// Runtimes by name, each created by a factory that loads its engine's client on demand, so a
// verb that needs no engine (validate, --help) starts without it. Another runtime is a folder
// beside docker/ with its registration, and one entry in `runtimes`.
import { Registry } from '../util/registry.ts';
import { dockerRuntime } from './docker/registration.ts';
import type { Runtime } from './runtime.ts';

export interface RuntimeRegistration {
  /** What users and the default name it by. */
  readonly name: string;
  /** Loads the runtime's module and makes a runtime. */
  create(): Promise<Runtime>;
}

/** Every runtime nvlab can use; a name listed twice fails at load. */
export const runtimes = new Registry<RuntimeRegistration>([dockerRuntime], (r) => r.name, {
  what: 'runtime',
  unknownCode: 'UNKNOWN_RUNTIME',
});
