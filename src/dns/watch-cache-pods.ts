// Pods by IP for the server's own cluster DNS, read straight from the API's watch cache rather
// than through a pods informer: an informer keeps every pod decoded (and makes the watch cache keep
// them too, about 180 MB for 30,000 pods), where DNS needs only each pod's namespace and IPs. A
// pod's JSON is parsed only when its indexed status.podIP (a pod field selector) changes, which is
// once or twice in its life. `kubelite agent` on another host keeps its pods informer.
import type { ClusterCache } from "../api/cluster-cache.js";
import type { CacheReader } from "../client/indexer.js";
import type { CachedObject } from "../api/watch-cache.js";
import { POD_IP_INDEX } from "./cluster-records.js";
import { podIPs, type DnsPod } from "./objects.js";

export class WatchCachePods implements Pick<CacheReader, "byIndex"> {
  /** Pod key → its IPs, and IP → the pods that have it, each as much of a pod as DNS reads. */
  readonly #ipsByPod = new Map<string, { podIP: string; ips: string[] }>();
  readonly #podsByIP = new Map<string, Map<string, DnsPod>>();
  readonly #stop: () => void;

  constructor(cache: ClusterCache) {
    const pods = cache.get("pods");
    for (const object of pods.list(undefined)) this.put(object);
    this.#stop = pods.watch(cache.revision, { onEvent: (event) => (event.type === "DELETED" ? this.remove(event.object.key) : this.put(event.object)) });
  }

  byIndex(indexName: string, ip: string): DnsPod[] {
    if (indexName !== POD_IP_INDEX) throw new Error(`pods are indexed by ${POD_IP_INDEX} only, not ${indexName}`);
    return [...(this.#podsByIP.get(ip)?.values() ?? [])];
  }

  stop(): void {
    this.#stop();
  }

  private put(object: CachedObject): void {
    const podIP = object.fields["status.podIP"] ?? "";
    if (this.#ipsByPod.get(object.key)?.podIP === podIP) return;
    this.remove(object.key);
    if (podIP === "") return;
    const ips = podIPs((object.object ?? JSON.parse(object.json)) as DnsPod);
    const pod: DnsPod = { metadata: { namespace: object.namespace, name: object.name }, status: { podIPs: ips.map((ip) => ({ ip })) } };
    this.#ipsByPod.set(object.key, { podIP, ips });
    for (const ip of ips) {
      let pods = this.#podsByIP.get(ip);
      if (!pods) this.#podsByIP.set(ip, (pods = new Map()));
      pods.set(object.key, pod);
    }
  }

  private remove(key: string): void {
    const entry = this.#ipsByPod.get(key);
    if (!entry) return;
    this.#ipsByPod.delete(key);
    for (const ip of entry.ips) {
      const pods = this.#podsByIP.get(ip);
      pods?.delete(key);
      if (pods?.size === 0) this.#podsByIP.delete(ip);
    }
  }
}
