// Backoff for deleting failed daemon pods (upstream's failedPodsBackoff, a flowcontrol.Backoff of
// 1 s doubling to 15 min): a kubelet that keeps rejecting a daemon pod must not make the controller
// delete and recreate it in a hot loop. Keyed by "<ds uid>/<observedGeneration>/<node>", so a new
// template starts afresh; entries idle for twice the maximum are forgotten (upstream's GC). In
// memory only; time from the injected clock.
import type { Clock } from "../../client/clock.js";

export const FAILED_POD_BACKOFF_INITIAL_MS = 1_000;
export const FAILED_POD_BACKOFF_MAX_MS = 15 * 60 * 1_000;

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export class FailedPodsBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly initialMs = FAILED_POD_BACKOFF_INITIAL_MS,
    private readonly maxMs = FAILED_POD_BACKOFF_MAX_MS,
  ) {}

  /** IsInBackOffSinceUpdate: the last deletion for key was less than its delay ago. */
  isInBackOff(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && this.clock.now() - entry.lastUpdateMs < entry.delayMs;
  }

  /** The current delay of key (0 when unknown). */
  delayMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** Next: records a deletion now, doubling the delay (or starting over after a long quiet). */
  next(key: string): void {
    this.gc();
    const now = this.clock.now();
    const entry = this.entries.get(key);
    const expired = entry === undefined || now - entry.lastUpdateMs > 2 * this.maxMs;
    const delayMs = expired ? this.initialMs : Math.min(entry.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, lastUpdateMs: now });
  }

  private gc(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) if (now - entry.lastUpdateMs > 2 * this.maxMs) this.entries.delete(key);
  }
}

export function failedPodsBackoffKey(dsUid: string, observedGeneration: number, nodeName: string): string {
  return `${dsUid}/${observedGeneration}/${nodeName}`;
}
