// The objects of one cached resource grouped by namespace (LimitRanges, ResourceQuotas), kept up to
// date from the watch cache's events: a write in one namespace looks at that namespace's objects
// only, never at every namespace's. Built on first use; objects are decoded once per revision.
import type { ClusterCache } from "../cluster-cache.js";
import type { KubeObject } from "../resource.js";
import type { CachedObject } from "../watch-cache.js";

export class NamespaceIndex {
  #byNamespace: Map<string, Map<string, CachedObject>> | undefined;
  readonly #decoded = new Map<string, { revision: number; object: KubeObject }>();

  constructor(private readonly cache: ClusterCache, private readonly resource: string) {}

  /** The namespace's objects, decoded (shared: never mutate). */
  list(namespace: string): KubeObject[] {
    const entries = this.index().get(namespace);
    if (!entries) return [];
    return [...entries.values()].map((cached) => this.decode(cached));
  }

  has(namespace: string): boolean {
    return (this.index().get(namespace)?.size ?? 0) > 0;
  }

  private index(): Map<string, Map<string, CachedObject>> {
    if (this.#byNamespace) return this.#byNamespace;
    const byNamespace = new Map<string, Map<string, CachedObject>>();
    const resourceCache = this.cache.get(this.resource);
    for (const cached of resourceCache.list(undefined)) this.put(byNamespace, cached);
    resourceCache.watch(this.cache.revision, {
      onEvent: (event) => {
        if (event.type === "DELETED") {
          byNamespace.get(event.object.namespace)?.delete(event.object.key);
          this.#decoded.delete(event.object.key);
        } else {
          this.put(byNamespace, event.object);
        }
      },
    });
    this.#byNamespace = byNamespace;
    return byNamespace;
  }

  private put(byNamespace: Map<string, Map<string, CachedObject>>, cached: CachedObject): void {
    let entries = byNamespace.get(cached.namespace);
    if (!entries) byNamespace.set(cached.namespace, (entries = new Map()));
    entries.set(cached.key, cached);
  }

  private decode(cached: CachedObject): KubeObject {
    const found = this.#decoded.get(cached.key);
    if (found && found.revision === cached.revision) return found.object;
    const object = (cached.object ?? JSON.parse(cached.json)) as KubeObject;
    this.#decoded.set(cached.key, { revision: cached.revision, object });
    return object;
  }
}
