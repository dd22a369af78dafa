// Test helper: collects one Store watch's events and lets a test wait, with a deadline, for a
// condition on them (no sleeps). Fails the wait early when the watch ends with an error.
import type { WatchEvent } from "../../src/storage/store.js";

const deadlineMs = 10_000;

/** Collects one watch's events and lets a test wait for a condition on them. */
export class Recorder {
  readonly events: WatchEvent[] = [];
  error: Error | undefined;
  private waiters: (() => void)[] = [];

  readonly callbacks = {
    onEvent: (event: WatchEvent): void => {
      this.events.push(event);
      this.wake();
    },
    onError: (err: Error): void => {
      this.error = err;
      this.wake();
    },
  };

  get revisions(): number[] {
    return this.events.map((e) => e.kv.modRevision);
  }

  /** Resolves once condition holds; fails after the deadline or when the watch fails unexpectedly. */
  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!condition()) {
      if (this.error && !condition()) throw new Error(`watch failed while waiting for ${what}: ${this.error.message}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  untilRevision(revision: number): Promise<void> {
    return this.until(() => this.events.some((e) => e.kv.modRevision >= revision), `revision ${revision}`);
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

