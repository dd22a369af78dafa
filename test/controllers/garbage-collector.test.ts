// The garbage collector against a real server and the real kubectl: ConfigMaps own Secrets through
// ownerReferences carrying the owner's uid, and deleting the owner with each propagation policy
// (background by default, --cascade=foreground, --cascade=orphan) does to the dependents what
// upstream does; dependents of owners that never existed are collected.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject, OwnerReference } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const CONFIGMAPS = CORE_V1("configmaps");
const SECRETS = CORE_V1("secrets");
const HOLD = "example.com/hold";

describe("garbage collector", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
    await createNamespace(client, "gc");
  });
  after(() => server.close());

  async function owner(name: string): Promise<KubeObject> {
    return client.create(CONFIGMAPS, "gc", { metadata: { name }, data: { role: "owner" } });
  }

  function refTo(obj: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
    return { apiVersion: "v1", kind: "ConfigMap", name: obj.metadata?.name ?? "", uid: obj.metadata?.uid ?? "", ...extra };
  }

  async function dependent(name: string, owners: OwnerReference[], finalizers?: string[]): Promise<KubeObject> {
    return client.create(SECRETS, "gc", { metadata: { name, ownerReferences: owners, ...(finalizers ? { finalizers } : {}) }, stringData: { k: "v" } });
  }

  async function exists(ref: typeof SECRETS, name: string): Promise<KubeObject | undefined> {
    try {
      return await client.get(ref, "gc", name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  async function gone(ref: typeof SECRETS, name: string): Promise<true> {
    return waitFor(async () => (await exists(ref, name)) === undefined, `${ref.resource}/${name} to be gone`);
  }

  async function kubectl(args: string[]): Promise<string> {
    const result = await server.kubectl([...args, "-n", "gc"]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  }

  it("deleting an owner with the default background propagation removes its dependents", async () => {
    const cm = await owner("owner-bg");
    await dependent("bg-1", [refTo(cm)]);
    await dependent("bg-2", [refTo(cm, { controller: true, blockOwnerDeletion: true })]);
    assert.match(await kubectl(["delete", "configmap", "owner-bg"]), /configmap "owner-bg" deleted/);
    await gone(SECRETS, "bg-1");
    await gone(SECRETS, "bg-2");
  });

  it("deleting an owner through the API without a policy collects its dependents too", async () => {
    const cm = await owner("owner-api");
    await dependent("api-1", [refTo(cm)]);
    await client.delete(CONFIGMAPS, "gc", "owner-api");
    await gone(SECRETS, "api-1");
  });

  it("kubectl delete --cascade=foreground keeps the owner until its blocking dependents are gone", async () => {
    const cm = await owner("owner-fg");
    await dependent("fg-held", [refTo(cm, { blockOwnerDeletion: true })], [HOLD]);
    await dependent("fg-free", [refTo(cm, { blockOwnerDeletion: true })]);
    await kubectl(["delete", "configmap", "owner-fg", "--cascade=foreground", "--wait=false"]);
    await gone(SECRETS, "fg-free");
    const held = await waitFor(async () => (await exists(SECRETS, "fg-held"))?.metadata?.deletionTimestamp !== undefined, "the held dependent to be deleting");
    assert.equal(held, true);
    const waiting = await exists(CONFIGMAPS, "owner-fg");
    assert.ok(waiting?.metadata?.deletionTimestamp, "the owner waits with a deletionTimestamp");
    assert.deepEqual(waiting?.metadata?.finalizers, ["foregroundDeletion"]);
    await client.patch(SECRETS, "gc", "fg-held", "merge", { metadata: { finalizers: null } });
    await gone(CONFIGMAPS, "owner-fg");
  });

  it("kubectl delete --cascade=foreground returns once the owner and its dependents are gone", async () => {
    const cm = await owner("owner-fg-wait");
    await dependent("fgw-1", [refTo(cm, { controller: true, blockOwnerDeletion: true })]);
    assert.match(await kubectl(["delete", "configmap", "owner-fg-wait", "--cascade=foreground", "--timeout=20s"]), /deleted/);
    assert.equal(await exists(CONFIGMAPS, "owner-fg-wait"), undefined);
    assert.equal(await exists(SECRETS, "fgw-1"), undefined);
  });

  it("foreground deletion of an owner deletes dependents that have dependents of their own in foreground too", async () => {
    const top = await owner("fg-top");
    const middle = await client.create(CONFIGMAPS, "gc", { metadata: { name: "fg-middle", ownerReferences: [refTo(top, { blockOwnerDeletion: true })] } });
    await dependent("fg-leaf", [refTo(middle, { blockOwnerDeletion: true })], [HOLD]);
    await client.delete(CONFIGMAPS, "gc", "fg-top", { propagationPolicy: "Foreground" });
    const waitingMiddle = await waitFor(async () => {
      const got = await exists(CONFIGMAPS, "fg-middle");
      return got?.metadata?.deletionTimestamp !== undefined && got;
    }, "the middle owner to be deleting");
    assert.deepEqual(waitingMiddle.metadata?.finalizers, ["foregroundDeletion"]);
    await waitFor(async () => (await exists(SECRETS, "fg-leaf"))?.metadata?.deletionTimestamp !== undefined, "the leaf to be deleting");
    assert.ok((await exists(CONFIGMAPS, "fg-top"))?.metadata?.deletionTimestamp, "the top owner still waits");
    await client.patch(SECRETS, "gc", "fg-leaf", "merge", { metadata: { finalizers: null } });
    await gone(CONFIGMAPS, "fg-middle");
    await gone(CONFIGMAPS, "fg-top");
  });

  it("kubectl delete --cascade=orphan leaves the dependents without the ownerReference", async () => {
    const cm = await owner("owner-orphan");
    const other = await owner("other-owner");
    await dependent("orphan-1", [refTo(cm, { controller: true, blockOwnerDeletion: true })]);
    await dependent("orphan-2", [refTo(cm), refTo(other)]);
    await kubectl(["delete", "configmap", "owner-orphan", "--cascade=orphan", "--timeout=20s"]);
    assert.equal(await exists(CONFIGMAPS, "owner-orphan"), undefined);
    const first = await exists(SECRETS, "orphan-1");
    assert.ok(first, "orphan-1 survives its owner");
    assert.equal(first.metadata?.ownerReferences, undefined);
    const second = await exists(SECRETS, "orphan-2");
    assert.deepEqual(second?.metadata?.ownerReferences?.map((r) => r.name), ["other-owner"]);
  });

  it("deleting a batch/v1 Job without a policy orphans its dependents, upstream's default for Jobs", async () => {
    const job = await client.create({ group: "batch", version: "v1", resource: "jobs" }, "gc", {
      metadata: { name: "legacy-job" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
    });
    await dependent("job-output", [{ apiVersion: "batch/v1", kind: "Job", name: "legacy-job", uid: job.metadata?.uid ?? "" }]);
    await client.delete({ group: "batch", version: "v1", resource: "jobs" }, "gc", "legacy-job");
    await waitFor(async () => (await exists({ group: "batch", version: "v1", resource: "jobs" }, "legacy-job")) === undefined, "the job to be gone");
    assert.equal((await exists(SECRETS, "job-output"))?.metadata?.ownerReferences, undefined);
  });

  it("collects a dependent whose owner uid never existed", async () => {
    await dependent("never-owned", [{ apiVersion: "v1", kind: "ConfigMap", name: "no-such-owner", uid: randomUUID() }]);
    await gone(SECRETS, "never-owned");
  });

  it("collects a dependent whose owner name exists with another uid", async () => {
    const cm = await owner("reused-name");
    await dependent("stale-uid", [{ ...refTo(cm), uid: randomUUID() }]);
    await gone(SECRETS, "stale-uid");
    assert.ok(await exists(CONFIGMAPS, "reused-name"), "the unrelated object of that name stays");
  });

  it("keeps a dependent with one live owner and drops its dangling reference", async () => {
    const cm = await owner("live-owner");
    await dependent("half-owned", [refTo(cm), { apiVersion: "v1", kind: "ConfigMap", name: "vanished", uid: randomUUID() }]);
    const refs = await waitFor(async () => {
      const got = await exists(SECRETS, "half-owned");
      return got?.metadata?.ownerReferences?.length === 1 && got.metadata.ownerReferences;
    }, "the dangling reference to be removed");
    assert.equal(refs[0]?.name, "live-owner");
  });

  it("deletes a whole chain of owners in the background", async () => {
    const top = await owner("chain-top");
    const middle = await client.create(CONFIGMAPS, "gc", { metadata: { name: "chain-middle", ownerReferences: [refTo(top)] } });
    await dependent("chain-leaf", [refTo(middle)]);
    await client.delete(CONFIGMAPS, "gc", "chain-top", { propagationPolicy: "Background" });
    await gone(CONFIGMAPS, "chain-middle");
    await gone(SECRETS, "chain-leaf");
  });
});
