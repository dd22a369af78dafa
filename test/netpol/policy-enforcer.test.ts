// The node's policy enforcer against a real API server (in-process client, no root): it applies a
// table once its caches sync, re-applies within a second of a policy, pod or namespace change,
// skips applies that would change nothing, and turns drop counters into the metric and an event.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client } from "../../src/client/client.js";
import { EventRecorder } from "../../src/client/event-recorder.js";
import { createLogger } from "../../src/log.js";
import type { PolicyTable } from "../../src/netpol/nft-table.js";
import { NETWORK_POLICIES, PolicyEnforcer } from "../../src/netpol/policy-enforcer.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { waitFor } from "../controllers/mark-ready.js";

/** Records applied scripts; counters are whatever the test sets. */
class RecordingTable implements PolicyTable {
  scripts: string[] = [];
  drops = new Map<string, number>();
  async prepare(): Promise<void> {}
  async apply(script: string): Promise<void> {
    this.scripts.push(script);
  }
  async counters(): Promise<Map<string, number>> {
    return new Map(this.drops);
  }
  get last(): string {
    return this.scripts.at(-1) ?? "";
  }
}

describe("network policy enforcer", () => {
  let server: TestServer;
  let client: Client;
  let table: RecordingTable;
  let registry: Registry;
  let enforcer: PolicyEnforcer;
  const pod = (name: string, labels: Record<string, string>, ip: string, ns = "default"): Promise<KubeObject> =>
    client
      .create(CORE_V1("pods"), ns, { apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { nodeName: "node-a", containers: [{ name: "c", image: "busybox" }] } })
      .then((created) => client.patch(CORE_V1("pods"), ns, name, "merge", { metadata: { uid: created.metadata?.uid }, status: { phase: "Running", podIP: ip, podIPs: [{ ip }] } }, { subresource: "status" }));

  before(async () => {
    server = await startTestServer();
    client = server.client({ name: "system:admin", groups: ["system:masters", "system:authenticated"] }, "test");
    const log = createLogger("error");
    table = new RecordingTable();
    registry = new Registry();
    await client.create(CORE_V1("namespaces"), undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } });
    await pod("api", { app: "api" }, "10.42.0.2");
    await pod("web", { app: "web" }, "10.42.0.3", "shop");
    enforcer = new PolicyEnforcer({ client, nodeName: "node-a", table, registry, log, recorder: new EventRecorder({ client, component: "kubelet", host: "node-a", log }) });
    enforcer.start();
  });
  after(async () => {
    await enforcer?.stop();
    await server?.close();
  });

  it("applies a table without pod chains while no policy selects a pod", async () => {
    await waitFor(async () => table.scripts.length === 1, "the first apply");
    assert.doesNotMatch(table.last, /jump/);
  });

  it("re-applies within a second of a policy, then of a namespace label it depends on", async () => {
    let started = Date.now();
    await client.create(NETWORK_POLICIES, "default", {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "api-allow" },
      spec: { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "shop" } } }] }] },
    });
    await waitFor(async () => /10\.42\.0\.2 : jump i0/.test(table.last), "the api pod's chain", 1_000);
    assert.ok(Date.now() - started < 1_000);
    assert.doesNotMatch(table.last, /10\.42\.0\.3/, "no namespace has team=shop yet");
    started = Date.now();
    await client.patch(CORE_V1("namespaces"), undefined, "shop", "merge", { metadata: { labels: { team: "shop" } } });
    await waitFor(async () => /elements = \{ 10\.42\.0\.3 \}/.test(table.last), "the web pod as a peer", 1_000);
    assert.ok(Date.now() - started < 1_000);
  });

  it("does not re-apply when a change leaves the table as it is", async () => {
    const applies = table.scripts.length;
    await client.patch(CORE_V1("pods"), "default", "api", "merge", { metadata: { annotations: { note: "irrelevant" } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(table.scripts.length, applies);
  });

  it("counts dropped packets per policy and records a BlockedTraffic event on it", async () => {
    table.drops.set("drop0", 7);
    await waitFor(async () => /kubelite_network_policy_drops_total\{namespace="default",policy="api-allow",direction="ingress"\} 7/.test(await registry.metrics()), "the metric", 10_000);
    const events = await waitFor(async () => {
      const list = await client.list(CORE_V1("events"), { namespace: "default", fieldSelector: "involvedObject.name=api-allow,reason=BlockedTraffic" });
      return list.items.length > 0 && list.items;
    }, "the event", 5_000);
    assert.match(String((events[0] as { message?: string }).message), /Blocked ingress traffic of pods it isolates on node node-a/);
  });
});
