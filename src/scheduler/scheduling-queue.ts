// The scheduling queue (upstream's PriorityQueue): pending pods wait in activeQ ordered by priority
// then arrival; a pod that failed waits out its backoff (1 s doubling to 10 s per attempt) in
// backoffQ; an unschedulable pod waits among the unschedulable pods until a cluster event (a node
// added or changed, a pod deleted) might make it fit, or at the latest a minute later. A pod is
// handed to one scheduling cycle at a time; an update while it is in flight re-queues it after.
import type { Clock, TimerHandle } from "../client/clock.js";
import type { Pod } from "./api-types.js";

export interface QueuedPod {
  pod: Pod;
  key: string;
  /** Scheduling attempts so far (1 on the first pop). */
  attempts: number;
  /** When the pod first entered the queue (ms): upstream's tie-breaker after priority. */
  timestamp: number;
}

export interface SchedulingQueueOptions {
  clock: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long an unschedulable pod waits without any cluster event before it is tried again. */
  maxUnschedulableMs?: number;
}

export class SchedulingQueue {
  private readonly active = new PodHeap();
  private readonly backoff = new Map<string, { entry: QueuedPod; timer: TimerHandle }>();
  private readonly unschedulable = new Map<string, { entry: QueuedPod; since: number }>();
  /** Pods handed to a cycle: the update that came meanwhile, null when deleted meanwhile, undefined when neither. */
  private readonly inFlight = new Map<string, Pod | null | undefined>();
  private readonly known = new Map<string, QueuedPod>();
  private waiters: ((entry: QueuedPod | undefined) => void)[] = [];
  private flushTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly options: SchedulingQueueOptions) {
    this.scheduleFlush();
  }

  /** A pending pod (new or updated). */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.set(key, pod);
      return;
    }
    const existing = this.known.get(key);
    if (existing) {
      // Only a change to what scheduling reads (spec, labels, annotations) may make it fit now;
      // status updates, such as our own Unschedulable condition, do not (upstream isPodUpdated).
      const changed = schedulingInputsChanged(existing.pod, pod);
      existing.pod = pod;
      if (changed && this.unschedulable.has(key)) this.moveToActiveOrBackoff(key);
      return;
    }
    const entry: QueuedPod = { pod, key, attempts: 0, timestamp: this.options.clock.now() };
    this.known.set(key, entry);
    this.pushActive(entry);
  }

  /** The pod is gone or no longer pending. */
  delete(key: string): void {
    this.known.delete(key);
    this.active.remove(key);
    const waiting = this.backoff.get(key);
    if (waiting) this.options.clock.clearTimeout(waiting.timer);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    if (this.inFlight.has(key)) this.inFlight.set(key, null);
  }

  /** The next pod to schedule; resolves undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const next = this.takeActive();
    if (next || this.closed) return Promise.resolve(next);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The cycle for this pod ended: bound (forget it) or to be retried (after backoff, or when the cluster changes). */
  done(key: string, outcome: "bound" | "unschedulable" | "error"): void {
    const updated = this.inFlight.get(key);
    this.inFlight.delete(key);
    const entry = this.known.get(key);
    if (!entry || updated === null) return this.forget(key);
    if (updated) entry.pod = updated;
    if (outcome === "bound") return this.forget(key);
    if (outcome === "unschedulable" && !updated) {
      this.unschedulable.set(key, { entry, since: this.options.clock.now() });
      return;
    }
    this.toBackoff(entry);
  }

  /** A cluster event that may let unschedulable pods fit: they go back to be tried (after their backoff). */
  moveAllToActiveOrBackoff(): void {
    for (const key of [...this.unschedulable.keys()]) this.moveToActiveOrBackoff(key);
  }

  get pendingCount(): number {
    return this.known.size;
  }

  close(): void {
    this.closed = true;
    if (this.flushTimer) this.options.clock.clearTimeout(this.flushTimer);
    for (const { timer } of this.backoff.values()) this.options.clock.clearTimeout(timer);
    for (const wake of this.waiters.splice(0)) wake(undefined);
  }

  private forget(key: string): void {
    this.known.delete(key);
  }

  private moveToActiveOrBackoff(key: string): void {
    const waiting = this.unschedulable.get(key);
    if (!waiting) return;
    this.unschedulable.delete(key);
    this.toBackoff(waiting.entry);
  }

  private toBackoff(entry: QueuedPod): void {
    const initial = this.options.initialBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, initial * 2 ** Math.max(0, entry.attempts - 1));
    const timer = this.options.clock.setTimeout(() => {
      this.backoff.delete(entry.key);
      if (this.known.get(entry.key) === entry) this.pushActive(entry);
    }, delay);
    this.backoff.set(entry.key, { entry, timer });
  }

  private pushActive(entry: QueuedPod): void {
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.start(entry));
    this.active.push(entry);
  }

  private takeActive(): QueuedPod | undefined {
    const entry = this.active.pop();
    return entry ? this.start(entry) : undefined;
  }

  private start(entry: QueuedPod): QueuedPod {
    entry.attempts += 1;
    this.inFlight.set(entry.key, undefined);
    return entry;
  }

  /** Unschedulable pods that waited past maxUnschedulableMs are tried again (upstream flushUnschedulablePodsLeftover). */
  private scheduleFlush(): void {
    const max = this.options.maxUnschedulableMs ?? 60_000;
    this.flushTimer = this.options.clock.setTimeout(() => {
      const now = this.options.clock.now();
      for (const [key, { since }] of [...this.unschedulable]) if (now - since >= max) this.moveToActiveOrBackoff(key);
      if (!this.closed) this.scheduleFlush();
    }, Math.min(max, 30_000));
  }
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}

function schedulingInputsChanged(a: Pod, b: Pod): boolean {
  const inputs = (p: Pod) => JSON.stringify([p.spec, p.metadata?.labels, p.metadata?.annotations]);
  return inputs(a) !== inputs(b);
}

function priorityOf(entry: QueuedPod): number {
  return (entry.pod.spec as { priority?: number } | undefined)?.priority ?? 0;
}

/** Higher priority first, then earlier arrival. */
function before(a: QueuedPod, b: QueuedPod): boolean {
  const pa = priorityOf(a);
  const pb = priorityOf(b);
  return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
}

/** A binary heap of queued pods with removal by key (lazy: removed keys are skipped on pop). */
class PodHeap {
  private readonly items: QueuedPod[] = [];
  private readonly removed = new Set<string>();
  private readonly present = new Set<string>();

  push(entry: QueuedPod): void {
    this.removed.delete(entry.key);
    if (this.present.has(entry.key)) return;
    this.present.add(entry.key);
    this.items.push(entry);
    this.up(this.items.length - 1);
  }

  remove(key: string): void {
    if (this.present.has(key)) this.removed.add(key);
  }

  pop(): QueuedPod | undefined {
    while (this.items.length > 0) {
      const top = this.items[0]!;
      const last = this.items.pop()!;
      if (this.items.length > 0) {
        this.items[0] = last;
        this.down(0);
      }
      this.present.delete(top.key);
      if (this.removed.delete(top.key)) continue;
      return top;
    }
    return undefined;
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) return;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && before(items[l]!, items[best]!)) best = l;
      if (r < items.length && before(items[r]!, items[best]!)) best = r;
      if (best === i) return;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}
