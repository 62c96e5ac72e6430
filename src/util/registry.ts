// Things looked up by name (node kinds by role, runtimes by name), built from one list given
// once, as containerlab registers its node kinds. The list's order is kept: callers that act
// kind by kind rely on it. A name listed twice is a mistake in that list and fails at once
// instead of silently replacing the first; an unknown name is an error that lists the known ones.
import { NvlabError } from './errors.ts';

export interface RegistryOptions {
  /** What an entry is, for messages: "node role", "runtime". */
  what: string;
  /** Error code of an unknown name. */
  unknownCode: string;
}

export class Registry<T> {
  private readonly byName = new Map<string, T>();

  constructor(
    entries: readonly T[],
    nameOf: (entry: T) => string,
    private readonly options: RegistryOptions,
  ) {
    for (const entry of entries) {
      const name = nameOf(entry);
      if (this.byName.has(name)) throw new NvlabError('DUPLICATE_REGISTRATION', `${options.what} '${name}' is registered twice`);
      this.byName.set(name, entry);
    }
  }

  get(name: string): T {
    const entry = this.byName.get(name);
    if (entry === undefined) {
      throw new NvlabError(this.options.unknownCode, `unknown ${this.options.what} '${name}' (known: ${this.names().join(', ')})`);
    }
    return entry;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Names in list order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Entries in list order. */
  entries(): T[] {
    return [...this.byName.values()];
  }
}
