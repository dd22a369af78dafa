// LIST: served from the watch cache when the whole (filtered) result fits the page, else read from
// the Store at one revision so that pages stay consistent (limit/continue as upstream, 410 when a
// continue token outlived compaction). Items are concatenated from the cached JSON bytes.
import type { ServerResponse } from "node:http";
import { CompactedError } from "../../storage/store.js";
import { badRequest, expired } from "../errors.js";
import type { ListFilter } from "../list-filter.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "../resource.js";
import { decodeKeyValue, storagePrefix } from "../stored-object.js";
import type { ApiContext } from "./api-context.js";

export interface ListRequest {
  namespace?: string;
  filter: ListFilter;
  limit: number;
  continueToken?: string;
  /** "0" reads whatever the cache has; anything else waits until the cache is fresh. */
  resourceVersion?: string;
}

export interface ListedItems {
  /** JSON of each item, in the served version. */
  items: string[];
  revision: number;
  continueToken?: string;
  remainingItemCount?: number;
}

interface ContinueToken {
  rv: number;
  start: string;
}

export async function listItems(ctx: ApiContext, def: ResourceDef, req: ListRequest): Promise<ListedItems> {
  if (req.continueToken) return listFromStore(ctx, def, req, decodeContinue(req.continueToken));
  if (req.resourceVersion !== "0") await ctx.cache.waitFresh();
  const cache = ctx.cache.get(ctx.registry.storageResource(def));
  const revision = ctx.cache.revision;
  const matched = cache.list(def.namespaced ? req.namespace : undefined, req.filter.everything ? undefined : (o) => req.filter.matches(o));
  const items = matched.map((o) => o.json);
  if (req.limit <= 0 || items.length <= req.limit || req.resourceVersion === "0") return { items: served(ctx, def, items), revision };
  const page = items.slice(0, req.limit);
  const last = matched[req.limit - 1]!;
  return {
    items: served(ctx, def, page),
    revision,
    continueToken: encodeContinue({ rv: revision, start: last.key }),
    remainingItemCount: items.length - req.limit,
  };
}

/** The next page at the revision of the first, read from the Store. */
async function listFromStore(ctx: ApiContext, def: ResourceDef, req: ListRequest, token: ContinueToken): Promise<ListedItems> {
  const prefix = storagePrefix(ctx.registry.storageResource(def), def.namespaced ? req.namespace : undefined);
  if (!token.start.startsWith(prefix)) throw badRequest("the continue token does not belong to this list request: start the list again without it");
  const limit = req.limit > 0 ? req.limit : Number.MAX_SAFE_INTEGER;
  const out: KubeObject[] = [];
  let startAfter = token.start;
  let lastKey = startAfter;
  let more = true;
  try {
    while (out.length < limit && more) {
      const batch = await ctx.store.list(prefix, { startAfter, limit: Math.min(Math.max(limit - out.length, 100), 1000), revision: token.rv });
      more = batch.more;
      for (const kv of batch.items) {
        startAfter = kv.key;
        const obj = decodeKeyValue(kv);
        if (!req.filter.matchesObject(obj, kv.key)) continue;
        out.push(obj);
        lastKey = kv.key;
        if (out.length === limit) {
          more = more || kv !== batch.items[batch.items.length - 1];
          break;
        }
      }
    }
  } catch (err) {
    if (err instanceof CompactedError) throw expiredContinue();
    throw err;
  }
  const items = out.map((o) => JSON.stringify(ctx.registry.toServedVersion(def, o)));
  return { items, revision: token.rv, continueToken: more ? encodeContinue({ rv: token.rv, start: lastKey }) : undefined };
}

function served(ctx: ApiContext, def: ResourceDef, items: string[]): string[] {
  if (!def.conversion) return items;
  return items.map((json) => JSON.stringify(ctx.registry.toServedVersion(def, JSON.parse(json) as KubeObject)));
}

/** Bytes per write when streaming a list: big lists never become one huge string and buffer. */
const LIST_CHUNK_BYTES = 256 * 1024;

/**
 * Writes a <Kind>List reply from the items' cached bytes, in chunks and honouring back-pressure,
 * so that a LIST of 150,000 pods costs neither a copy of the whole reply nor its re-serialisation.
 */
export async function writeList(res: ServerResponse, def: ResourceDef, listed: ListedItems): Promise<void> {
  const meta: Record<string, unknown> = { resourceVersion: String(listed.revision) };
  if (listed.continueToken) meta.continue = listed.continueToken;
  if (listed.remainingItemCount !== undefined) meta.remainingItemCount = listed.remainingItemCount;
  res.writeHead(200, { "Content-Type": "application/json" });
  let chunk = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(def))},"metadata":${JSON.stringify(meta)},"items":[`;
  for (let i = 0; i < listed.items.length; i++) {
    chunk += i === 0 ? listed.items[i] : `,${listed.items[i]}`;
    if (chunk.length >= LIST_CHUNK_BYTES) {
      if (!res.write(chunk)) await drained(res);
      chunk = "";
      if (res.destroyed) return;
    }
  }
  res.end(`${chunk}]}`);
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resume) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resume();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<ContinueToken>;
    if (typeof parsed.rv === "number" && typeof parsed.start === "string") return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest("the continue token is not valid: pass the token from the previous list reply unchanged");
}

function expiredContinue() {
  return expired(
    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
  );
}
