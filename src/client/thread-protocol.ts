// The messages between a ThreadClient (a component on a worker thread) and its ThreadClientHost
// (the API server's thread). Calls travel as structured clones; objects coming back (results, list
// items, watch events) as JSON text, parsed on the worker: the watch cache already holds most of it,
// and copying a string costs the server's thread far less than cloning an object. Each side posts
// the messages of one turn of its loop as one array (thread-outbox.ts).
import type { StatusDetails, StatusReason } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import type { DeleteOptions, ListOptions, PatchOptions, PatchType, ResourceRef, WatchEventType, WatchOptions, WriteOptions } from "./client.js";

/** One Client call, by method name, with its arguments. */
export type Call =
  | { method: "get"; ref: ResourceRef; namespace: string | undefined; name: string }
  | { method: "list"; ref: ResourceRef; options: ListOptions }
  | { method: "create"; ref: ResourceRef; namespace: string | undefined; object: KubeObject; options: WriteOptions }
  | { method: "update"; ref: ResourceRef; namespace: string | undefined; object: KubeObject; options: WriteOptions }
  | { method: "patch"; ref: ResourceRef; namespace: string | undefined; name: string; type: PatchType; patch: unknown; options: PatchOptions }
  | { method: "delete"; ref: ResourceRef; namespace: string | undefined; name: string; options: DeleteOptions }
  | { method: "createSubresource"; ref: ResourceRef; namespace: string | undefined; name: string; subresource: string; body: KubeObject };

/** A StatusError's parts (a non-Status error becomes a 500 on the way). */
export interface ErrorData {
  code: number;
  reason: StatusReason;
  message: string;
  details?: StatusDetails;
}

/** From the worker. */
export type ToHost =
  | { type: "call"; id: number; call: Call }
  | { type: "watch"; id: number; ref: ResourceRef; options: WatchOptions }
  | { type: "unwatch"; id: number };

/** To the worker. Watch events come in batches: all those one turn of the server's loop produced. */
export type FromHost =
  | { type: "result"; id: number; json?: string; error?: ErrorData }
  | { type: "list"; id: number; items: string[]; resourceVersion: string; continue?: string }
  | { type: "events"; id: number; events: [WatchEventType, string][] }
  | { type: "closed"; id: number; expired: boolean; error?: ErrorData };
