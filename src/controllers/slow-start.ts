// Upstream's slowStartBatch (pkg/controller/replicaset): a controller's creates go out in batches of
// 1, 2, 4, ... (each batch concurrently) and stop after the first batch with a failure, so a
// request that is bound to fail (quota, admission) fails once instead of hundreds of times.

/** controller.SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/**
 * slowStartBatch: calls fn count times in batches of 1, 2, 4, ... (each batch concurrently); stops
 * after the first batch with a failure. Returns the successes and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<[number, unknown]> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += batch - failures.length;
    if (failures.length > 0) return [successes, failures[0]?.reason];
    remaining -= batch;
  }
  return [successes, undefined];
}
