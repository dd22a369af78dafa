// The scheduler's cache: per-node aggregates kept current on every pod event, assumed pods, node
// removal with pods still on it, the zone-interleaved node order, and the label index.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabelSelector } from "../../src/api/label-selector.js";
import { Cache } from "../../src/scheduler/cache.js";
import { PodInfo } from "../../src/scheduler/pod-info.js";
import { makeNode, makePod } from "./fixtures.js";

function requested(cache: Cache, node: string): { cpu: number; memory: number; pods: number } {
  const ni = cache.getNodeInfo(node);
  assert.ok(ni, node);
  return { cpu: ni.requestedMilliCPU, memory: ni.requestedMemory, pods: ni.pods.size };
}

test("bound pods add to their node's requests and leave nothing behind when removed", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  const a = makePod("a", { nodeName: "n1", cpu: "500m", memory: "1Gi" });
  const b = makePod("b", { nodeName: "n1", cpu: "250m" });
  cache.addPod(a);
  cache.addPod(b);
  assert.deepEqual(requested(cache, "n1"), { cpu: 750, memory: 2 ** 30, pods: 2 });
  cache.addPod({ ...b, spec: { ...b.spec, containers: [{ resources: { requests: { cpu: "1" } } }] } });
  assert.deepEqual(requested(cache, "n1"), { cpu: 1500, memory: 2 ** 30, pods: 2 }, "an update replaces the old pod");
  cache.removePod(a);
  cache.removePod(b);
  assert.deepEqual(requested(cache, "n1"), { cpu: 0, memory: 0, pods: 0 });
  assert.equal(cache.getNodeInfo("n1")?.nonZeroMilliCPU, 0);
});

test("pods without a node are not cached, and finished pods leave", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  cache.addPod(makePod("pending", { cpu: "1" }));
  assert.equal(cache.podCount(), 0);
  const done = makePod("done", { nodeName: "n1", cpu: "1" });
  cache.addPod(done);
  assert.equal(requested(cache, "n1").cpu, 1000);
  cache.updatePod({ ...done, status: { phase: "Succeeded" } });
  assert.deepEqual(requested(cache, "n1"), { cpu: 0, memory: 0, pods: 0 });
});

test("an assumed pod counts until binding fails and it is forgotten", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  const pi = PodInfo.of(makePod("a", { cpu: "1" }));
  const assumed = cache.assumePod(pi, "n1");
  assert.equal(assumed.nodeName, "n1");
  assert.equal(pi.nodeName, "", "the original is not mutated");
  assert.ok(cache.isAssumedPod(pi.key));
  assert.deepEqual(requested(cache, "n1"), { cpu: 1000, memory: 0, pods: 1 });
  assert.throws(() => cache.assumePod(pi, "n1"), /can't be assumed/);
  cache.forgetPod(pi.key);
  assert.deepEqual(requested(cache, "n1"), { cpu: 0, memory: 0, pods: 0 });
});

test("the informer's add confirms an assumed pod, moving it if it landed elsewhere", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  cache.addNode(makeNode("n2"));
  const pod = makePod("a", { cpu: "1" });
  const pi = PodInfo.of(pod);
  cache.assumePod(pi, "n1");
  cache.finishBinding(pi.key);
  cache.addPod({ ...pod, spec: { ...pod.spec, nodeName: "n2" } });
  assert.equal(cache.isAssumedPod(pi.key), false);
  assert.deepEqual(requested(cache, "n1"), { cpu: 0, memory: 0, pods: 0 });
  assert.deepEqual(requested(cache, "n2"), { cpu: 1000, memory: 0, pods: 1 });
  cache.forgetPod(pi.key);
  assert.equal(requested(cache, "n2").pods, 1, "a confirmed pod is not forgotten");
});

test("a removed node disappears from the list but keeps its pods until they go", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  cache.addNode(makeNode("n2"));
  const a = makePod("a", { nodeName: "n1", cpu: "1" });
  cache.addPod(a);
  cache.removeNode("n1");
  assert.deepEqual(cache.nodeInfoList().map((n) => n.name), ["n2"]);
  assert.equal(cache.getNodeInfo("n1"), undefined);
  cache.addNode(makeNode("n1"));
  assert.deepEqual(requested(cache, "n1"), { cpu: 1000, memory: 0, pods: 1 }, "the pod is still counted when the node returns");
  cache.removeNode("n1");
  cache.removePod(a);
  cache.addNode(makeNode("n1"));
  assert.deepEqual(requested(cache, "n1"), { cpu: 0, memory: 0, pods: 0 });
});

test("nodes are visited one zone at a time in turn", () => {
  const cache = new Cache();
  const zone = (z: string) => ({ labels: { "topology.kubernetes.io/zone": z } });
  for (const [name, z] of [["a1", "a"], ["a2", "a"], ["a3", "a"], ["b1", "b"], ["c1", "c"], ["b2", "b"]] as const) cache.addNode(makeNode(name, zone(z)));
  assert.deepEqual(cache.nodeInfoList().map((n) => n.name), ["a1", "b1", "c1", "a2", "b2", "a3"]);
  cache.addNode(makeNode("a1", zone("c")));
  assert.deepEqual(cache.nodeInfoList().map((n) => n.name), ["a2", "b1", "c1", "a3", "b2", "a1"], "a relabelled node moves zone");
});

test("the label index finds exactly the pods a selector matches", () => {
  const cache = new Cache();
  cache.addNode(makeNode("n1"));
  const pods = [
    makePod("web-1", { nodeName: "n1", labels: { app: "web", tier: "front" } }),
    makePod("web-2", { nodeName: "n1", labels: { app: "web" } }),
    makePod("db-1", { nodeName: "n1", labels: { app: "db", tier: "back" } }),
    makePod("other-ns", { nodeName: "n1", namespace: "other", labels: { app: "web" } }),
  ];
  for (const p of pods) cache.addPod(p);
  const cases: [object, string[]][] = [
    [{ matchLabels: { app: "web" } }, ["web-1", "web-2"]],
    [{ matchExpressions: [{ key: "app", operator: "In", values: ["web", "db"] }] }, ["db-1", "web-1", "web-2"]],
    [{ matchExpressions: [{ key: "tier", operator: "Exists" }] }, ["db-1", "web-1"]],
    [{ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, ["web-2"]],
    [{ matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }, ["db-1"]],
    [{ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, ["web-2"]],
    [{}, ["db-1", "web-1", "web-2"]],
  ];
  for (const [selector, want] of cases) {
    const got: string[] = [];
    cache.forEachPodMatching("default", LabelSelector.fromObject(selector), (pi) => got.push(pi.name));
    assert.deepEqual(got.sort(), want, JSON.stringify(selector));
  }
  cache.removePod(pods[0] ?? makePod("x"));
  const left: string[] = [];
  cache.forEachPodMatching("default", LabelSelector.fromObject({ matchLabels: { app: "web" } }), (pi) => left.push(pi.name));
  assert.deepEqual(left, ["web-2"]);
});
