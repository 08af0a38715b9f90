/**
 * Run `work` over `items` with at most `limit` in flight, keeping the input order in the result.
 *
 * On the first failure no further item is started, and the call settles only once every item already
 * started has finished, then rejects with that first error. A publisher that gives up must not leave
 * writes running behind its back: they would land after it let the lease go.
 */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure) throw failure.error;
  return results;
}
