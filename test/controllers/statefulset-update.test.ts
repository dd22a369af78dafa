// The StatefulSet sync's decisions (src/controllers/statefulset/update.ts), table by table, with a
// recording stand-in for the pod and claim writes: which pod is created or deleted next under
// OrderedReady and Parallel, scale-down order, failed pods, the rolling update's order, partition,
// maxUnavailable and OnDelete, ordinals.start, and the revision a missing pod is built at.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatefulPod, StatefulSet, StatefulSetSpec } from "../../src/controllers/statefulset/objects.js";
import type { StatefulPodActions } from "../../src/controllers/statefulset/stateful-pod-control.js";
import { updateStatefulSet, type UpdateResult } from "../../src/controllers/statefulset/update.js";

const NOW = Date.parse("2026-01-01T00:10:00Z");
const LONG_AGO = "2026-01-01T00:00:00Z";
const OLD = "web-old";
const NEW = "web-new";

function set(spec: Partial<StatefulSetSpec> = {}, status: StatefulSet["status"] = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "set-uid", generation: 1 },
    spec: {
      replicas: 3,
      serviceName: "web",
      podManagementPolicy: "OrderedReady",
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
      ...spec,
    },
    status,
  };
}

type PodState = "ready" | "pending" | "failed" | "terminating" | "unready";

/** Pod `ordinal` of web at a revision, in a state. */
function pod(ordinal: number, revision = OLD, state: PodState = "ready"): StatefulPod {
  const ready = state === "ready" || state === "terminating";
  const phase = state === "pending" ? "Pending" : state === "failed" ? "Failed" : "Running";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `web-${ordinal}`,
      namespace: "default",
      uid: `pod-${ordinal}`,
      labels: { app: "web", "statefulset.kubernetes.io/pod-name": `web-${ordinal}`, "controller-revision-hash": revision },
      ...(state === "terminating" ? { deletionTimestamp: LONG_AGO } : {}),
    },
    spec: { hostname: `web-${ordinal}`, subdomain: "web" },
    status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: LONG_AGO }] },
  };
}

/** Records what the sync asks for, in order; writes succeed. */
class RecordingControl implements StatefulPodActions {
  readonly actions: string[] = [];
  readonly created: StatefulPod[] = [];
  async createStatefulPod(_set: StatefulSet, p: StatefulPod): Promise<void> {
    this.actions.push(`create ${p.metadata.name}`);
    this.created.push(p);
  }
  async updateStatefulPod(_set: StatefulSet, p: StatefulPod): Promise<void> {
    this.actions.push(`update ${p.metadata.name}`);
  }
  async deleteStatefulPod(_set: StatefulSet, p: StatefulPod): Promise<void> {
    this.actions.push(`delete ${p.metadata.name}`);
  }
  async createMissingPersistentVolumeClaims(): Promise<void> {}
  claimsMatchRetentionPolicy(): boolean {
    return true;
  }
  async updatePodClaimForRetentionPolicy(): Promise<void> {}
  podClaimIsStale(): boolean {
    return false;
  }
}

async function sync(s: StatefulSet, pods: StatefulPod[], revisions: { current?: string; update?: string } = {}): Promise<{ actions: string[]; control: RecordingControl; result: UpdateResult }> {
  const control = new RecordingControl();
  const result = await updateStatefulSet({
    set: s, pods, control, nowMs: NOW, collisionCount: 0,
    currentSet: s, updateSet: s, currentRevision: revisions.current ?? OLD, updateRevision: revisions.update ?? OLD,
  });
  assert.equal(result.error, undefined);
  return { actions: control.actions, control, result };
}

describe("statefulset sync: creating and scaling", () => {
  it("OrderedReady creates only the lowest missing ordinal", async () => {
    assert.deepEqual((await sync(set(), [])).actions, ["create web-0"]);
  });

  it("OrderedReady waits while a lower ordinal is not Running and Ready", async () => {
    assert.deepEqual((await sync(set(), [pod(0, OLD, "pending")])).actions, []);
    assert.deepEqual((await sync(set(), [pod(0, OLD, "unready")])).actions, []);
    assert.deepEqual((await sync(set(), [pod(0)])).actions, ["create web-1"]);
  });

  it("OrderedReady waits minReadySeconds after ready", async () => {
    const fresh = pod(0);
    fresh.status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(NOW - 5_000).toISOString() }] };
    assert.deepEqual((await sync(set({ minReadySeconds: 10 }), [fresh])).actions, []);
    assert.deepEqual((await sync(set({ minReadySeconds: 10 }), [pod(0)])).actions, ["create web-1"]);
  });

  it("Parallel creates every missing pod at once", async () => {
    assert.deepEqual((await sync(set({ podManagementPolicy: "Parallel" }), [])).actions.sort(), ["create web-0", "create web-1", "create web-2"]);
  });

  it("numbers pods from ordinals.start", async () => {
    const s = set({ replicas: 2, ordinals: { start: 5 }, podManagementPolicy: "Parallel" });
    assert.deepEqual((await sync(s, [])).actions.sort(), ["create web-5", "create web-6"]);
    // web-0 is outside [5, 7): condemned.
    assert.deepEqual((await sync(set({ replicas: 2, ordinals: { start: 5 } }), [pod(5), pod(6), pod(0)])).actions, ["delete web-0"]);
  });

  it("OrderedReady scales down from the highest ordinal, one pod per sync", async () => {
    const pods = [0, 1, 2, 3, 4].map((i) => pod(i));
    assert.deepEqual((await sync(set({ replicas: 2 }), pods)).actions, ["delete web-4"]);
    // While web-4 terminates, nothing else goes.
    assert.deepEqual((await sync(set({ replicas: 2 }), [pod(0), pod(1), pod(2), pod(3), pod(4, OLD, "terminating")])).actions, []);
  });

  it("OrderedReady deletes an unhealthy condemned pod only if it is the first unhealthy one", async () => {
    const healthy = [pod(0), pod(1)];
    assert.deepEqual((await sync(set({ replicas: 2 }), [...healthy, pod(2), pod(3, OLD, "unready")])).actions, ["delete web-3"]);
    assert.deepEqual((await sync(set({ replicas: 2 }), [...healthy, pod(2, OLD, "unready"), pod(3, OLD, "unready")])).actions, []);
  });

  it("Parallel scales down every condemned pod at once", async () => {
    const pods = [0, 1, 2, 3, 4].map((i) => pod(i));
    assert.deepEqual((await sync(set({ replicas: 2, podManagementPolicy: "Parallel" }), pods)).actions, ["delete web-4", "delete web-3", "delete web-2"]);
  });

  it("deletes a failed pod and recreates it on a later sync", async () => {
    assert.deepEqual((await sync(set(), [pod(0), pod(1, OLD, "failed"), pod(2)])).actions, ["delete web-1"]);
  });

  it("repairs a pod whose identity drifted", async () => {
    const drifted = pod(1);
    drifted.metadata.labels = { app: "web", "controller-revision-hash": OLD };
    assert.deepEqual((await sync(set(), [pod(0), drifted, pod(2)])).actions, ["update web-1"]);
  });

  it("does nothing but report status while the set is being deleted", async () => {
    const s = set();
    s.metadata.deletionTimestamp = LONG_AGO;
    const { actions, result } = await sync(s, [pod(0)]);
    assert.deepEqual(actions, []);
    assert.equal(result.status.replicas, 1);
  });
});

describe("statefulset sync: updates", () => {
  const all = (revision: string) => [0, 1, 2].map((i) => pod(i, revision));

  it("RollingUpdate deletes the highest pod not at the update revision, one per sync", async () => {
    const { actions, result } = await sync(set(), all(OLD), { update: NEW });
    assert.deepEqual(actions, ["delete web-2"]);
    assert.equal(result.status.currentReplicas, 2);
    assert.deepEqual((await sync(set(), [pod(0), pod(1), pod(2, NEW)], { update: NEW })).actions, ["delete web-1"]);
  });

  it("waits for an updated pod to be available before going lower", async () => {
    const s = set({ podManagementPolicy: "Parallel" });
    assert.deepEqual((await sync(s, [pod(0), pod(1), pod(2, NEW, "unready")], { update: NEW })).actions, []);
  });

  it("leaves ordinals below the partition at the current revision", async () => {
    const s = set({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } });
    assert.deepEqual((await sync(s, [pod(0), pod(1), pod(2, NEW)], { update: NEW })).actions, []);
  });

  it("builds a missing pod at the current revision below the partition, at the update revision above", async () => {
    const s = set({ podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } });
    const { control } = await sync(s, [], { update: NEW });
    const revisionOf = (name: string) => control.created.find((p) => p.metadata.name === name)?.metadata.labels?.["controller-revision-hash"];
    assert.deepEqual([revisionOf("web-0"), revisionOf("web-1"), revisionOf("web-2")], [OLD, NEW, NEW]);
  });

  it("with maxUnavailable 2 replaces two pods at a time, from the top", async () => {
    const s = set({ replicas: 4, podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 2 } } });
    const pods = [0, 1, 2, 3].map((i) => pod(i));
    assert.deepEqual((await sync(s, pods, { update: NEW })).actions, ["delete web-3", "delete web-2"]);
    // One already unavailable: room for one more.
    assert.deepEqual((await sync(s, [pod(0), pod(1), pod(2), pod(3, NEW, "unready")], { update: NEW })).actions, ["delete web-2"]);
  });

  it("OnDelete replaces nothing", async () => {
    const s = set({ updateStrategy: { type: "OnDelete" } });
    assert.deepEqual((await sync(s, all(OLD), { update: NEW })).actions, []);
  });

  it("counts status over the pods: ready, current and updated", async () => {
    const { result } = await sync(set({ updateStrategy: { type: "OnDelete" } }), [pod(0), pod(1, NEW), pod(2, NEW, "unready")], { update: NEW });
    const { replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas } = result.status;
    assert.deepEqual({ replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas }, { replicas: 3, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 2 });
  });
});
