// Time for the controller kit: "now" and one-shot timers, injected through constructors so tests
// drive time by hand (test/client/fake-clock.ts) instead of sleeping. The real clock is Date.now
// and Node's timers; its timers are unref'd so a pending backoff never keeps a process alive.

/** An opaque timer handle, only ever passed back to the clock that made it. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls fn once, after ms milliseconds (at once for ms <= 0, but never synchronously). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Resolves after ms on the clock, or at once when the signal aborts (the sleeper checks the signal
 * afterwards): how the kit's loops wait between retries without leaking timers when stopped.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve();
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
