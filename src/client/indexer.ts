// The informer's in-memory cache (client-go tools/cache Indexer, kube-rs reflector Store): objects
// by key ("namespace/name", or "name" when cluster-scoped), plus secondary indexes mapping an index
// value to the keys of the objects that produce it. The namespace index always exists; others are
// registered by name (by owner uid, by spec.nodeName, by a label...). One writer (the informer),
// many readers. Readers get the cached objects themselves, shared and frozen: never mutate them,
// copy before changing. A relist is swapped in whole (`replace`), so readers never see half of one.
// Memory: the objects, plus one Set entry per (index, value, key).
import type { KubeObject } from "../api/resource.js";

/** The values an object is indexed under (an empty array: not indexed). Must be deterministic. */
export type IndexFunc = (obj: KubeObject) => readonly string[];

/** The always-present index by metadata.namespace (cluster-scoped objects are not in it). */
export const NAMESPACE_INDEX = "namespace";

/** "namespace/name", or "name" for a cluster-scoped object: the cache key and the controller key. */
export function keyFor(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of an object (from metadata.namespace and metadata.name). */
export function objectKey(obj: KubeObject): string {
  return keyFor(obj.metadata?.namespace, obj.metadata?.name ?? "");
}

/** Splits a key made by keyFor: "ns/name" → { namespace: "ns", name }, "name" → { name }. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** Index functions for the common cases; register them under a name with `addIndexer`. */
export const indexFuncs = {
  namespace: ((obj) => (obj.metadata?.namespace ? [obj.metadata.namespace] : [])) satisfies IndexFunc,
  /** The uid of every owner (metadata.ownerReferences[].uid). */
  ownerUid: ((obj) => (obj.metadata?.ownerReferences ?? []).map((ref) => ref.uid)) satisfies IndexFunc,
  /** spec.nodeName, when set (pods by node). */
  nodeName: ((obj) => {
    const node = (obj.spec as { nodeName?: unknown } | undefined)?.nodeName;
    return typeof node === "string" && node !== "" ? [node] : [];
  }) satisfies IndexFunc,
  /** The value of one label, when present. */
  label: (labelKey: string): IndexFunc => (obj) => {
    const value = obj.metadata?.labels?.[labelKey];
    return value === undefined ? [] : [value];
  },
};

/** What readers of a cache may do. */
export interface CacheReader {
  /** The object with this key ("namespace/name" or "name"), if cached. */
  get(key: string): KubeObject | undefined;
  /** Every cached object, or those of one namespace. */
  list(namespace?: string): KubeObject[];
  /** The objects indexed under value by the named index; throws if there is no such index. */
  byIndex(indexName: string, value: string): KubeObject[];
  /** The keys of every cached object. */
  keys(): string[];
  readonly size: number;
}

export class Indexer implements CacheReader {
  private items = new Map<string, KubeObject>();
  private readonly funcs = new Map<string, IndexFunc>([[NAMESPACE_INDEX, indexFuncs.namespace]]);
  private indices = new Map<string, Map<string, Set<string>>>([[NAMESPACE_INDEX, new Map()]]);

  get size(): number {
    return this.items.size;
  }

  get(key: string): KubeObject | undefined {
    return this.items.get(key);
  }

  list(namespace?: string): KubeObject[] {
    return namespace === undefined ? [...this.items.values()] : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): KubeObject[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`no index named "${indexName}"`);
    const out: KubeObject[] = [];
    for (const key of index.get(value) ?? []) {
      const obj = this.items.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  hasIndex(indexName: string): boolean {
    return this.funcs.has(indexName);
  }

  /** Registers an index and indexes what is cached; a name already registered is an error. */
  addIndex(indexName: string, fn: IndexFunc): void {
    if (this.funcs.has(indexName)) throw new Error(`index "${indexName}" is already registered`);
    const index = new Map<string, Set<string>>();
    for (const [key, obj] of this.items) addValues(index, key, fn(obj));
    this.funcs.set(indexName, fn);
    this.indices.set(indexName, index);
  }

  /** Inserts or replaces the object at key; returns the previous one. */
  upsert(key: string, obj: KubeObject): KubeObject | undefined {
    // Compute every index value first, so a throwing index function leaves the cache unchanged.
    const old = this.items.get(key);
    const changes: [Map<string, Set<string>>, readonly string[], readonly string[]][] = [];
    for (const [name, fn] of this.funcs) {
      const next = fn(obj);
      const before = old ? fn(old) : NO_VALUES;
      // Most updates (status, a binding) leave most index values alone: those sets stay as they are.
      if (!sameValues(before, next)) changes.push([this.index(name), before, next]);
    }
    this.items.set(key, obj);
    for (const [index, before, next] of changes) {
      removeValues(index, key, before);
      addValues(index, key, next);
    }
    return old;
  }

  /** Removes the object at key; returns it. */
  remove(key: string): KubeObject | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Swaps in a whole new content (a relist); returns the previous content. */
  replace(objects: ReadonlyMap<string, KubeObject>): Map<string, KubeObject> {
    const indices = new Map<string, Map<string, Set<string>>>();
    for (const [name, fn] of this.funcs) {
      const index = new Map<string, Set<string>>();
      for (const [key, obj] of objects) addValues(index, key, fn(obj));
      indices.set(name, index);
    }
    const old = this.items;
    this.items = new Map(objects);
    this.indices = indices;
    return old;
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const [name, fn] of this.funcs) removeValues(this.index(name), key, fn(obj));
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    return index;
  }
}

function addValues(index: Map<string, Set<string>>, key: string, values: readonly string[]): void {
  for (const value of values) {
    let keys = index.get(value);
    if (!keys) index.set(value, (keys = new Set()));
    keys.add(key);
  }
}

function removeValues(index: Map<string, Set<string>>, key: string, values: readonly string[]): void {
  for (const value of values) {
    const keys = index.get(value);
    keys?.delete(key);
    if (keys?.size === 0) index.delete(value);
  }
}

const NO_VALUES: readonly string[] = [];

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
