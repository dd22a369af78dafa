// Node lifecycle, taint eviction and default tolerations: the pure decisions table-driven; the node
// lifecycle controller on the fake client with a fake clock (a node goes Unknown exactly when its
// grace period has passed without a heartbeat); and the whole story on a real server with simulated
// nodes and the real kubectl: a node stops heartbeating, becomes NotReady and tainted, the pod that
// tolerates unreachable for one second is evicted, the one with the default 300 s stays, and all
// is undone when the node comes back.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addDefaultTolerations } from "../../src/api/resources/default-tolerations.js";
import type { KubeObject } from "../../src/api/resource.js";
import { CORE_V1, type Client, type ResourceRef } from "../../src/client/client.js";
import type { Controller } from "../../src/client/controller.js";
import { EventRecorder } from "../../src/client/event-recorder.js";
import { InformerFactory } from "../../src/client/informer-factory.js";
import { DEFAULT_CONTROLLER_SETTINGS } from "../../src/controllers/controller-context.js";
import {
  computeZoneState, heartbeatSignal, nodeLifecycleController, noExecuteTaints, noScheduleTaints, observeHeartbeat, podConditionsNotReady,
  swapControllerTaints, unknownConditions, type NodeCondition,
} from "../../src/controllers/node-lifecycle.js";
import { evictionTimeMs, toleratesTaint, type Taint, type Toleration } from "../../src/controllers/taint-eviction.js";
import { createLogger } from "../../src/log.js";
import { nodeObject } from "../../src/node/simulated/node-objects.js";
import { leaseObject } from "../../src/node/node-lease.js";
import { FakeClient } from "../client/fake-client.js";
import { FakeClock } from "../client/fake-clock.js";
import type { TestServer } from "../support/test-server.js";
import { rfc3339, startAdminServer } from "./fixtures.js";
import { waitFor } from "./mark-ready.js";

const NODES = CORE_V1("nodes");
const PODS = CORE_V1("pods");
const EVENTS = CORE_V1("events");
const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";
const T0 = Date.UTC(2025, 0, 1);
/** How long a condition may take to show through the informers and controllers. */
const DEADLINE_MS = 10_000;

function node(conditions: Partial<NodeCondition>[], extra: { taints?: Taint[]; unschedulable?: boolean } = {}): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name: "n", creationTimestamp: rfc3339(T0) }, spec: { ...extra }, status: { conditions } };
}

function conditionsOf(obj: KubeObject): NodeCondition[] {
  return (obj.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? [];
}

function condition(obj: KubeObject, type: string): NodeCondition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

function taints(obj: KubeObject): Taint[] {
  return (obj.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
}

function tolerations(obj: KubeObject): Toleration[] {
  return (obj.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? [];
}

describe("node lifecycle decisions", () => {
  it("restarts the grace period only when the lease or the Ready heartbeat changes", () => {
    const first = observeHeartbeat(undefined, "a|x", 1000);
    assert.deepEqual(first, { signal: "a|x", probeTimestampMs: 1000 });
    assert.equal(observeHeartbeat(first, "a|x", 5000), first, "same signal: the probe time stays");
    assert.deepEqual(observeHeartbeat(first, "b|x", 5000), { signal: "b|x", probeTimestampMs: 5000 });
    assert.deepEqual(observeHeartbeat(first, "a|y", 6000), { signal: "a|y", probeTimestampMs: 6000 });
  });

  it("reads the heartbeat signal from the lease's renewTime and the Ready heartbeat", () => {
    const n = node([{ type: "Ready", status: "True", lastHeartbeatTime: "h1" }]);
    assert.equal(heartbeatSignal(n, leaseObject("n", undefined, new Date(T0))), "2025-01-01T00:00:00.000000Z|h1");
    assert.equal(heartbeatSignal(n, undefined), "|h1");
  });

  it("sets the kubelet's conditions Unknown with upstream's reason and message", () => {
    const n = node([
      { type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: "h", lastTransitionTime: "t" },
      { type: "MemoryPressure", status: "False" },
      { type: "NetworkUnavailable", status: "False" },
    ]);
    const conditions = unknownConditions(n, "now") ?? [];
    const byType = new Map(conditions.map((c) => [c.type, c]));
    assert.deepEqual(byType.get("Ready"), { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: "h", lastTransitionTime: "now" });
    assert.equal(byType.get("MemoryPressure")?.status, "Unknown");
    assert.equal(byType.get("NetworkUnavailable")?.status, "False", "the network's condition is not the kubelet's");
    assert.deepEqual(byType.get("PIDPressure"), {
      type: "PIDPressure", status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime: rfc3339(T0), lastTransitionTime: "now",
    });
    assert.equal(unknownConditions(node([{ type: "Ready", status: "Unknown" }]), "now"), undefined, "Ready already Unknown: nothing to write");
  });

  it("maps conditions and cordoning to NoSchedule taints", () => {
    const cases: [Partial<NodeCondition>[], boolean, string[]][] = [
      [[{ type: "Ready", status: "True" }], false, []],
      [[{ type: "Ready", status: "False" }], false, [NOT_READY]],
      [[{ type: "Ready", status: "Unknown" }, { type: "DiskPressure", status: "True" }], false, [UNREACHABLE, "node.kubernetes.io/disk-pressure"]],
      [[{ type: "Ready", status: "True" }, { type: "MemoryPressure", status: "False" }], true, ["node.kubernetes.io/unschedulable"]],
    ];
    for (const [conditions, unschedulable, keys] of cases) {
      const got = noScheduleTaints(node(conditions, { unschedulable }));
      assert.deepEqual(got.map((t) => t.key), keys);
      assert.ok(got.every((t) => t.effect === "NoSchedule"));
    }
  });

  it("picks the NoExecute taint from Ready, held or dropped under disruption", () => {
    const held: Taint[] = [{ key: UNREACHABLE, effect: "NoExecute" }];
    assert.deepEqual(noExecuteTaints("Unknown", [], "normal"), [{ key: UNREACHABLE, effect: "NoExecute" }]);
    assert.deepEqual(noExecuteTaints("False", [], "normal"), [{ key: NOT_READY, effect: "NoExecute" }]);
    assert.deepEqual(noExecuteTaints("True", held, "normal"), []);
    assert.deepEqual(noExecuteTaints("Unknown", [], "hold"), [], "a partially disrupted small zone adds none");
    assert.deepEqual(noExecuteTaints("False", held, "hold"), [{ key: NOT_READY, effect: "NoExecute" }], "but swaps the one it has");
    assert.deepEqual(noExecuteTaints("Unknown", held, "none"), [], "every node NotReady: none at all");
  });

  it("swaps only its own taints, keeping timeAdded of those that stay", () => {
    const current: Taint[] = [
      { key: "dedicated", value: "gpu", effect: "NoSchedule" },
      { key: NOT_READY, effect: "NoExecute", timeAdded: "old" },
      { key: NOT_READY, effect: "NoSchedule", timeAdded: "old" },
    ];
    const desired: Taint[] = [{ key: NOT_READY, effect: "NoSchedule" }, { key: UNREACHABLE, effect: "NoExecute" }];
    assert.deepEqual(swapControllerTaints(current, desired, "now"), [
      { key: "dedicated", value: "gpu", effect: "NoSchedule" },
      { key: NOT_READY, effect: "NoSchedule", timeAdded: "old" },
      { key: UNREACHABLE, effect: "NoExecute", timeAdded: "now" },
    ]);
    assert.equal(swapControllerTaints(current.slice(0, 1), [], "now"), undefined, "nothing to change");
  });

  it("computes zone states as upstream", () => {
    const cases: [(string | undefined)[], string][] = [
      [["True", "True", "Unknown"], "Normal"],
      [["Unknown", "False"], "FullDisruption"],
      [["True", "Unknown", "Unknown", "False"], "PartialDisruption"],
      [["True", "True", "Unknown", "Unknown", "False", "True", "True"], "Normal"],
      [[], "Normal"],
    ];
    for (const [statuses, state] of cases) assert.equal(computeZoneState(statuses), state, JSON.stringify(statuses));
  });

  it("marks a pod not Ready unless it became Ready after the node stopped being Ready", () => {
    const pod = (readySince: number): KubeObject => ({ status: { conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True", lastTransitionTime: rfc3339(readySince) }] } });
    const nodeDown = T0 + 60_000;
    const marked = podConditionsNotReady(pod(T0), nodeDown, "now");
    assert.deepEqual(marked?.map((c) => [c.type, c.status]), [["PodScheduled", "True"], ["Ready", "False"]]);
    assert.equal(marked?.[1]?.lastTransitionTime, "now");
    assert.equal(podConditionsNotReady(pod(nodeDown + 5000), nodeDown, "now"), undefined);
    assert.equal(podConditionsNotReady({ status: { conditions: [{ type: "Ready", status: "False" }] } }, nodeDown, "now"), undefined);
  });
});

describe("taint eviction decisions", () => {
  const unreachable: Taint = { key: UNREACHABLE, effect: "NoExecute", timeAdded: rfc3339(T0) };
  const notReady: Taint = { key: NOT_READY, effect: "NoExecute", timeAdded: rfc3339(T0 + 10_000) };

  it("tolerates taints as upstream's ToleratesTaint", () => {
    const taint: Taint = { key: "k", value: "v", effect: "NoExecute" };
    const cases: [Toleration, boolean][] = [
      [{ key: "k", operator: "Equal", value: "v", effect: "NoExecute" }, true],
      [{ key: "k", value: "v" }, true],
      [{ key: "k", operator: "Exists" }, true],
      [{ operator: "Exists" }, true],
      [{ key: "k", value: "w" }, false],
      [{ key: "k", operator: "Exists", effect: "NoSchedule" }, false],
      [{ key: "other", operator: "Exists" }, false],
    ];
    for (const [toleration, expected] of cases) assert.equal(toleratesTaint(toleration, taint), expected, JSON.stringify(toleration));
  });

  it("decides when a pod must leave a tainted node", () => {
    const since = T0 + 99_000;
    const cases: [string, Taint[], Toleration[], number | undefined][] = [
      ["no taints: never", [], [], undefined],
      ["an untolerated taint: at once", [unreachable], [], -Infinity],
      ["tolerated forever: never", [unreachable], [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute" }], undefined],
      ["tolerationSeconds from timeAdded", [unreachable], [{ key: UNREACHABLE, operator: "Exists", tolerationSeconds: 1 }], T0 + 1000],
      ["zero seconds: at once", [unreachable], [{ key: UNREACHABLE, operator: "Exists", tolerationSeconds: 0 }], -Infinity],
      ["the earliest of several", [unreachable, notReady], [{ key: UNREACHABLE, operator: "Exists", tolerationSeconds: 300 }, { key: NOT_READY, operator: "Exists", tolerationSeconds: 5 }], T0 + 15_000],
      ["one of two untolerated: at once", [unreachable, notReady], [{ key: UNREACHABLE, operator: "Exists" }], -Infinity],
      ["no timeAdded: counted from when it was seen", [{ key: UNREACHABLE, effect: "NoExecute" }], [{ operator: "Exists", tolerationSeconds: 2 }], since + 2000],
    ];
    for (const [what, taintList, tolerationList, expected] of cases) assert.equal(evictionTimeMs(taintList, tolerationList, since), expected, what);
  });
});

describe("default toleration seconds", () => {
  it("adds the not-ready and unreachable NoExecute tolerations a pod lacks", () => {
    const defaults = (seconds = 300) => [
      { key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds },
      { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds },
    ];
    const cases: [string, Toleration[] | undefined, Toleration[]][] = [
      ["none", undefined, defaults()],
      ["own unreachable kept", [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }], [
        { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }, defaults()[0]!,
      ]],
      ["an empty effect counts", [{ key: NOT_READY, operator: "Exists" }], [{ key: NOT_READY, operator: "Exists" }, defaults()[1]!]],
      ["tolerate everything", [{ operator: "Exists" }], [{ operator: "Exists" }]],
      ["a NoSchedule toleration does not count", [{ key: NOT_READY, operator: "Exists", effect: "NoSchedule" }], [{ key: NOT_READY, operator: "Exists", effect: "NoSchedule" }, ...defaults()]],
    ];
    for (const [what, given, expected] of cases) {
      const pod: KubeObject = { spec: given ? { tolerations: given } : {} };
      addDefaultTolerations(pod);
      assert.deepEqual(tolerations(pod), expected, what);
    }
  });
});

describe("node lifecycle controller on a fake clock", () => {
  const GRACE = DEFAULT_CONTROLLER_SETTINGS.nodeMonitorGracePeriodMs;
  let client: FakeClient;
  let clock: FakeClock;
  let informers: InformerFactory;
  let controller: Controller;

  before(async () => {
    clock = new FakeClock(T0);
    client = new FakeClient();
    for (const [index, name] of ["n1", "n2"].entries()) {
      await client.create(NODES, undefined, nodeObject({ name, capacity: { cpu: "1" }, index }, new Date(T0)));
      await client.create(LEASES, "kube-node-lease", leaseObject(name, undefined, new Date(T0)));
    }
    const log = createLogger("error");
    informers = new InformerFactory(client, { clock, logger: log });
    const recorder = new EventRecorder({ client, component: "node-controller", log, now: () => new Date(clock.now()) });
    controller = nodeLifecycleController.create({ client, informers, recorder, log, clock, settings: DEFAULT_CONTROLLER_SETTINGS });
    informers.start();
    await controller.start();
  });
  after(async () => {
    await controller.stop();
    await informers.stop();
  });

  async function renew(name: string): Promise<void> {
    const lease = await client.get(LEASES, "kube-node-lease", name);
    await client.update(LEASES, "kube-node-lease", { ...lease, spec: { ...(lease.spec as object), renewTime: new Date(clock.now()).toISOString() } });
  }

  async function readyOf(name: string): Promise<string | undefined> {
    return condition(await client.get(NODES, undefined, name), "Ready")?.status;
  }

  it("marks a node Unknown when its grace period passes without a renewal, and not before", async () => {
    await waitFor(async () => (await client.list(EVENTS)).items.length >= 2, "RegisteredNode events", DEADLINE_MS);
    await clock.advance(GRACE / 2);
    await renew("n1");
    await renew("n2");
    await clock.advance(GRACE / 2 + 1000);
    assert.equal(await readyOf("n1"), "True", "renewed half-way: still within its grace period");
    await renew("n2");
    await clock.advance(GRACE / 2);
    await waitFor(async () => (await readyOf("n1")) === "Unknown", "n1 to become Unknown", DEADLINE_MS);
    assert.equal(await readyOf("n2"), "True");
    const n1 = await client.get(NODES, undefined, "n1");
    assert.equal(condition(n1, "Ready")?.message, "Kubelet stopped posting node status.");
  });

  it("taints the unreachable node NoSchedule and NoExecute, stamped with the time", async () => {
    const tainted = await waitFor(async () => {
      const n1 = await client.get(NODES, undefined, "n1");
      return taints(n1).length === 2 && taints(n1);
    }, "the unreachable taints", DEADLINE_MS);
    assert.deepEqual(tainted.map((t) => [t.key, t.effect]), [[UNREACHABLE, "NoSchedule"], [UNREACHABLE, "NoExecute"]]);
    const added = Date.parse(tainted[1]?.timeAdded ?? "");
    assert.ok(added >= T0 + 3 * (GRACE / 2) - 1000 && added <= clock.now(), `timeAdded ${tainted[1]?.timeAdded} is when the grace period ended`);
  });

  it("removes the NoExecute taints while every node is NotReady", async () => {
    await clock.advance(GRACE + 1000);
    await waitFor(async () => (await readyOf("n2")) === "Unknown", "n2 to become Unknown too", DEADLINE_MS);
    await waitFor(async () => {
      const all = await Promise.all(["n1", "n2"].map((name) => client.get(NODES, undefined, name)));
      return all.every((n) => taints(n).map((t) => `${t.key}:${t.effect}`).join() === `${UNREACHABLE}:NoSchedule`);
    }, "only the NoSchedule taints to remain", DEADLINE_MS);
  });
});

describe("node lifecycle and taint eviction on a real server", () => {
  const GRACE_MS = 1000;
  let server: TestServer;
  let client: Client;

  before(async () => {
    ({ server, client } = await startAdminServer({ simulatedNodes: 3, leaseRenewIntervalMs: 100, controllerSettings: { nodeMonitorGracePeriodMs: GRACE_MS } }));
  });
  after(() => server.close());

  async function nodeStatus(name: string): Promise<string> {
    const result = await server.kubectl(["get", "node", name, "--no-headers"]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split(/\s+/)[1] ?? "";
  }

  async function createPod(name: string, extraTolerations: Toleration[]): Promise<KubeObject> {
    const spec = { nodeName: "simulated-2", containers: [{ name: "c", image: "nginx" }], ...(extraTolerations.length ? { tolerations: extraTolerations } : {}) };
    return client.create(PODS, "default", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec });
  }

  const getPod = (name: string) => client.get(PODS, "default", name);

  it("adds the default tolerations to new pods", async () => {
    const brief = await createPod("brief", [{ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 }]);
    const patient = await createPod("patient", []);
    assert.deepEqual(tolerations(patient), [
      { key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    assert.deepEqual(tolerations(brief), [
      { key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: 1 },
      { key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    for (const name of ["brief", "patient"]) {
      await waitFor(async () => condition(await getPod(name), "Ready")?.status === "True", `${name} to be Ready`, DEADLINE_MS);
    }
  });

  it("shows a node NotReady once its grace period passes without heartbeats, and taints it", async () => {
    assert.equal(await nodeStatus("simulated-2"), "Ready");
    server.simulatedNodes!.setHeartbeat("simulated-2", false);
    await waitFor(async () => (await nodeStatus("simulated-2")) === "NotReady", "simulated-2 to be NotReady", GRACE_MS + 4000);
    const seenAt = Date.now();
    const lease = await client.get(LEASES, "kube-node-lease", "simulated-2");
    const renewedAt = Date.parse((lease.spec as { renewTime: string }).renewTime);
    assert.ok(seenAt - renewedAt >= GRACE_MS, `NotReady ${seenAt - renewedAt} ms after the last renewal, not before the grace period`);
    const n = await client.get(NODES, undefined, "simulated-2");
    assert.ok(conditionsOf(n).every((c) => c.status === "Unknown" && c.reason === "NodeStatusUnknown"), JSON.stringify(conditionsOf(n)));
    const noExecute = await waitFor(async () => taints(await client.get(NODES, undefined, "simulated-2")).find((t) => t.effect === "NoExecute"), "the NoExecute taint", DEADLINE_MS);
    assert.equal(noExecute.key, UNREACHABLE);
    assert.ok(noExecute.timeAdded, "the NoExecute taint has timeAdded");
    assert.equal(await nodeStatus("simulated-0"), "Ready");
  });

  it("evicts the pod tolerating unreachable for one second and keeps the other", async () => {
    const taint = taints(await client.get(NODES, undefined, "simulated-2")).find((t) => t.effect === "NoExecute");
    const brief = await waitFor(async () => {
      const pod = await getPod("brief");
      return pod.metadata?.deletionTimestamp !== undefined && pod;
    }, "the brief pod's deletion", 5000);
    const meta = brief.metadata!;
    const deletedAt = Date.parse(meta.deletionTimestamp!) - (meta.deletionGracePeriodSeconds ?? 0) * 1000;
    assert.ok(deletedAt >= Date.parse(taint!.timeAdded!) + 1000, `deleted at ${rfc3339(deletedAt)}, one second after the taint (${taint!.timeAdded})`);
    assert.equal(condition(brief, "DisruptionTarget")?.reason, "DeletionByTaintManager");
    const events = await client.list(EVENTS, { namespace: "default" });
    assert.ok(events.items.some((e) => e.reason === "TaintManagerEviction" && e.message === "Marking for deletion Pod default/brief"));
    const patient = await getPod("patient");
    assert.equal(patient.metadata?.deletionTimestamp, undefined, "300 s have not passed");
    assert.equal(condition(patient, "Ready")?.status, "False", "pods of a NotReady node are marked not Ready");
  });

  it("makes the node Ready again and removes its taints when heartbeats resume", async () => {
    server.simulatedNodes!.setHeartbeat("simulated-2", true);
    await waitFor(async () => (await nodeStatus("simulated-2")) === "Ready", "simulated-2 to be Ready again", DEADLINE_MS);
    await waitFor(async () => taints(await client.get(NODES, undefined, "simulated-2")).length === 0, "the taints to be removed", DEADLINE_MS);
    await waitFor(() => getPod("brief").then(() => false, () => true), "the evicted pod to be gone", DEADLINE_MS);
    await waitFor(async () => condition(await getPod("patient"), "Ready")?.status === "True", "the kept pod to be Ready again", DEADLINE_MS);
    assert.equal((await getPod("patient")).metadata?.deletionTimestamp, undefined);
  });
});
