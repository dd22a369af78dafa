// The framework's pieces on their own: Status, the FitError message's counting and ordering, and
// the PreFilter extensions that keep InterPodAffinity's and PodTopologySpread's state right while
// preemption removes pods in a dry run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fitErrorMessage, newDiagnosis } from "../../src/scheduler/fit-error.js";
import { Status } from "../../src/scheduler/status.js";
import { makeNode, makePod, newCluster } from "./fixtures.js";

test("statuses are immutable and carry the plugin that produced them", () => {
  const s = Status.unschedulable("a", "b");
  const named = s.withPlugin("P");
  assert.notEqual(named, s);
  assert.equal(named.withPlugin("P"), named);
  assert.deepEqual([s.plugin, named.plugin, named.message(), named.isRejected(), Status.error("x").isRejected()], ["", "P", "a, b", true, false]);
});

test("the failure message counts reasons over nodes and sorts the 'count reason' strings as Go does", () => {
  const d = newDiagnosis();
  for (let i = 0; i < 10; i++) d.nodeToStatus.set(`a${i}`, Status.unschedulable("Insufficient memory"));
  d.nodeToStatus.set("b1", Status.unschedulable("Insufficient cpu", "Insufficient memory"));
  d.nodeToStatus.set("b2", Status.unresolvable("Insufficient cpu"));
  assert.equal(fitErrorMessage(12, d), "0/12 nodes are available: 11 Insufficient memory, 2 Insufficient cpu.");
  d.nodeToStatus.absentNodesStatus = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
  d.postFilterMsg = "preemption: not eligible due to preemptionPolicy=Never.";
  assert.equal(fitErrorMessage(15, d),
    "0/15 nodes are available: 11 Insufficient memory, 2 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: not eligible due to preemptionPolicy=Never.");
  const pre = newDiagnosis();
  pre.preFilterMsg = "pod affinity terms conflict";
  pre.nodeToStatus.set("x", Status.unschedulable("ignored when PreFilter failed"));
  assert.equal(fitErrorMessage(3, pre), "0/3 nodes are available: pod affinity terms conflict.");
});

test("preemption evicts the pod a high-priority pod's anti-affinity objects to", () => {
  const c = newCluster([makeNode("n1")], [makePod("low", { nodeName: "n1", labels: { app: "web" }, priority: 0 }), makePod("keep", { nodeName: "n1", priority: 0 })]);
  const out = c.scheduler.schedulingCycle(makePod("p", {
    priority: 10,
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }] } },
  }));
  assert.ok(out.kind === "unschedulable");
  assert.equal(out.error.message, "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.");
  assert.deepEqual([out.nominatedNodeName, out.victims?.map((v) => v.name)], ["n1", ["low"]]);
});

test("preemption evicts what a hard topology spread constraint needs gone", () => {
  const zone = (z: string) => ({ labels: { "topology.kubernetes.io/zone": z } });
  const c = newCluster([makeNode("a", { ...zone("z1"), cpu: "1" }), makeNode("b", { ...zone("z2"), cpu: "1" })], [
    makePod("w1", { nodeName: "a", labels: { app: "web" }, priority: 0 }),
    makePod("w2", { nodeName: "a", labels: { app: "web" }, priority: 0 }),
    makePod("filler", { nodeName: "b", cpu: "1", priority: 0 }),
  ]);
  // a: skew would be 3 − 0 > 1; b: no cpu. Removing one web pod from a is not enough (2 − 0 > 1), so
  // preemption on a evicts both, while on b evicting the filler suffices.
  const out = c.scheduler.schedulingCycle(makePod("p", {
    cpu: "500m", priority: 10, labels: { app: "web" },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }],
  }));
  assert.ok(out.kind === "unschedulable");
  assert.equal(out.error.message, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints.");
  assert.deepEqual([out.nominatedNodeName, out.victims?.map((v) => v.name)], ["b", ["filler"]]);
});
