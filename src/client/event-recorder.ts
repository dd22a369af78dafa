// Records core/v1 Events for components, as client-go's event recorder does: one Event per
// (object, type, reason, message) that repeats within ten minutes gets its count and lastTimestamp
// bumped instead of a new object; a per-object token bucket (burst 25, one more every 5 minutes)
// keeps a crash loop from flooding the store. Recording never fails the caller: errors are logged.
import type { KubeObject } from "../api/resource.js";
import type { Logger } from "../log.js";
import { CORE_V1, type Client } from "./client.js";
import { rfc3339 } from "../api/meta-time.js";

export type EventType = "Normal" | "Warning";

const EVENTS = CORE_V1("events");
const AGGREGATION_WINDOW_MS = 10 * 60 * 1000;
const BURST = 25;
const REFILL_MS = 5 * 60 * 1000;
const MAX_REMEMBERED = 4096;

interface Recorded {
  namespace: string;
  name: string;
  count: number;
  lastMs: number;
}

export interface EventRecorderOptions {
  client: Client;
  /** The reporting component, e.g. "deployment-controller", "default-scheduler". */
  component: string;
  /** The host or instance, e.g. the node name. */
  host?: string;
  log: Logger;
  now?: () => Date;
  /** A number in [0, 1): the sub-millisecond part of generated names (default Math.random). */
  random?: () => number;
}

export class EventRecorder {
  private readonly recent = new Map<string, Recorded>();
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  private readonly now: () => Date;
  private readonly random: () => number;

  constructor(private readonly options: EventRecorderOptions) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /** Records an event about `object`; resolves when written (or dropped), never rejects. */
  async event(object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = object.metadata ?? {};
    const key = [meta.uid ?? `${meta.namespace}/${meta.name}`, type, reason, message].join("\u0000");
    const nowMs = this.now().getTime();
    if (!this.takeToken(meta.uid ?? `${meta.namespace}/${meta.name}`, nowMs)) return;
    try {
      const previous = this.recent.get(key);
      if (previous && nowMs - previous.lastMs < AGGREGATION_WINDOW_MS) {
        await this.bump(previous, nowMs);
      } else {
        await this.createEvent(key, object, type, reason, message, nowMs);
      }
    } catch (err) {
      this.options.log.warn("could not record event", { reason, object: `${meta.namespace ?? ""}/${meta.name ?? ""}`, error: err });
    }
  }

  private async createEvent(key: string, object: KubeObject, type: EventType, reason: string, message: string, nowMs: number): Promise<void> {
    const meta = object.metadata ?? {};
    const namespace = meta.namespace || "default";
    const timestamp = rfc3339(nowMs);
    // upstream names events <object>.<UnixNano in hex>; below the millisecond, 16 random bits.
    const name = `${meta.name ?? "unknown"}.${(BigInt(nowMs) * 1_000_000n + BigInt(Math.floor(this.random() * 0x10000))).toString(16)}`;
    await this.options.client.create(EVENTS, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: { kind: object.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid, apiVersion: object.apiVersion, resourceVersion: meta.resourceVersion },
      reason,
      message,
      type,
      source: { component: this.options.component, ...(this.options.host ? { host: this.options.host } : {}) },
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
      reportingComponent: this.options.component,
      reportingInstance: this.options.host ?? "",
    });
    this.remember(key, { namespace, name, count: 1, lastMs: nowMs });
  }

  private async bump(previous: Recorded, nowMs: number): Promise<void> {
    previous.count += 1;
    previous.lastMs = nowMs;
    const lastTimestamp = rfc3339(nowMs);
    await this.options.client.patch(EVENTS, previous.namespace, previous.name, "merge", { count: previous.count, lastTimestamp });
  }

  private remember(key: string, recorded: Recorded): void {
    if (this.recent.size >= MAX_REMEMBERED) forgetOldest(this.recent);
    this.recent.set(key, recorded);
  }

  private takeToken(objectKey: string, nowMs: number): boolean {
    const bucket = this.buckets.get(objectKey) ?? { tokens: BURST, updatedMs: nowMs };
    const refilled = Math.floor((nowMs - bucket.updatedMs) / REFILL_MS);
    if (refilled > 0) {
      bucket.tokens = Math.min(BURST, bucket.tokens + refilled);
      bucket.updatedMs += refilled * REFILL_MS;
    }
    if (bucket.tokens === 0) return false;
    bucket.tokens -= 1;
    if (this.buckets.size >= MAX_REMEMBERED && !this.buckets.has(objectKey)) forgetOldest(this.buckets);
    this.buckets.set(objectKey, bucket);
    return true;
  }
}

/**
 * Drops the oldest quarter of a full map in one pass. One at a time, each eviction would look for
 * the first live entry past the holes earlier deletions left in the map's table: thousands of
 * steps per event when every event is about a new object (a scheduler placing many pods).
 */
function forgetOldest(map: Map<string, unknown>): void {
  let toDrop = Math.ceil(map.size / 4);
  for (const key of map.keys()) {
    if (toDrop-- === 0) break;
    map.delete(key);
  }
}
