// Watch fan-out shared by the Store backends. Each watch subscribes first, then replays history from
// its backend in chunks, then follows live events (kine's "subscribe, then replay" in
// pkg/logstructured/sqllog): every change after fromRevision arrives in revision order exactly once,
// including changes made while the replay runs. Callbacks never run inside watch() itself.
// A callback that throws ends its watch with onError(thatError); other watches are unaffected.
// Events are shared between watchers: consumers must not mutate them.
import type { WatchCallbacks, WatchEvent, WatchHandle } from "./store.js";

/** Where a watch reads the changes it missed. */
export interface HistorySource {
  /**
   * Changes to keys under prefix with revision > after, in revision order, at most limit of them.
   * Throws CompactedError when after is below the compacted revision.
   */
  history(prefix: string, after: number, limit: number): WatchEvent[] | Promise<WatchEvent[]>;
}

interface Watch {
  readonly prefix: string;
  readonly callbacks: WatchCallbacks;
  /** The revision of the last event delivered (or fromRevision). */
  last: number;
  live: boolean;
  stopped: boolean;
  /** Live events that arrived during the replay. */
  buffer: WatchEvent[];
}

export class Watchers {
  private readonly watches = new Set<Watch>();
  private queue: WatchEvent[] = [];
  private draining = false;

  constructor(private readonly source: HistorySource, private readonly chunk = 1000) {}

  get size(): number {
    return this.watches.size;
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): WatchHandle {
    const w: Watch = { prefix, callbacks, last: fromRevision, live: false, stopped: false, buffer: [] };
    this.watches.add(w);
    void this.replay(w).catch((err: unknown) => this.fail(w, err));
    return { stop: () => this.stop(w) };
  }

  /** Hands committed events (in revision order) to every watch. Re-entrant calls keep the order. */
  publish(events: readonly WatchEvent[]): void {
    for (const e of events) this.queue.push(e);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const event = this.queue[i] as WatchEvent;
        for (const w of this.watches) this.offer(w, event);
      }
    } finally {
      this.queue = [];
      this.draining = false;
    }
  }

  /** Ends every watch with onError(err), e.g. when the store closes. */
  failAll(err: Error): void {
    for (const w of [...this.watches]) this.fail(w, err);
  }

  private async replay(w: Watch): Promise<void> {
    for (;;) {
      const events = await this.source.history(w.prefix, w.last, this.chunk);
      if (w.stopped) return;
      for (const event of events) this.deliver(w, event);
      if (events.length < this.chunk || w.stopped) break;
      await nextTurn();
      if (w.stopped) return;
    }
    w.live = true;
    const buffered = w.buffer;
    w.buffer = [];
    for (const event of buffered) this.deliver(w, event);
  }

  private offer(w: Watch, event: WatchEvent): void {
    if (w.stopped || !event.kv.key.startsWith(w.prefix)) return;
    if (w.live) this.deliver(w, event);
    else w.buffer.push(event);
  }

  private deliver(w: Watch, event: WatchEvent): void {
    if (w.stopped || event.kv.modRevision <= w.last) return;
    w.last = event.kv.modRevision;
    try {
      w.callbacks.onEvent(event);
    } catch (err) {
      this.fail(w, err);
    }
  }

  private fail(w: Watch, err: unknown): void {
    if (w.stopped) return;
    this.stop(w);
    try {
      w.callbacks.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch (thrown) {
      // Like an EventEmitter listener: a throwing error handler is the consumer's bug, reported as
      // uncaught, never allowed to break the write that published the event.
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }

  private stop(w: Watch): void {
    w.stopped = true;
    w.buffer = [];
    this.watches.delete(w);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
