// The namespace controller and the API's namespace lifecycle against a real server and the real
// kubectl: deleting a namespace turns it Terminating, refuses new content, removes everything in
// it, reports what still holds it in status conditions, and purges it once the `kubernetes`
// finalizer is gone through the finalize subresource.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const NAMESPACES = CORE_V1("namespaces");
const CONFIGMAPS = CORE_V1("configmaps");

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe("namespace controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  async function kubectl(args: string[], input?: string): Promise<string> {
    const result = await server.kubectl(args, { input });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  async function namespaceOrUndefined(name: string): Promise<KubeObject | undefined> {
    try {
      return await client.get(NAMESPACES, undefined, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  it("kubectl delete namespace removes everything in it and then the namespace", async () => {
    await kubectl(["create", "namespace", "team-a"]);
    await kubectl(["create", "configmap", "settings", "-n", "team-a", "--from-literal=k=v"]);
    await kubectl(["create", "secret", "generic", "token", "-n", "team-a", "--from-literal=k=v"]);
    await kubectl(["run", "web", "--image=nginx", "-n", "team-a"]);
    await kubectl(["create", "service", "clusterip", "web", "--tcp=80:80", "-n", "team-a"]);
    const out = await kubectl(["delete", "namespace", "team-a", "--timeout=30s"]);
    assert.match(out, /namespace "team-a" deleted/);
    // kubectl waited until the namespace was gone.
    assert.equal(await namespaceOrUndefined("team-a"), undefined);
    for (const resource of ["configmaps", "secrets", "pods", "services", "serviceaccounts"]) {
      assert.deepEqual((await client.list(CORE_V1(resource), { namespace: "team-a" })).items, [], `no ${resource} left`);
    }
  });

  it("refuses to create content in a terminating namespace and reports what holds it", async () => {
    await client.create(NAMESPACES, undefined, { metadata: { name: "team-b" } });
    await client.create(CONFIGMAPS, "team-b", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    await kubectl(["delete", "namespace", "team-b", "--wait=false"]);
    const terminating = await namespaceOrUndefined("team-b");
    assert.equal((terminating?.status as { phase?: string }).phase, "Terminating");

    const refused = await server.kubectl(["create", "configmap", "late", "-n", "team-b"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /configmaps "late" is forbidden: unable to create new content in namespace team-b because it is being terminated/);
    await assert.rejects(client.create(CONFIGMAPS, "team-b", { metadata: { name: "late" } }), (err: unknown) => err instanceof StatusError && err.code === 403);

    const conditions = await waitFor(async () => {
      const ns = await namespaceOrUndefined("team-b");
      const got = (ns?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
      return got.some((c) => c.type === "NamespaceFinalizersRemaining" && c.status === "True") && got;
    }, "the NamespaceFinalizersRemaining condition");
    const byType = new Map(conditions.map((c) => [c.type, c]));
    assert.equal(byType.get("NamespaceContentRemaining")?.message, "Some resources are remaining: configmaps. has 1 resource instances");
    assert.equal(byType.get("NamespaceFinalizersRemaining")?.message, "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
    assert.equal(byType.get("NamespaceDeletionDiscoveryFailure")?.reason, "ResourcesDiscovered");
    assert.deepEqual((await namespaceOrUndefined("team-b"))?.spec, { finalizers: ["kubernetes"] });

    await client.patch(CONFIGMAPS, "team-b", "held", "merge", { metadata: { finalizers: null } });
    await waitFor(async () => (await namespaceOrUndefined("team-b")) === undefined, "team-b to be purged", 30_000);
  });

  it("the finalize subresource writes only spec.finalizers and is listed in discovery", async () => {
    const created = await client.create(NAMESPACES, undefined, { metadata: { name: "team-c" }, spec: { finalizers: ["kubernetes", "example.com/extra"] } });
    const body = { ...created, metadata: { ...created.metadata, labels: { changed: "yes" } }, spec: { finalizers: ["example.com/extra"] } };
    const finalized = await kubectl(["replace", "--raw", "/api/v1/namespaces/team-c/finalize", "-f", "-"], JSON.stringify(body));
    const replied = JSON.parse(finalized) as KubeObject;
    assert.deepEqual(replied.spec, { finalizers: ["example.com/extra"] });
    assert.equal(replied.metadata?.labels?.changed, undefined);
    assert.equal((replied.status as { phase?: string }).phase, "Active");
    const discovery = JSON.parse(await kubectl(["get", "--raw", "/api/v1"])) as { resources: { name: string; verbs: string[] }[] };
    assert.deepEqual(discovery.resources.find((r) => r.name === "namespaces/finalize")?.verbs, ["update"]);
  });

  it("a namespace with another spec finalizer stays Terminating until that one is finalized too", async () => {
    await kubectl(["delete", "namespace", "team-c", "--wait=false"]);
    const held = await waitFor(async () => {
      const ns = await namespaceOrUndefined("team-c");
      const finalizers = (ns?.spec as { finalizers?: string[] } | undefined)?.finalizers;
      return finalizers?.length === 1 && ns;
    }, "the namespace controller to finalize its own entry");
    assert.deepEqual(held.spec, { finalizers: ["example.com/extra"] });
    await client.update(NAMESPACES, undefined, { ...held, spec: { finalizers: [] } }, { subresource: "finalize" });
    assert.equal(await namespaceOrUndefined("team-c"), undefined);
  });
});
