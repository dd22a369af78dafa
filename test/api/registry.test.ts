// The registry against the memory store: generated names that collide are generated again (as
// upstream's RetryGenerateName), chosen names that exist are a 409, and updates that start from a
// stale watch cache still land on the stored object.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterCache } from "../../src/api/cluster-cache.js";
import type { StatusError } from "../../src/api/errors.js";
import { fieldValues } from "../../src/api/list-filter.js";
import { ObjectChecks } from "../../src/api/object-checks.js";
import { Registry } from "../../src/api/registry.js";
import { builtinResources } from "../../src/api/resources/index.js";
import { builtinSchemas } from "../../src/api/schema.js";
import { systemContext } from "../../src/api/system-namespaces.js";
import { MemoryStore } from "../../src/storage/memory.js";

async function registryWith(random: () => number) {
  const store = new MemoryStore({ compaction: false });
  const cache = new ClusterCache(store);
  const resources = builtinResources().filter((d) => !d.conversion);
  for (const def of resources) cache.register(def.storageResource ?? def.plural, (obj) => fieldValues(def, obj));
  await cache.start();
  const registry = new Registry(store, cache, new ObjectChecks(builtinSchemas()), () => new Date("2026-01-01T00:00:00Z"), random);
  const def = (plural: string) => resources.find((d) => d.plural === plural && d.group === "")!;
  await registry.create(def("namespaces"), undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, systemContext("test"));
  return { registry, def, cache, close: () => { cache.stop(); return store.close(); } };
}

describe("registry", () => {
  it("generates a name again when a generated name is taken", async () => {
    // The first two suffixes are the same ("bbbbb"), the third differs.
    const draws = [...Array(10).fill(0), ...Array(5).fill(0.5)];
    const { registry, def, close } = await registryWith(() => draws.shift() ?? 0.9);
    try {
      const ctx = systemContext("test");
      const first = await registry.create(def("configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }, ctx);
      const second = await registry.create(def("configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" } }, ctx);
      assert.equal(first.metadata?.name, "cm-bbbbb");
      assert.match(second.metadata?.name ?? "", /^cm-[a-z0-9]{5}$/);
      assert.notEqual(second.metadata?.name, "cm-bbbbb");
    } finally {
      await close();
    }
  });

  it("refuses a chosen name that exists with 409 AlreadyExists", async () => {
    const { registry, def, close } = await registryWith(Math.random);
    try {
      const ctx = systemContext("test");
      await registry.create(def("configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "taken" } }, ctx);
      await assert.rejects(registry.create(def("configmaps"), "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "taken" } }, ctx), (err: StatusError) => err.code === 409 && err.reason === "AlreadyExists");
    } finally {
      await close();
    }
  });

  it("updates from a stale cached object by reading the Store again", async () => {
    const { registry, def, cache, close } = await registryWith(Math.random);
    try {
      const ctx = systemContext("test");
      const configmaps = def("configmaps");
      // An in-process watcher makes the cache keep decoded objects, the guesses updates start from.
      cache.get("configmaps").watch(cache.revision, { decoded: true, onEvent: () => {} });
      await registry.create(configmaps, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { n: "0" } }, ctx);
      // From here on the cache no longer follows the Store: its object stays at n=0.
      cache.stop();
      const second = await registry.update(configmaps, "default", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { n: "1" } }, ctx);
      // A precondition on the stored resourceVersion fails against the stale guess, then holds in the Store.
      const third = await registry.update(configmaps, "default", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default", resourceVersion: second.metadata?.resourceVersion }, data: { n: "2" } }, ctx);
      assert.deepEqual(third.data, { n: "2" });
      // Writing what is stored is no change, though it differs from the stale guess.
      const same = await registry.update(configmaps, "default", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default" }, data: { n: "2" } }, ctx);
      assert.equal(same.metadata?.resourceVersion, third.metadata?.resourceVersion);
      await assert.rejects(
        registry.update(configmaps, "default", "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "default", resourceVersion: second.metadata?.resourceVersion }, data: { n: "3" } }, ctx),
        (err: StatusError) => err.code === 409,
      );
    } finally {
      await close();
    }
  });
});
