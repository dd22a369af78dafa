// The admission chain inside the registry: mutating plugins run before validation and their changes
// are stored; validating plugins see the final object (or the old one on delete) and refuse with
// their own Status; nothing refused is stored.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdmissionChain, type AdmissionRequest } from "../../src/api/admission/admission.js";
import { ClusterCache } from "../../src/api/cluster-cache.js";
import { StatusError } from "../../src/api/errors.js";
import { fieldValues } from "../../src/api/list-filter.js";
import { ObjectChecks } from "../../src/api/object-checks.js";
import { Registry } from "../../src/api/registry.js";
import { builtinResources } from "../../src/api/resources/index.js";
import { builtinSchemas } from "../../src/api/schema.js";
import { systemContext } from "../../src/api/system-namespaces.js";
import { MemoryStore } from "../../src/storage/memory.js";

async function registryWithChain(chain: AdmissionChain) {
  const store = new MemoryStore({ compaction: false });
  const cache = new ClusterCache(store);
  const resources = builtinResources().filter((d) => !d.conversion);
  for (const def of resources) cache.register(def.storageResource ?? def.plural, (obj) => fieldValues(def, obj));
  await cache.start();
  const registry = new Registry(store, cache, new ObjectChecks(builtinSchemas()), () => new Date("2026-01-01T00:00:00Z"));
  const def = (plural: string) => resources.find((d) => d.plural === plural && d.group === "")!;
  await registry.create(def("namespaces"), undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, systemContext("test"));
  registry.admission = chain;
  return { registry, configmaps: def("configmaps"), close: () => { cache.stop(); return store.close(); } };
}

describe("admission chain", () => {
  it("stores what mutating plugins change and refuses what validating plugins refuse", async () => {
    const seen: string[] = [];
    const chain = new AdmissionChain([
      {
        name: "AddLabel",
        admit: (request: AdmissionRequest) => {
          seen.push(`admit ${request.operation}`);
          if (request.operation !== "CREATE") return false;
          request.object!.metadata!.labels = { ...request.object!.metadata!.labels, admitted: "yes" };
          return true;
        },
      },
      {
        name: "NoForbiddenData",
        validate: (request: AdmissionRequest) => {
          seen.push(`validate ${request.operation}`);
          const data = (request.object ?? request.oldObject)?.data as Record<string, string> | undefined;
          if (data?.forbidden) throw new StatusError(403, "Forbidden", `configmaps "${request.name}" is forbidden: no forbidden data`);
          if (request.operation === "DELETE" && request.oldObject?.metadata?.labels?.keep === "true") throw new StatusError(403, "Forbidden", "kept");
        },
      },
    ]);
    const { registry, configmaps, close } = await registryWithChain(chain);
    try {
      const ctx = systemContext("test");
      const created = await registry.create(configmaps, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "1" } }, ctx);
      assert.equal(created.metadata?.labels?.admitted, "yes");
      await assert.rejects(
        registry.create(configmaps, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { forbidden: "1" } }, ctx),
        (err: StatusError) => err.code === 403 && /no forbidden data/.test(err.message),
      );
      await assert.rejects(registry.get(configmaps, "default", "b"), (err: StatusError) => err.code === 404);
      await assert.rejects(
        registry.update(configmaps, "default", "a", { ...created, data: { forbidden: "1" } }, ctx),
        (err: StatusError) => err.code === 403,
      );
      assert.deepEqual((await registry.get(configmaps, "default", "a")).data, { x: "1" });
      await registry.update(configmaps, "default", "a", { ...created, metadata: { ...created.metadata, labels: { keep: "true" } } }, ctx);
      await assert.rejects(registry.delete(configmaps, "default", "a", {}, ctx), (err: StatusError) => err.message === "kept");
      assert.ok(await registry.get(configmaps, "default", "a"));
      assert.deepEqual(seen.slice(0, 2), ["admit CREATE", "validate CREATE"]);
      assert.ok(seen.includes("validate DELETE"));
    } finally {
      await close();
    }
  });
});
