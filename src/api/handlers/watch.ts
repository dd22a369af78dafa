// WATCH: a chunked stream of {"type","object"} lines from the watch cache. Initial state as
// synthetic ADDED events when asked (resourceVersion unset or "0", or sendInitialEvents), then every
// change after the start revision; objects moving in or out of the selectors become ADDED/DELETED
// for this watcher, as upstream's cacher does. BOOKMARKs keep idle watches alive; a start revision
// that left the window is a 410 Expired ERROR event, after which clients re-list.
import type { IncomingMessage, ServerResponse } from "node:http";
import { expired } from "../errors.js";
import type { ListFilter } from "../list-filter.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "../resource.js";
import { columnDefinitions, tableRow, type IncludeObject } from "../table.js";
import { TooOldError, type CacheEvent, type CachedObject } from "../watch-cache.js";
import type { ApiContext } from "./api-context.js";

/** A watcher whose unsent output passes this is too slow to keep up; it is closed and must re-list. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface WatchRequest {
  namespace?: string;
  filter: ListFilter;
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Stream meta.k8s.io Table rows instead of objects (kubectl get -w). */
  table?: { include: IncludeObject };
}

type EventType = "ADDED" | "MODIFIED" | "DELETED";

export async function serveWatch(ctx: ApiContext, def: ResourceDef, req: WatchRequest, httpReq: IncomingMessage, res: ServerResponse): Promise<void> {
  const cache = ctx.cache.get(ctx.registry.storageResource(def));
  const rv = req.resourceVersion;
  const initial = req.sendInitialEvents ?? (rv === undefined || rv === "" || rv === "0");
  if (rv !== "0") await ctx.cache.waitFresh();
  const startRevision = initial ? ctx.cache.revision : Number(rv);

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  const writer = new EventWriter(ctx, def, req, res);

  if (initial) {
    for (const o of cache.list(def.namespaced ? req.namespace : undefined)) {
      if (req.filter.matches(o)) writer.send("ADDED", o);
    }
    if (req.sendInitialEvents && req.allowBookmarks) writer.bookmark(startRevision, true);
  }

  let unregister: () => void = () => {};
  try {
    unregister = cache.watch(startRevision, {
      namespace: def.namespaced ? req.namespace : undefined,
      onEvent: (event) => {
        const type = transition(event, req.filter);
        if (type) writer.send(type, event.object);
        if (res.writableLength > MAX_BUFFERED_BYTES) close();
      },
    });
  } catch (err) {
    if (!(err instanceof TooOldError)) throw err;
    writer.error(expired(err.message).toStatus());
    res.end();
    return;
  }

  const bookmarks = req.allowBookmarks ? setInterval(() => writer.bookmark(ctx.cache.revision, false), ctx.bookmarkIntervalMs) : undefined;
  const timeoutMs = req.timeoutSeconds !== undefined ? req.timeoutSeconds * 1000 : ctx.defaultWatchTimeoutMs();
  const deadline = setTimeout(() => close(), timeoutMs);
  let closed = false;
  function close(): void {
    if (closed) return;
    closed = true;
    unregister();
    if (bookmarks) clearInterval(bookmarks);
    clearTimeout(deadline);
    res.end();
  }
  httpReq.on("close", close);
  res.on("close", close);
}

/** How an event looks to a watcher with selectors: objects entering or leaving its selection. */
export function transition(event: CacheEvent, filter: ListFilter): EventType | undefined {
  const now = event.type !== "DELETED" && filter.matches(event.object);
  if (event.type === "ADDED") return now ? "ADDED" : undefined;
  if (event.type === "DELETED") return filter.matches(event.object) || (event.prev !== undefined && filter.matches(event.prev)) ? "DELETED" : undefined;
  const before = event.prev !== undefined && filter.matches(event.prev);
  if (now) return before ? "MODIFIED" : "ADDED";
  return before ? "DELETED" : undefined;
}

/** Encodes events for one watcher; plain objects reuse the cached bytes. */
class EventWriter {
  private readonly now: () => Date;

  constructor(private readonly ctx: ApiContext, private readonly def: ResourceDef, private readonly req: WatchRequest, private readonly res: ServerResponse) {
    this.now = ctx.now;
  }

  send(type: EventType, o: CachedObject): void {
    if (this.req.table) {
      const obj = this.served(JSON.parse(o.json) as KubeObject);
      const tableObject = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: String(o.revision) }, columnDefinitions: columnDefinitions(this.def), rows: [tableRow(this.def, obj, this.req.table.include, this.now())] };
      this.line(`{"type":"${type}","object":${JSON.stringify(tableObject)}}\n`);
      return;
    }
    const json = this.def.conversion ? JSON.stringify(this.served(JSON.parse(o.json) as KubeObject)) : o.json;
    this.line(`{"type":"${type}","object":${json}}\n`);
  }

  bookmark(revision: number, initialEventsEnd: boolean): void {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
    const object = this.req.table
      ? { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata, columnDefinitions: [], rows: [] }
      : { kind: this.def.kind, apiVersion: apiVersionOf(this.def), metadata };
    this.line(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
  }

  error(status: unknown): void {
    this.line(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
  }

  private served(obj: KubeObject): KubeObject {
    return this.ctx.registry.toServedVersion(this.def, obj);
  }

  private line(text: string): void {
    if (!this.res.writableEnded) this.res.write(text);
  }
}
