// Per-item retry delays for the work queue, as client-go's util/workqueue rate limiters: a per-item
// exponential backoff (failures double the delay up to a cap; forget resets it), an overall token
// bucket (a shared qps with a burst), and the maximum of several. The controller default combines
// 5 ms → 1000 s per item with 10 qps / burst 100 overall, as upstream's DefaultControllerRateLimiter.
// Memory is one entry per item currently failing; forget drops it.
import type { Clock } from "./clock.js";

export interface RateLimiter<K> {
  /** How long to wait before retrying item; counts as one more failure of it. */
  when(item: K): number;
  /** The item succeeded: stop tracking it (resets its backoff). */
  forget(item: K): void;
  /** How many times the item has failed since it was last forgotten. */
  numRequeues(item: K): number;
}

export interface ExponentialBackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay = base × 2^failures, capped at max (upstream ItemExponentialFailureRateLimiter). */
export class ExponentialBackoffLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(private readonly options: ExponentialBackoffOptions) {}

  when(item: K): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    // 2^exp overflows long before it matters; the cap also keeps the arithmetic finite.
    const delay = this.options.baseDelayMs * Math.pow(2, exp);
    return Number.isFinite(delay) ? Math.min(delay, this.options.maxDelayMs) : this.options.maxDelayMs;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Bucket size: how many items may go at once after a quiet spell. */
  burst: number;
  clock: Clock;
}

/**
 * One shared bucket for all items (upstream BucketRateLimiter over golang.org/x/time/rate): each
 * `when` reserves a token, possibly in the future, and returns the wait until it is available.
 */
export class TokenBucketLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.tokens = options.burst;
    this.last = options.clock.now();
  }

  when(_item: K): number {
    const now = this.options.clock.now();
    const refill = (Math.max(0, now - this.last) * this.options.qps) / 1000;
    this.tokens = Math.min(this.options.burst, this.tokens + refill);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.options.qps;
  }

  forget(_item: K): void {}

  numRequeues(_item: K): number {
    return 0;
  }
}

/** The longest delay of several limiters (upstream MaxOfRateLimiter). */
export class MaxOfLimiter<K> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(item: K): number {
    let delay = 0;
    for (const limiter of this.limiters) delay = Math.max(delay, limiter.when(item));
    return delay;
  }

  forget(item: K): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  numRequeues(item: K): number {
    let n = 0;
    for (const limiter of this.limiters) n = Math.max(n, limiter.numRequeues(item));
    return n;
  }
}

/** Upstream's DefaultControllerRateLimiter: 5 ms doubling to 1000 s per item, 10 qps burst 100 overall. */
export function defaultControllerRateLimiter<K>(clock: Clock): RateLimiter<K> {
  return new MaxOfLimiter<K>(
    new ExponentialBackoffLimiter<K>({ baseDelayMs: 5, maxDelayMs: 1000_000 }),
    new TokenBucketLimiter<K>({ qps: 10, burst: 100, clock }),
  );
}
