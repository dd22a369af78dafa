// The whole scheduling cycle (upstream schedule_one.go): the node each scenario should pick, the
// share of a big cluster a cycle looks at, tie-breaking, assume/bind/forget, preemption's decision,
// and the failure message exactly as upstream builds it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../src/scheduler/api-types.js";
import type { CycleState } from "../../src/scheduler/cycle-state.js";
import { FitError } from "../../src/scheduler/fit-error.js";
import type { PluginFactory, ReservePlugin } from "../../src/scheduler/framework.js";
import { defaultProfile, IN_TREE_PLUGINS, inTreeRegistry, newRegistry } from "../../src/scheduler/plugins/index.js";
import { PodInfo } from "../../src/scheduler/pod-info.js";
import { Framework } from "../../src/scheduler/framework-runtime.js";
import { Scheduler } from "../../src/scheduler/schedule-one.js";
import { Status } from "../../src/scheduler/status.js";
import { makeNode, makePod, newCluster, scheduleOne } from "./fixtures.js";

const ZONE = "topology.kubernetes.io/zone";
const gpuTaint = [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }];

function failure(c: ReturnType<typeof newCluster>, pod: Pod): string {
  const out = c.scheduler.schedulingCycle(pod);
  assert.equal(out.kind, "unschedulable", out.kind === "error" ? out.error.message : "");
  return out.kind === "unschedulable" ? out.error.message : "";
}

test("a pod asking more cpu than any node has gets upstream's exact failure message, preemption included", () => {
  const c = newCluster([makeNode("n1", { cpu: "2" }), makeNode("n2", { cpu: "2", taints: gpuTaint }), makeNode("n3", { cpu: "2", taints: gpuTaint })]);
  const out = c.scheduler.schedulingCycle(makePod("big", { cpu: "8" }));
  assert.ok(out.kind === "unschedulable" && out.error instanceof FitError);
  assert.equal(out.error.message,
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test("the pod goes to the node with room for its requests, preferring the least allocated", () => {
  const c = newCluster([makeNode("small", { cpu: "1" }), makeNode("loaded", { cpu: "8" }), makeNode("idle", { cpu: "8" })],
    [makePod("x", { nodeName: "loaded", cpu: "6" })]);
  assert.equal(scheduleOne(c, makePod("p", { cpu: "2" })), "idle");
  assert.equal(scheduleOne(c, makePod("q", { cpu: "5" })), "idle");
  assert.equal(scheduleOne(c, makePod("r", { cpu: "2" })), "loaded");
});

test("taints keep pods off unless tolerated, and a tolerating pod may still be steered by its selector", () => {
  const c = newCluster([makeNode("gpu", { taints: gpuTaint, labels: { accel: "gpu" } }), makeNode("plain")]);
  for (let i = 0; i < 3; i++) assert.equal(scheduleOne(c, makePod(`p${i}`)), "plain");
  const gpuPod = makePod("g", { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], nodeSelector: { accel: "gpu" } });
  assert.equal(scheduleOne(c, gpuPod), "gpu");
});

test("required node affinity picks the only matching node", () => {
  const zone = (z: string) => ({ labels: { [ZONE]: z } });
  const c = newCluster([makeNode("a", zone("z1")), makeNode("b", zone("z2")), makeNode("c", zone("z3"))]);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: "In", values: ["z2"] }] }] } } };
  assert.equal(scheduleOne(c, makePod("p", { affinity })), "b");
  assert.equal(failure(c, makePod("q", { nodeSelector: { [ZONE]: "z9" } })),
    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test("pod anti-affinity spreads 3 replicas over 3 nodes and leaves a 4th pending", () => {
  const c = newCluster([makeNode("n1"), makeNode("n2"), makeNode("n3")]);
  const replica = (i: number) => makePod(`web-${i}`, {
    labels: { app: "web" },
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }] } },
  });
  const placed = [0, 1, 2].map((i) => scheduleOne(c, replica(i)));
  assert.deepEqual(placed.sort(), ["n1", "n2", "n3"]);
  assert.equal(failure(c, replica(3)),
    "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
});

test("topology spread puts 6 replicas 2 per zone", () => {
  const zone = (z: string) => ({ labels: { [ZONE]: z } });
  const c = newCluster([makeNode("a1", zone("a")), makeNode("a2", zone("a")), makeNode("a3", zone("a")), makeNode("b1", zone("b")), makeNode("c1", zone("c"))]);
  const perZone: Record<string, number> = {};
  for (let i = 0; i < 6; i++) {
    const node = scheduleOne(c, makePod(`w${i}`, {
      labels: { app: "web" },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }],
    }));
    const z = node.slice(0, 1);
    perZone[z] = (perZone[z] ?? 0) + 1;
  }
  assert.deepEqual(perZone, { a: 2, b: 2, c: 2 });
});

test("a cycle looks at an adaptive share of a big cluster, at least 100 nodes", () => {
  const c = newCluster([]);
  const cases: [number, number][] = [[0, 0], [50, 50], [100, 100], [300, 144], [1000, 420], [1500, 570], [5000, 500], [6000, 300], [20000, 1000]];
  for (const [nodes, want] of cases) assert.equal(c.scheduler.numFeasibleNodesToFind(nodes), want, `${nodes} nodes`);
  const fixed = newCluster([], [], { profile: { ...defaultProfile(), percentageOfNodesToScore: 30 } });
  assert.equal(fixed.scheduler.numFeasibleNodesToFind(1000), 300);
  assert.equal(fixed.scheduler.numFeasibleNodesToFind(200), 100);
});

test("filtering stops once enough nodes fit and the next cycle starts where it stopped", () => {
  const c = newCluster(Array.from({ length: 300 }, (_, i) => makeNode(`n${i}`)));
  const first = c.scheduler.schedulingCycle(makePod("a"));
  assert.ok(first.kind === "scheduled");
  assert.deepEqual([first.result.evaluatedNodes, first.result.feasibleNodes], [144, 144]);
  const nodes = c.cache.nodeInfoList();
  const state = c.framework.newCycleState();
  const pi = PodInfo.of(makePod("b"));
  c.framework.runPreFilterPlugins(state, pi, nodes);
  const { feasible } = c.scheduler.findNodesThatFitPod(state, pi);
  assert.equal(feasible[0]?.name, nodes[144]?.name);
});

test("ties are broken by the injected random source", () => {
  const pick = (r: number) => scheduleOne(newCluster([makeNode("a"), makeNode("b"), makeNode("c")], [], { random: () => r }), makePod("p"));
  assert.equal(pick(0.99), "a");
  assert.equal(pick(0), "c");
});

test("a pod is assumed as soon as it is placed, kept when binding succeeds and forgotten when it fails", async () => {
  let fail = false;
  const c = newCluster([makeNode("n1", { cpu: "2" })], [], { bindPod: async () => { if (fail) throw new Error("conflict"); } });
  const ok = c.scheduler.schedulingCycle(makePod("a", { cpu: "1" }));
  assert.ok(ok.kind === "scheduled");
  assert.ok(c.cache.isAssumedPod(ok.assumed.key));
  assert.equal((await c.scheduler.bindingCycle(ok)).code, "Success");
  assert.equal(c.cache.getNodeInfo("n1")?.requestedMilliCPU, 1000);
  fail = true;
  const bad = c.scheduler.schedulingCycle(makePod("b", { cpu: "1" }));
  assert.ok(bad.kind === "scheduled");
  assert.equal(c.cache.getNodeInfo("n1")?.requestedMilliCPU, 2000, "counted while binding");
  const s = await c.scheduler.bindingCycle(bad);
  assert.deepEqual([s.code, s.message()], ["Error", 'running Bind plugin "DefaultBinder": conflict']);
  assert.equal(c.cache.getNodeInfo("n1")?.requestedMilliCPU, 1000, "forgotten after the failed bind");
  assert.equal(c.cache.isAssumedPod(bad.assumed.key), false);
});

test("preemption nominates the node whose lower-priority pods can make room, naming the victims", () => {
  const c = newCluster([makeNode("n1", { cpu: "2" }), makeNode("n2", { cpu: "2" })], [
    makePod("low", { nodeName: "n1", cpu: "2", priority: 0 }),
    makePod("high", { nodeName: "n2", cpu: "2", priority: 100 }),
  ]);
  const out = c.scheduler.schedulingCycle(makePod("p", { cpu: "2", priority: 50 }));
  assert.ok(out.kind === "unschedulable");
  assert.equal(out.nominatedNodeName, "n1");
  assert.deepEqual(out.victims?.map((v) => v.name), ["low"]);
  assert.equal(out.error.message, "0/2 nodes are available: 2 Insufficient cpu.");
});

test("preemption keeps the victims it can and picks the node with the least important ones", () => {
  const c = newCluster([makeNode("n1", { cpu: "3" }), makeNode("n2", { cpu: "3" })], [
    makePod("a", { nodeName: "n1", cpu: "1", priority: 10 }), makePod("b", { nodeName: "n1", cpu: "1", priority: 5 }), makePod("c", { nodeName: "n1", cpu: "1", priority: 1 }),
    makePod("d", { nodeName: "n2", cpu: "2", priority: 20 }), makePod("e", { nodeName: "n2", cpu: "1", priority: 1 }),
  ]);
  const out = c.scheduler.schedulingCycle(makePod("p", { cpu: "2", priority: 50 }));
  assert.ok(out.kind === "unschedulable");
  assert.deepEqual([out.nominatedNodeName, out.victims?.map((v) => v.name)], ["n1", ["b", "c"]]);
});

test("preemption explains why it cannot help", () => {
  const c = newCluster([makeNode("n1", { cpu: "2" })], [makePod("x", { nodeName: "n1", cpu: "2", priority: 100 })]);
  assert.equal(failure(c, makePod("never", { cpu: "1", priority: 1000, spec: { preemptionPolicy: "Never" } })),
    "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
  assert.equal(failure(c, makePod("equal", { cpu: "1", priority: 100 })),
    "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
});

test("a PreFilter rejection is reported once, before the preemption message", () => {
  const c = newCluster([makeNode("a"), makeNode("b"), makeNode("c")]);
  const named = (value: string) => ({ key: "metadata.name", operator: "In", values: [value] });
  const terms = (...nodeSelectorTerms: { matchFields: ReturnType<typeof named>[] }[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } });
  assert.ok(["a", "b"].includes(scheduleOne(c, makePod("p", { affinity: terms({ matchFields: [named("a")] }, { matchFields: [named("b")] }) }))), "ORed terms naming a or b");
  assert.equal(failure(c, makePod("q", { affinity: terms({ matchFields: [named("a"), named("b")] }) })), "0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test("nodes a PreFilter leaves out count as not satisfying that plugin", () => {
  const c = newCluster([makeNode("a", { cpu: "1" }), makeNode("b"), makeNode("c")]);
  const onlyA = makePod("p", { cpu: "2", affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }] }] } } } });
  assert.equal(failure(c, onlyA),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
});

test("room a preempting pod was nominated for is not given to a lower-priority pod", () => {
  const c = newCluster([makeNode("n1", { cpu: "2" }), makeNode("n2", { cpu: "1" })]);
  c.nominator.addNominatedPod(PodInfo.of(makePod("vip", { cpu: "2", priority: 100 })), "n1");
  assert.equal(scheduleOne(c, makePod("p", { cpu: "1", priority: 0 })), "n2");
  assert.equal(scheduleOne(c, makePod("q", { cpu: "1", priority: 200 })), "n1");
});

test("an empty cluster is an error, not a FitError", () => {
  const out = newCluster([]).scheduler.schedulingCycle(makePod("p"));
  assert.ok(out.kind === "error");
  assert.equal(out.error.message, "no nodes available to schedule pods");
});

test("plugins are registered once by name, and a profile names each plugin once", () => {
  assert.throws(() => newRegistry([...IN_TREE_PLUGINS, IN_TREE_PLUGINS[0] as (typeof IN_TREE_PLUGINS)[number]]), /a plugin named NodeUnschedulable already exists/);
  const base = { snapshot: newCluster([]).cache, random: Math.random, registry: inTreeRegistry() };
  assert.throws(() => new Framework({ ...base, profile: { schedulerName: "x", plugins: [{ name: "NodeName" }, { name: "NodeName" }] } }), /repeated config for plugin "NodeName"/);
  assert.throws(() => new Framework({ ...base, profile: { schedulerName: "x", plugins: [{ name: "Nope" }] } }), /"Nope" does not exist/);
});

test("a Reserve plugin's rejection undoes the assumption and reports the node", () => {
  const reserved: string[] = [];
  class Quota implements ReservePlugin {
    readonly name = "Quota";
    reserve(_s: CycleState, pod: PodInfo, node: string) {
      reserved.push(`+${pod.name}@${node}`);
      return pod.name === "over" ? Status.unschedulable("quota exceeded") : null;
    }
    unreserve(_s: CycleState, pod: PodInfo, node: string) { reserved.push(`-${pod.name}@${node}`); }
  }
  const newQuota: PluginFactory = () => new Quota();
  const c = newCluster([makeNode("n1")]);
  const framework = new Framework({
    profile: { schedulerName: "x", plugins: [...defaultProfile().plugins, { name: "Quota" }] },
    registry: newRegistry([...IN_TREE_PLUGINS, ["Quota", newQuota]]), snapshot: c.cache, random: () => 0,
  });
  const scheduler = new Scheduler({ framework, cache: c.cache });
  assert.equal(scheduler.schedulingCycle(makePod("fine")).kind, "scheduled");
  const out = scheduler.schedulingCycle(makePod("over"));
  assert.ok(out.kind === "unschedulable");
  assert.equal(out.error.message, "0/1 nodes are available: 1 quota exceeded.");
  assert.deepEqual(reserved, ["+fine@n1", "+over@n1", "-over@n1"]);
  assert.equal(c.cache.getNodeInfo("n1")?.pods.size, 1);
});
