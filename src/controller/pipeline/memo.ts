// What one node's previous computation built, so that the next one hands back the very same
// objects for what did not change. A master recomputes all of a node's flows on every change (a
// port anywhere on a switch changes every node of that switch), and most of them come out equal:
// reused objects keep their canonical keys (normalize.ts) and `reconcile` skips them by identity,
// so a change costs what changed, not the size of the node.

/**
 * Objects by recipe: a string naming every input the object is built from, so that equal recipes
 * build equal objects. Only what the last computation asked for is kept.
 */
export class PipelineMemo {
  private previous = new Map<string, unknown>();
  private current = new Map<string, unknown>();

  /** The object built last time for `recipe`, or a new one. */
  reuse<T>(recipe: string, build: () => T): T {
    let value = this.current.get(recipe) as T | undefined;
    if (value === undefined) {
      value = (this.previous.get(recipe) as T | undefined) ?? build();
      this.current.set(recipe, value);
    }
    return value;
  }

  /** What was built for `recipe`, without building it. */
  peek<T>(recipe: string): T | undefined {
    return (this.current.get(recipe) ?? this.previous.get(recipe)) as T | undefined;
  }

  /** Drops what was built for `recipe` (a patch took it out). */
  forget(recipe: string): void {
    this.current.delete(recipe);
    this.previous.delete(recipe);
  }

  /** Ends a computation: what it did not ask for is forgotten. */
  done(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}
