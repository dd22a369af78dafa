// The controllers' work queue, with client-go util/workqueue's guarantees:
// - a key is never handed to two workers at once: `get` marks it processing until `done`;
// - adding a key that is already queued collapses into the queued one (fair FIFO otherwise);
// - adding a key while it is processing marks it dirty; `done` puts it back in the queue once;
// - `addAfter` delays an add (a key waiting twice keeps the earlier time); `addRateLimited` delays
//   by the rate limiter (per-key exponential backoff under a shared token bucket by default) and
//   `forget` resets the key's backoff;
// - `shutDown` drops what is queued and waiting, resolves pending `get`s with undefined (workers
//   exit) and ignores later adds. Unlike client-go's ShutDown, queued keys are not drained: the
//   kit's controllers are level-based and see every object again when they next start.
// Memory is proportional to the keys queued, processing, waiting or failing.
import { type Clock, realClock, type TimerHandle } from "./clock.js";
import { defaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

export interface WorkQueueOptions<K> {
  /** Time for addAfter and the rate limiter; the real clock by default. */
  clock?: Clock;
  /** How addRateLimited delays; defaultControllerRateLimiter by default. */
  rateLimiter?: RateLimiter<K>;
}

interface Waiting {
  readyAt: number;
  timer: TimerHandle;
}

export class WorkQueue<K = string> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  /** FIFO of queued keys; `head` is the next one (shifting arrays is O(n)). */
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, Waiting>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private stopped = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Queues key unless it is already queued; if it is processing it is queued again after `done`. */
  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  /** Adds key after ms; if the key is already waiting, the earlier of the two times wins. */
  addAfter(key: K, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds key after the rate limiter's delay for it (one more failure of the key). */
  addRateLimited(key: K): void {
    if (this.stopped) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** The key succeeded: reset its backoff. It does not remove a queued or waiting key. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  /** How many times key was rate-limited since it was last forgotten. */
  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, waiting for one if needed; undefined once the queue is shut down.
   * The caller must call `done(key)` when finished with it.
   */
  get(): Promise<K | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Processing of key finished: if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.stopped || !this.dirty.has(key)) return;
    this.queue.push(key);
    this.handOut();
  }

  /** Workers exit: pending and later `get`s resolve undefined; timers are cancelled. */
  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  /** Keys queued and not yet handed out (not counting processing or waiting ones). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Keys handed out and not yet done. */
  processingCount(): number {
    return this.processing.size;
  }

  /** Keys waiting for an addAfter or addRateLimited delay. */
  waitingCount(): number {
    return this.waiting.size;
  }

  /** Gives queued keys to waiting getters, oldest first on both sides. */
  private handOut(): void {
    while (this.getters.length > 0 && this.len() > 0) {
      const resolve = this.getters.shift();
      resolve?.(this.take());
    }
  }

  private take(): K | undefined {
    if (this.len() === 0) return undefined;
    const key = this.queue[this.head] as K;
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
