// The ReplicaSet controller against a real server: it creates and deletes pods to match
// spec.replicas (least valuable first), adopts and releases pods by selector, replaces lost pods
// and reports status; plus table-driven checks of its pure parts (deletion ranking, slow start,
// status conditions). Pods are made Ready by the test, playing the kubelet.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { APPS_V1, CORE_V1, type Client } from "../../src/client/client.js";
import { slowStartBatch } from "../../src/controllers/slow-start.js";
import type { Pod } from "../../src/controllers/pods.js";
import type { ReplicaSet } from "../../src/controllers/replicaset/objects.js";
import { getPodsToDelete } from "../../src/controllers/replicaset/pod-ranking.js";
import { calculateStatus } from "../../src/controllers/replicaset/status.js";
import type { TestServer } from "../support/test-server.js";
import { createNamespace, startAdminServer } from "./fixtures.js";
import { isReady, markPodReady, waitFor } from "./mark-ready.js";

const RS = APPS_V1("replicasets");
const PODS = CORE_V1("pods");

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
      ...extra,
    },
  };
}

async function activePods(client: Client, namespace: string, app: string): Promise<KubeObject[]> {
  const list = await client.list(PODS, { namespace, labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

async function podsOwnedBy(client: Client, namespace: string, rs: KubeObject): Promise<KubeObject[]> {
  const pods = await activePods(client, namespace, rs.metadata?.name ?? "");
  return pods.filter((p) => p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata?.uid && r.controller));
}

describe("replicaset controller", () => {
  let server: TestServer;
  let client: Client;
  before(async () => {
    ({ server, client } = await startAdminServer({ datastore: "memory" }));
  });
  after(() => server.close());

  const namespace = (name: string): Promise<string> => createNamespace(client, name);

  it("creates the replicas it wants, as its own pods from its template", async () => {
    const ns = await namespace("rs-create");
    const rs = await client.create(RS, ns, replicaSet("web", 3));
    const pods = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 3 && owned;
    }, "3 pods");
    for (const pod of pods) {
      assert.ok(pod.metadata?.name?.startsWith("web-"));
      assert.equal(pod.metadata?.labels?.tier, "web");
      const ref = pod.metadata?.ownerReferences?.[0];
      assert.deepEqual(ref, { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true });
    }
    const events = await waitFor(async () => {
      const list = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "reason=SuccessfulCreate" });
      return list.items.length === 3 && list.items;
    }, "SuccessfulCreate events");
    assert.match(String(events[0]?.message), /^Created pod: web-/);
    const status = await waitFor(async () => {
      const got = (await client.get(RS, ns, "web")) as ReplicaSet;
      return got.status?.replicas === 3 && got.status;
    }, "status.replicas 3");
    assert.equal(status.fullyLabeledReplicas, 3);
    assert.equal(status.observedGeneration, 1);
  });

  it("deletes the extra pods that are not ready first when scaled down", async () => {
    const ns = await namespace("rs-scale-down");
    const rs = await client.create(RS, ns, replicaSet("api", 5));
    const pods = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 5 && owned;
    }, "5 pods");
    const keep = pods.slice(0, 3).map((p) => p.metadata?.name ?? "");
    for (const name of keep) await markPodReady(client, ns, name);
    await waitFor(async () => ((await client.get(RS, ns, "api")).status as { readyReplicas?: number }).readyReplicas === 3, "3 ready replicas");
    await client.patch(RS, ns, "api", "merge", { spec: { replicas: 3 } });
    const left = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 3 && owned;
    }, "3 pods left");
    assert.deepEqual(left.map((p) => p.metadata?.name).sort(), [...keep].sort());
    const status = await waitFor(async () => {
      const got = (await client.get(RS, ns, "api")) as ReplicaSet;
      return got.status?.replicas === 3 && got.status?.observedGeneration === 2 && got.status;
    }, "status after scale down");
    assert.equal(status.readyReplicas, 3);
    assert.equal(status.availableReplicas, 3);
    const deletes = await client.list(CORE_V1("events"), { namespace: ns, fieldSelector: "reason=SuccessfulDelete" });
    assert.equal(deletes.items.length, 2);
    assert.match(String(deletes.items[0]?.message), /^Deleted pod: api-/);
  });

  it("adopts an orphan pod that matches its selector instead of creating another", async () => {
    const ns = await namespace("rs-adopt");
    await client.create(PODS, ns, { metadata: { name: "stray", labels: { app: "cache" } }, spec: { containers: [{ name: "c", image: "redis" }] } });
    const rs = await client.create(RS, ns, replicaSet("cache", 2));
    const pods = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 2 && owned;
    }, "2 pods");
    assert.ok(pods.some((p) => p.metadata?.name === "stray"));
    const stray = await client.get(PODS, ns, "stray");
    assert.equal(stray.metadata?.ownerReferences?.length, 1);
    assert.equal(stray.metadata?.ownerReferences?.[0]?.blockOwnerDeletion, true);
    assert.equal((await activePods(client, ns, "cache")).length, 2);
  });

  it("replaces a pod that was deleted", async () => {
    const ns = await namespace("rs-replace");
    const rs = await client.create(RS, ns, replicaSet("queue", 2));
    const pods = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 2 && owned;
    }, "2 pods");
    const victim = pods[0]?.metadata?.name ?? "";
    await client.delete(PODS, ns, victim);
    const after = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 2 && !owned.some((p) => p.metadata?.name === victim) && owned;
    }, "a replacement pod");
    assert.equal(after.length, 2);
  });

  it("releases a pod whose labels no longer match and starts another", async () => {
    const ns = await namespace("rs-release");
    const rs = await client.create(RS, ns, replicaSet("worker", 1));
    const [pod] = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 1 && owned;
    }, "1 pod");
    const name = pod?.metadata?.name ?? "";
    await client.patch(PODS, ns, name, "merge", { metadata: { labels: { app: "debug" } } });
    await waitFor(async () => ((await client.get(PODS, ns, name)).metadata?.ownerReferences ?? []).length === 0, "the pod released");
    await waitFor(async () => (await podsOwnedBy(client, ns, rs)).length === 1, "a new pod");
  });

  it("counts a ready pod as available only after minReadySeconds", async () => {
    const ns = await namespace("rs-min-ready");
    const rs = await client.create(RS, ns, replicaSet("slow", 1, { minReadySeconds: 1 }));
    const [pod] = await waitFor(async () => {
      const owned = await podsOwnedBy(client, ns, rs);
      return owned.length === 1 && owned;
    }, "1 pod");
    await markPodReady(client, ns, pod?.metadata?.name ?? "");
    const ready = await waitFor(async () => {
      const got = (await client.get(RS, ns, "slow")) as ReplicaSet;
      return got.status?.readyReplicas === 1 && got.status;
    }, "ready");
    assert.equal(ready.availableReplicas, undefined);
    await waitFor(async () => ((await client.get(RS, ns, "slow")) as ReplicaSet).status?.availableReplicas === 1, "available after minReadySeconds", 10_000);
    assert.ok(isReady(await client.get(PODS, ns, pod?.metadata?.name ?? "")));
  });
});

describe("replicaset controller logic", () => {
  const now = Date.UTC(2025, 0, 1, 12);
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  function pod(name: string, opts: { node?: string; phase?: string; ready?: boolean; readySecondsAgo?: number; restarts?: number; createdSecondsAgo?: number; cost?: string } = {}): Pod {
    return {
      metadata: { name, uid: name, creationTimestamp: at(opts.createdSecondsAgo ?? 100), ...(opts.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": opts.cost } } : {}) },
      spec: opts.node ? { nodeName: opts.node } : {},
      status: {
        phase: opts.phase ?? "Running",
        conditions: opts.ready === false ? [] : [{ type: "Ready", status: "True", lastTransitionTime: at(opts.readySecondsAgo ?? 50) }],
        containerStatuses: [{ name: "c", restartCount: opts.restarts ?? 0 }],
      },
    };
  }
  const cases: { name: string; pods: Pod[]; first: string }[] = [
    { name: "an unassigned pod goes before an assigned one", pods: [pod("assigned", { node: "n1" }), pod("unassigned")], first: "unassigned" },
    { name: "a pending pod goes before a running one", pods: [pod("running", { node: "n1" }), pod("pending", { node: "n1", phase: "Pending" })], first: "pending" },
    { name: "a pod that is not ready goes before a ready one", pods: [pod("ready", { node: "n1" }), pod("not-ready", { node: "n1", ready: false })], first: "not-ready" },
    { name: "a lower deletion cost goes first", pods: [pod("costly", { node: "n1", cost: "100" }), pod("cheap", { node: "n2", cost: "-5" })], first: "cheap" },
    { name: "a doubled-up pod goes before a lone one", pods: [pod("alone", { node: "n1" }), pod("crowded", { node: "n2" }), pod("crowded-2", { node: "n2" })], first: "crowded" },
    { name: "the pod ready for less time goes first", pods: [pod("old-ready", { node: "n1", readySecondsAgo: 5000 }), pod("new-ready", { node: "n2", readySecondsAgo: 2 })], first: "new-ready" },
    { name: "more restarts go first", pods: [pod("stable", { node: "n1" }), pod("flaky", { node: "n2", restarts: 7 })], first: "flaky" },
    { name: "the newer pod goes first", pods: [pod("older", { node: "n1", createdSecondsAgo: 10000 }), pod("newer", { node: "n2", createdSecondsAgo: 3 })], first: "newer" },
  ];
  for (const c of cases) {
    it(`ranks pods for deletion: ${c.name}`, () => {
      const [victim] = getPodsToDelete(c.pods, c.pods, 1, now);
      assert.equal(victim?.metadata.name, c.first);
    });
  }

  it("creates in slow-start batches of 1, 2, 4 and stops after a failing batch", async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const [successes, err] = await slowStartBatch(10, 1, async () => {
      const call = ++calls;
      if (++inFlight === 1) batches.push(0);
      batches[batches.length - 1] = (batches.at(-1) ?? 0) + 1;
      await Promise.resolve();
      inFlight -= 1;
      if (call === 5) throw new Error("quota exceeded");
    });
    assert.deepEqual(batches, [1, 2, 4]);
    assert.equal(calls, 7);
    assert.equal(successes, 6);
    assert.equal((err as Error).message, "quota exceeded");
  });

  it("reports a ReplicaFailure condition while pods cannot be created and clears it after", () => {
    const rs: ReplicaSet = { metadata: { name: "x", generation: 1 }, spec: { replicas: 2, template: { metadata: { labels: { app: "x" } } } } };
    const failing = calculateStatus(rs, [], new Error("pods \"x-1\" is forbidden: exceeded quota"), now);
    assert.equal(failing.replicas, 0);
    assert.deepEqual(failing.conditions, [{ type: "ReplicaFailure", status: "True", lastTransitionTime: at(0), reason: "FailedCreate", message: "pods \"x-1\" is forbidden: exceeded quota" }]);
    const healed = calculateStatus({ ...rs, status: failing }, [], undefined, now);
    assert.equal(healed.conditions, undefined);
  });
});
