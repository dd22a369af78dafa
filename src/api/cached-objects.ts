// Reading current objects by name straight from the watch caches, for code on the request path
// (authentication, admission) that must not read the Store. A miss waits once for the cache to
// catch up with every acknowledged write, so an object created a moment ago is found.
import type { ClusterCache } from "./cluster-cache.js";
import type { KubeObject } from "./resource.js";
import { storageKey } from "./stored-object.js";

export class CachedObjects {
  constructor(private readonly cache: ClusterCache) {}

  /** The object (shared: never mutate), or undefined when it does not exist. */
  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const found = this.peek(resource, namespace, name);
    if (found) return found;
    await this.cache.waitFresh();
    return this.peek(resource, namespace, name);
  }

  private peek(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const cached = this.cache.get(resource).get(storageKey(resource, namespace, name));
    if (!cached) return undefined;
    return cached.object ?? (JSON.parse(cached.json) as KubeObject);
  }
}
