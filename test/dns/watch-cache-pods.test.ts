// The server's cluster DNS finds pods by IP in the API's watch cache: added, readdressed and
// deleted pods are followed, dual-stack pods are found by each IP, and neither DNS nor the Node
// authorizer's graph makes the watch cache keep decoded pods.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ClusterCache } from "../../src/api/cluster-cache.js";
import { fieldValues } from "../../src/api/list-filter.js";
import type { KubeObject } from "../../src/api/resource.js";
import { podResource } from "../../src/api/resources/pod.js";
import { encodeForStorage } from "../../src/api/stored-object.js";
import { ClusterAuthorization } from "../../src/auth/authorization/cluster-authorization.js";
import { POD_IP_INDEX } from "../../src/dns/cluster-records.js";
import { WatchCachePods } from "../../src/dns/watch-cache-pods.js";
import { MemoryStore } from "../../src/storage/memory.js";

function pod(namespace: string, name: string, ips: string[], nodeName?: string): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { namespace, name }, spec: { containers: [{ name: "c", image: "i" }], ...(nodeName ? { nodeName } : {}) }, status: { podIPs: ips.map((ip) => ({ ip })), ...(ips[0] ? { podIP: ips[0] } : {}) } };
}

describe("pods by IP from the watch cache", () => {
  const store = new MemoryStore();
  const cache = new ClusterCache(store);
  const authorization = new ClusterAuthorization();
  let pods: WatchCachePods;
  const put = async (obj: KubeObject) => {
    const key = `/registry/pods/${obj.metadata?.namespace}/${obj.metadata?.name}`;
    const existing = await store.get(key);
    if (existing) await store.update(key, encodeForStorage(obj), existing.modRevision);
    else await store.create(key, encodeForStorage(obj));
    await cache.waitFresh();
  };
  const namesAt = (ip: string) => pods.byIndex(POD_IP_INDEX, ip).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);

  before(async () => {
    const def = podResource();
    for (const resource of ["pods", "clusterroles", "roles", "clusterrolebindings", "rolebindings"]) cache.register(resource, resource === "pods" ? (obj) => fieldValues(def, obj) : () => ({}));
    await store.create("/registry/pods/team/before", encodeForStorage(pod("team", "before", ["10.42.0.4"])));
    await cache.start();
    authorization.attach(cache);
    pods = new WatchCachePods(cache);
  });
  after(() => {
    pods.stop();
    authorization.detach();
    cache.stop();
  });

  it("finds pods present at start and pods added later, by each of their IPs", async () => {
    await put(pod("team", "dual", ["10.42.0.5", "fd00::5"], "node-a"));
    assert.deepEqual(namesAt("10.42.0.4"), ["team/before"]);
    assert.deepEqual(namesAt("10.42.0.5"), ["team/dual"]);
    assert.deepEqual(namesAt("fd00::5"), ["team/dual"]);
  });

  it("follows a pod that gets another IP, and forgets a deleted one", async () => {
    await put(pod("team", "moving", ["10.42.0.6"]));
    await put(pod("team", "moving", ["10.42.0.7"]));
    assert.deepEqual(namesAt("10.42.0.6"), []);
    assert.deepEqual(namesAt("10.42.0.7"), ["team/moving"]);
    await store.delete("/registry/pods/team/moving");
    await cache.waitFresh();
    assert.deepEqual(namesAt("10.42.0.7"), []);
  });

  it("lets the watch cache keep pods as JSON only", async () => {
    await put(pod("team", "bound", ["10.42.0.8"], "node-b"));
    assert.equal(cache.get("pods").get("/registry/pods/team/bound")?.object, undefined);
    assert.equal(cache.get("pods").get("/registry/pods/team/dual")?.object, undefined);
  });
});
