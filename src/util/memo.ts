// A function's results remembered by key, for pure functions called far more often than their
// inputs change (hashes of names). Bounded: keys come and go over a long run, so the cache is
// emptied once it holds `max` of them.
export function memoize<V>(compute: (key: string) => V, max = 100_000): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      if (cache.size >= max) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}

/** A function of one immutable object, computed once per object (kept while the object lives):
 *  what every node's computation derives from one logical state. */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
