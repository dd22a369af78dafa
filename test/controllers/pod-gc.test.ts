// The pod garbage collector against a real server, with a small terminated-pod threshold and a
// short node quarantine: pods bound to a node that does not exist are marked Failed and
// force-deleted (terminating ones too), pods on existing nodes stay, and terminated pods beyond
// the threshold go oldest first.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StatusError } from "../../src/api/errors.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import type { TestServer } from "../support/test-server.js";
import { startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
const THRESHOLD = 2;

function pod(name: string, nodeName: string): KubeObject {
  return { metadata: { name, labels: { test: "pod-gc" } }, spec: { nodeName, containers: [{ name: "c", image: "nginx" }] } };
}

describe("pod garbage collector", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory", controllerSettings: { terminatedPodGCThreshold: THRESHOLD, nodeMonitorGracePeriodMs: 300 } }));
    await client.create(NODES, undefined, { metadata: { name: "present-node" } });
  });
  after(() => server.close());

  async function podOrUndefined(name: string): Promise<KubeObject | undefined> {
    try {
      return await client.get(PODS, "default", name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  it("removes the orphaned pods of a missing node, terminating ones included, and keeps the others", async () => {
    await client.create(PODS, "default", pod("orphan", "missing-node"));
    await client.create(PODS, "default", pod("terminating-orphan", "missing-node"));
    await client.delete(PODS, "default", "terminating-orphan");
    assert.ok((await podOrUndefined("terminating-orphan"))?.metadata?.deletionTimestamp, "a bound pod terminates gracefully first");
    await client.create(PODS, "default", pod("kept", "present-node"));
    await waitFor(async () => (await podOrUndefined("orphan")) === undefined, "the orphaned pod to be deleted");
    await waitFor(async () => (await podOrUndefined("terminating-orphan")) === undefined, "the terminating orphaned pod to be force-deleted");
    assert.ok(await podOrUndefined("kept"), "a pod on an existing node stays");
  });

  it("keeps terminated pods under the threshold, deleting the oldest first", async () => {
    for (const name of ["done-1", "done-2", "done-3", "done-4"]) {
      await client.create(PODS, "default", pod(name, "present-node"));
      await client.patch(PODS, "default", name, "merge", { status: { phase: name === "done-2" ? "Failed" : "Succeeded" } }, { subresource: "status" });
    }
    await waitFor(async () => {
      const remaining = (await client.list(PODS, { namespace: "default", labelSelector: "test=pod-gc" })).items.map((p) => p.metadata?.name).filter((n) => n?.startsWith("done-"));
      return remaining.length === THRESHOLD && remaining;
    }, `${THRESHOLD} terminated pods left`);
    // Same-second creation timestamps: the name breaks the tie, as upstream.
    assert.equal(await podOrUndefined("done-1"), undefined);
    assert.equal(await podOrUndefined("done-2"), undefined);
    assert.ok(await podOrUndefined("done-3"));
    assert.ok(await podOrUndefined("done-4"));
    assert.ok(await podOrUndefined("kept"), "running pods do not count");
  });
});
