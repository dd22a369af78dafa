// Automatic compaction for any Store, like kine's compactor and etcd's --auto-compaction-retention:
// every intervalMs it compacts the history that is older than BOTH the last keepRevisions revisions
// and the last keepMs milliseconds, so a watch or a paginated list can resume within either window.
// Compaction always keeps the latest value of every live key. The timer is unref'd: it never keeps
// the process alive.
import type { Store } from "./store.js";

export interface CompactionOptions {
  /** How often to compact (default 60 s). */
  intervalMs?: number;
  /** Keep at least this many recent revisions (default 1000). */
  keepRevisions?: number;
  /** Keep at least this much recent history (default 5 minutes); 0 keeps by revisions only. */
  keepMs?: number;
}

export const defaultCompaction: Required<CompactionOptions> = { intervalMs: 60_000, keepRevisions: 1000, keepMs: 300_000 };

export interface CompactorOptions extends CompactionOptions {
  now?: () => number;
  /** Told about a failed run; the compactor keeps running. */
  onError?: (err: unknown) => void;
}

type Compactable = Pick<Store, "currentRevision" | "compactedRevision" | "compact">;

interface Sample {
  time: number;
  revision: number;
}

export class Compactor {
  private readonly options: Required<CompactionOptions>;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  /** (time, revision) observations, oldest first; the first is the newest one older than keepMs. */
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly store: Compactable, options: CompactorOptions = {}) {
    this.options = {
      intervalMs: options.intervalMs ?? defaultCompaction.intervalMs,
      keepRevisions: options.keepRevisions ?? defaultCompaction.keepRevisions,
      keepMs: options.keepMs ?? defaultCompaction.keepMs,
    };
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? ((err) => console.error("kubelite storage compactor:", err));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch(this.onError);
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One run: records the current revision, compacts when the window allows. Resolves with the revision compacted to, or 0. */
  tick(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const now = this.now();
    const revision = await this.store.currentRevision();
    this.samples.push({ time: now, revision });
    const target = Math.min(revision - this.options.keepRevisions, this.revisionAt(now - this.options.keepMs, revision));
    if (target <= 0 || target <= (await this.store.compactedRevision())) return 0;
    await this.store.compact(target);
    return target;
  }

  /** The latest revision observed at or before time (0 when none is that old). */
  private revisionAt(time: number, current: number): number {
    if (this.options.keepMs <= 0) return current;
    while (this.samples.length > 1 && (this.samples[1] as Sample).time <= time) this.samples.shift();
    const oldest = this.samples[0];
    return oldest && oldest.time <= time ? oldest.revision : 0;
  }
}
