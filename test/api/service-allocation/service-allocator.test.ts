// Service allocation through the registry on the memory store: cluster IPs and node ports given
// out, refused with upstream's messages, kept across updates that leave them out, released on
// delete and on type changes, and rebuilt from the stored Services by a new allocator.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClusterCache } from "../../../src/api/cluster-cache.js";
import type { StatusError } from "../../../src/api/errors.js";
import { fieldValues } from "../../../src/api/list-filter.js";
import { ObjectChecks } from "../../../src/api/object-checks.js";
import { Registry } from "../../../src/api/registry.js";
import type { KubeObject } from "../../../src/api/resource.js";
import { builtinResources } from "../../../src/api/resources/index.js";
import { builtinSchemas } from "../../../src/api/schema.js";
import { ServiceAllocator } from "../../../src/api/service-allocation/service-allocator.js";
import { systemContext } from "../../../src/api/system-namespaces.js";
import { MemoryStore } from "../../../src/storage/memory.js";

const ctx = systemContext("test");

async function cluster(store = new MemoryStore({ compaction: false })) {
  const cache = new ClusterCache(store);
  const resources = builtinResources().filter((d) => !d.conversion);
  for (const def of resources) cache.register(def.storageResource ?? def.plural, (obj) => fieldValues(def, obj));
  await cache.start();
  const allocator = new ServiceAllocator({ serviceCIDR: "10.43.0.0/16", cache });
  allocator.start();
  const registry = new Registry(store, cache, new ObjectChecks(builtinSchemas()), () => new Date(), Math.random, { services: allocator });
  const def = (plural: string) => resources.find((d) => d.plural === plural && d.group === "")!;
  const services = def("services");
  if (!cache.get("namespaces").get("/registry/namespaces/default")) await registry.create(def("namespaces"), undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx);
  return {
    store,
    allocator,
    create: (spec: Record<string, unknown>, name = "svc") => registry.create(services, "default", { apiVersion: "v1", kind: "Service", metadata: { name }, spec }, ctx),
    update: (name: string, change: (obj: KubeObject) => void) =>
      registry.guaranteedUpdate(services, "default", name, ctx, undefined, (current) => {
        change(current!);
        return current!;
      }),
    remove: (name: string) => registry.delete(services, "default", name, {}, ctx),
    stop: () => {
      allocator.stop();
      cache.stop();
    },
  };
}

const spec = (o: Record<string, unknown> = {}) => ({ ports: [{ port: 80 }], ...o });
const clusterIP = (obj: KubeObject) => (obj.spec as { clusterIP?: string }).clusterIP;
const nodePorts = (obj: KubeObject) => (obj.spec as { ports: { nodePort?: number }[] }).ports.map((p) => p.nodePort);
const message = (pattern: RegExp) => (err: StatusError) => err.code === 422 && pattern.test(err.message);

describe("service allocation", () => {
  it("gives each Service its own cluster IP and releases it on delete", async () => {
    const c = await cluster();
    try {
      const a = await c.create(spec(), "a");
      const b = await c.create(spec(), "b");
      assert.match(clusterIP(a) ?? "", /^10\.43\./);
      assert.notEqual(clusterIP(a), clusterIP(b));
      assert.deepEqual((a.spec as { clusterIPs: string[] }).clusterIPs, [clusterIP(a)]);
      await assert.rejects(c.create(spec({ clusterIP: clusterIP(a) }), "c"), message(new RegExp(`^Service "c" is invalid: spec.clusterIPs: Invalid value: \\[\\]string\\{"${clusterIP(a)}"\\}: failed to allocate IP ${clusterIP(a)}: provided IP is already allocated$`)));
      await c.remove("a");
      assert.equal(c.allocator.isAllocated(clusterIP(a)!), false);
      const again = await c.create(spec({ clusterIP: clusterIP(a) }), "c");
      assert.equal(clusterIP(again), clusterIP(a));
    } finally {
      c.stop();
    }
  });

  it("refuses cluster IPs outside the range, gives none to headless and ExternalName Services", async () => {
    const c = await cluster();
    try {
      await assert.rejects(c.create(spec({ clusterIP: "10.96.0.5" })), message(/failed to allocate IP 10\.96\.0\.5: provided IP is not in the valid range\. The range of valid IPs is 10\.43\.0\.0\/16/));
      assert.equal(clusterIP(await c.create(spec({ clusterIP: "None" }), "headless")), "None");
      assert.equal(clusterIP(await c.create({ type: "ExternalName", externalName: "example.com" }, "ext")), undefined);
      assert.equal(clusterIP(await c.create(spec({ clusterIP: "10.43.0.10" }), "kube-dns")), "10.43.0.10");
    } finally {
      c.stop();
    }
  });

  it("allocates node ports, one per service port number, refuses taken or out-of-range ones", async () => {
    const c = await cluster();
    try {
      const np = await c.create({ type: "NodePort", ports: [{ name: "tcp", port: 53, protocol: "TCP" }, { name: "udp", port: 53, protocol: "UDP" }, { name: "web", port: 80, nodePort: 30080 }] }, "np");
      const [tcp, udp, web] = nodePorts(np);
      assert.ok(tcp && tcp >= 30000 && tcp <= 32767);
      assert.equal(udp, tcp);
      assert.equal(web, 30080);
      await assert.rejects(c.create({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }, "other"), message(/^Service "other" is invalid: spec.ports\[0\].nodePort: Invalid value: 30080: provided port is already allocated$/));
      await assert.rejects(c.create({ type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] }, "other"), message(/provided port is not in the valid range\. The range of valid ports is 30000-32767/));
      // The failed creates gave back what they took: 30080's owner alone holds it.
      await c.remove("np");
      assert.equal(c.allocator.isAllocated(30080), false);
      assert.equal(c.allocator.isAllocated(tcp), false);
    } finally {
      c.stop();
    }
  });

  it("keeps the cluster IP and node ports through an update that leaves them out, and releases them on a type change", async () => {
    const c = await cluster();
    try {
      const created = await c.create({ type: "NodePort", ports: [{ name: "web", port: 80 }] }, "web");
      const [port] = nodePorts(created);
      const updated = await c.update("web", (obj) => {
        const s = obj.spec as Record<string, unknown>;
        delete s.clusterIP;
        delete s.clusterIPs;
        s.ports = [{ name: "web", port: 80, protocol: "TCP", targetPort: 8080 }];
      });
      assert.equal(clusterIP(updated), clusterIP(created));
      assert.deepEqual(nodePorts(updated), [port]);
      // As `kubectl patch -p '{"spec":{"type":"ClusterIP"}}'`: the node ports and traffic policy go with the type.
      const clusterIPOnly = await c.update("web", (obj) => ((obj.spec as Record<string, unknown>).type = "ClusterIP"));
      assert.deepEqual(nodePorts(clusterIPOnly), [undefined]);
      assert.equal((clusterIPOnly.spec as Record<string, unknown>).externalTrafficPolicy, undefined);
      assert.equal(c.allocator.isAllocated(port!), false);
      assert.equal(c.allocator.isAllocated(clusterIP(created)!), true);
      const lb = await c.update("web", (obj) => ((obj.spec as Record<string, unknown>).type = "LoadBalancer"));
      assert.ok(nodePorts(lb)[0]! >= 30000);
    } finally {
      c.stop();
    }
  });

  it("a new allocator over the same store knows every allocation", async () => {
    const first = await cluster();
    const created = await first.create({ type: "NodePort", ports: [{ port: 80 }] }, "kept");
    first.stop();
    const second = await cluster(first.store);
    try {
      assert.equal(second.allocator.isAllocated(clusterIP(created)!), true);
      assert.equal(second.allocator.isAllocated(nodePorts(created)[0]!), true);
      await assert.rejects(second.create(spec({ clusterIP: clusterIP(created) }), "clash"), message(/provided IP is already allocated/));
    } finally {
      second.stop();
    }
  });
});
