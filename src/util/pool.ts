// Runs `worker` over `items` with at most `limit` in flight. On the first failure no new item
// starts; the items already running finish, then the first error is thrown.
export async function mapLimit<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await worker(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
  return results;
}

/** The first item (in finishing order) for which `test` holds, with at most `limit` tests in
 *  flight; no new test starts once one has held. Undefined when none holds. */
export async function findLimit<T>(items: readonly T[], limit: number, test: (item: T) => Promise<boolean>): Promise<T | undefined> {
  let next = 0;
  let found: { item: T } | undefined;
  const lane = async () => {
    while (found === undefined && next < items.length) {
      const item = items[next++] as T;
      if (await test(item)) found ??= { item };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return found?.item;
}
