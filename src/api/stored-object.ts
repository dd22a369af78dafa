// How API objects sit in the Store: JSON without metadata.resourceVersion (the revision of the write
// is the resourceVersion, as in etcd), decoded back with it filled in.
import type { KeyValue } from "../storage/store.js";
import type { KubeObject } from "./resource.js";

export function encodeForStorage(obj: KubeObject): string {
  const meta = obj.metadata;
  if (!meta || meta.resourceVersion === undefined) return JSON.stringify(obj);
  const { resourceVersion: _dropped, ...rest } = meta;
  return JSON.stringify({ ...obj, metadata: rest });
}

/** Parses a stored value and stamps the revision it was written at as its resourceVersion. */
export function decodeFromStorage(value: string, revision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  // The parse is private: set in place (a stored value has no resourceVersion, so it comes last).
  if (obj.metadata) obj.metadata.resourceVersion = String(revision);
  else obj.metadata = { resourceVersion: String(revision) };
  return obj;
}

export function decodeKeyValue(kv: KeyValue): KubeObject {
  return decodeFromStorage(kv.value, kv.modRevision);
}

/** Store key of an object: /registry/<resource>/<namespace>/<name>, cluster-scoped without the namespace. */
export function storageKey(resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `/registry/${resource}/${namespace}/${name}` : `/registry/${resource}/${name}`;
}

/** Key prefix of a resource, optionally within one namespace (trailing slash included). */
export function storagePrefix(resource: string, namespace?: string): string {
  return namespace ? `/registry/${resource}/${namespace}/` : `/registry/${resource}/`;
}
