// @kubernetes/client-node, unchanged, against a real kubelite server: typed CRUD calls and an
// informer that sees ADDED, MODIFIED and DELETED through list-then-watch.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("@kubernetes/client-node against kubelite", () => {
  let server: TestServer;
  let kc: k8s.KubeConfig;

  before(async () => {
    server = await startTestServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
  });
  after(() => server.close());

  it("creates, reads, updates and deletes through the typed API", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "typed" }, data: { a: "1" } } });
    const read = await core.readNamespacedConfigMap({ namespace: "default", name: "typed" });
    assert.equal(read.data?.a, "1");
    read.data = { a: "2" };
    const replaced = await core.replaceNamespacedConfigMap({ namespace: "default", name: "typed", body: read });
    assert.equal(replaced.data?.a, "2");
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    await core.deleteNamespacedConfigMap({ namespace: "default", name: "typed" });
    await assert.rejects(core.readNamespacedConfigMap({ namespace: "default", name: "typed" }), (err: { code?: number }) => err.code === 404);
  });

  it("an informer sees objects added, modified and deleted", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, "/api/v1/namespaces/default/configmaps", () => core.listNamespacedConfigMap({ namespace: "default" }));
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`ADDED ${o.metadata?.name}`));
    informer.on("update", (o) => seen.push(`MODIFIED ${o.metadata?.name} ${JSON.stringify(o.data)}`));
    informer.on("delete", (o) => seen.push(`DELETED ${o.metadata?.name}`));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "watched" }, data: { v: "1" } } });
      await waitFor(() => seen.includes("ADDED watched"));
      await core.patchNamespacedConfigMap({ namespace: "default", name: "watched", body: { data: { v: "2" } } }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch));
      await waitFor(() => seen.includes('MODIFIED watched {"v":"2"}'));
      await core.deleteNamespacedConfigMap({ namespace: "default", name: "watched" });
      await waitFor(() => seen.includes("DELETED watched"));
      assert.equal(informer.get("watched", "default"), undefined);
    } finally {
      await informer.stop();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the informer");
    await new Promise((r) => setTimeout(r, 20));
  }
}
