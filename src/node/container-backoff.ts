// CrashLoopBackOff as the kubelet keeps it (flowcontrol.Backoff keyed by pod and container): the
// first restart is immediate; after each later exit the container waits 10 s, doubling to 300 s,
// counted from when it exited. An exit more than 10 minutes after the last restart starts again
// from nothing. Times come from the caller, so tests need no clock.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  delayMs: number;
  /** When the exit that last set the delay happened. */
  lastExitMs: number;
}

export class ContainerBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  /**
   * Whether a container that exited at `finishedAtMs` may restart at `nowMs`: 0 means restart now
   * (and the next delay is recorded), otherwise the milliseconds still to wait.
   */
  restartDelay(key: string, finishedAtMs: number, nowMs: number): number {
    const entry = this.entries.get(key);
    if (!entry || finishedAtMs - entry.lastExitMs > 2 * this.maxMs) {
      this.entries.set(key, { delayMs: this.initialMs, lastExitMs: finishedAtMs });
      return 0;
    }
    const remaining = entry.delayMs - (nowMs - finishedAtMs);
    if (remaining > 0) return remaining;
    entry.delayMs = Math.min(entry.delayMs * 2, this.maxMs);
    entry.lastExitMs = finishedAtMs;
    return 0;
  }

  /** The delay now in force, for messages ("back-off 20s restarting failed container=..."). */
  currentDelayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? this.initialMs;
  }

  /** Forgets every key starting with the prefix (a pod's uid when the pod is gone). */
  forget(keyPrefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(keyPrefix)) this.entries.delete(key);
  }
}
