// Filter and Score of the node-local plugins on small hand-built nodes and pods: NodeName,
// NodeUnschedulable, NodePorts, TaintToleration, NodeResourcesFit (LeastAllocated, MostAllocated)
// and NodeResourcesBalancedAllocation, with upstream's reasons and codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ContainerPort, Taint } from "../../src/scheduler/api-types.js";
import { filterAll, makeNode, makePod, newCluster, profileOf, scoreAll } from "./fixtures.js";

test("NodeName lets a pod that names a node onto that node only", () => {
  const c = newCluster([makeNode("n1"), makeNode("n2")], [], { profile: profileOf("NodeName") });
  assert.deepEqual(filterAll(c, makePod("p", { spec: { nodeName: "n2" } })), {
    n1: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
    n2: "",
  });
  assert.deepEqual(filterAll(c, makePod("p")), { n1: "", n2: "" });
});

test("NodeUnschedulable keeps pods off cordoned nodes unless they tolerate the unschedulable taint", () => {
  const c = newCluster([makeNode("cordoned", { unschedulable: true }), makeNode("open")], [], { profile: profileOf("NodeUnschedulable") });
  assert.deepEqual(filterAll(c, makePod("p")), { cordoned: "UnschedulableAndUnresolvable: node(s) were unschedulable", open: "" });
  const tolerant = makePod("t", { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] });
  assert.deepEqual(filterAll(c, tolerant), { cordoned: "", open: "" });
});

test("NodePorts rejects nodes where a requested host port is taken, with 0.0.0.0 clashing with any address", () => {
  const holder = (name: string, node: string, port: ContainerPort) => makePod(name, { nodeName: node, containers: [{ ports: [port] }] });
  const c = newCluster([makeNode("any"), makeNode("one-ip"), makeNode("free")], [
    holder("h1", "any", { containerPort: 80, hostPort: 8080 }),
    holder("h2", "one-ip", { containerPort: 80, hostPort: 8080, hostIP: "10.0.0.1" }),
  ], { profile: profileOf("NodePorts") });
  const want = (port: ContainerPort) => makePod("p", { containers: [{ ports: [port] }] });
  const busy = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  const cases: [string, ContainerPort, Record<string, string>][] = [
    ["same port on all addresses", { containerPort: 1, hostPort: 8080 }, { any: busy, "one-ip": busy, free: "" }],
    ["another protocol", { containerPort: 1, hostPort: 8080, protocol: "UDP" }, { any: "", "one-ip": "", free: "" }],
    ["the same address", { containerPort: 1, hostPort: 8080, hostIP: "10.0.0.1" }, { any: busy, "one-ip": busy, free: "" }],
    ["another address", { containerPort: 1, hostPort: 8080, hostIP: "10.0.0.2" }, { any: busy, "one-ip": "", free: "" }],
    ["another port", { containerPort: 1, hostPort: 9090 }, { any: "", "one-ip": "", free: "" }],
    ["no host port", { containerPort: 8080 }, { any: "", "one-ip": "", free: "" }],
  ];
  for (const [name, port, expected] of cases) assert.deepEqual(filterAll(c, want(port)), expected, name);
});

test("TaintToleration rejects the first untolerated NoSchedule or NoExecute taint, naming it", () => {
  const taints = (...t: Taint[]) => ({ taints: t });
  const c = newCluster([
    makeNode("gpu", taints({ key: "dedicated", value: "gpu", effect: "NoSchedule" })),
    makeNode("evict", taints({ key: "broken", effect: "NoExecute" })),
    makeNode("soft", taints({ key: "spot", value: "true", effect: "PreferNoSchedule" })),
    makeNode("plain"),
  ], [], { profile: profileOf("TaintToleration") });
  const cases: [string, object[], Record<string, string>][] = [
    ["no tolerations", [], {
      gpu: "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}",
      evict: "UnschedulableAndUnresolvable: node(s) had untolerated taint {broken: }", soft: "", plain: "",
    }],
    ["Equal with the value", [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }], {
      gpu: "", evict: "UnschedulableAndUnresolvable: node(s) had untolerated taint {broken: }", soft: "", plain: "",
    }],
    ["Equal with another value", [{ key: "dedicated", value: "cpu" }], {
      gpu: "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}",
      evict: "UnschedulableAndUnresolvable: node(s) had untolerated taint {broken: }", soft: "", plain: "",
    }],
    ["Exists without a key tolerates everything", [{ operator: "Exists" }], { gpu: "", evict: "", soft: "", plain: "" }],
    ["another effect does not tolerate", [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }, { key: "broken", operator: "Exists" }], {
      gpu: "UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: gpu}", evict: "", soft: "", plain: "",
    }],
  ];
  for (const [name, tolerations, expected] of cases) assert.deepEqual(filterAll(c, makePod("p", { tolerations })), expected, name);
});

test("TaintToleration scores nodes with fewer untolerated PreferNoSchedule taints higher", () => {
  const soft = (key: string): Taint => ({ key, effect: "PreferNoSchedule" });
  const c = newCluster([makeNode("two", { taints: [soft("a"), soft("b")] }), makeNode("one", { taints: [soft("a"), { key: "x", effect: "NoSchedule" }] }), makeNode("none")], [],
    { profile: profileOf("TaintToleration") });
  assert.deepEqual(scoreAll(c, makePod("p")), { two: 0, one: 50, none: 100 });
  assert.deepEqual(scoreAll(c, makePod("p", { tolerations: [{ key: "b", operator: "Exists", effect: "PreferNoSchedule" }] })), { two: 0, one: 0, none: 100 });
  assert.deepEqual(scoreAll(c, makePod("p", { tolerations: [{ operator: "Exists" }] })), { two: 100, one: 100, none: 100 });
});

test("NodeResourcesFit reports each missing resource, unresolvable when the pod alone exceeds the node", () => {
  const c = newCluster([
    makeNode("busy", { cpu: "4", memory: "8Gi" }),
    makeNode("small", { cpu: "1", memory: "1Gi" }),
    makeNode("full", { pods: 1 }),
    makeNode("gpu", { extra: { "example.com/gpu": "1" } }),
  ], [makePod("x", { nodeName: "busy", cpu: "3", memory: "7Gi" }), makePod("y", { nodeName: "full" })], { profile: profileOf("NodeResourcesFit") });
  const cases: [string, Parameters<typeof makePod>[1], Record<string, string>][] = [
    ["fits", { cpu: "500m", memory: "512Mi" }, { busy: "", small: "", full: "Unschedulable: Too many pods", gpu: "" }],
    ["cpu taken by others", { cpu: "2" }, {
      busy: "Unschedulable: Insufficient cpu", small: "UnschedulableAndUnresolvable: Insufficient cpu", full: "Unschedulable: Too many pods", gpu: "",
    }],
    ["cpu and memory", { cpu: "2", memory: "2Gi" }, {
      busy: "Unschedulable: Insufficient cpu, Insufficient memory", small: "UnschedulableAndUnresolvable: Insufficient cpu, Insufficient memory",
      full: "Unschedulable: Too many pods", gpu: "",
    }],
    ["best effort only needs a pod slot", {}, { busy: "", small: "", full: "Unschedulable: Too many pods", gpu: "" }],
    ["extended resource", { containers: [{ resources: { requests: { "example.com/gpu": "1" } } }] }, {
      busy: "UnschedulableAndUnresolvable: Insufficient example.com/gpu", small: "UnschedulableAndUnresolvable: Insufficient example.com/gpu",
      full: "UnschedulableAndUnresolvable: Too many pods, Insufficient example.com/gpu", gpu: "",
    }],
  ];
  for (const [name, o, expected] of cases) assert.deepEqual(filterAll(c, makePod("p", o)), expected, name);
});

test("NodeResourcesFit can ignore extended resources by name or group", () => {
  for (const args of [{ ignoredResources: ["example.com/gpu"] }, { ignoredResourceGroups: ["example.com"] }]) {
    const c = newCluster([makeNode("n")], [], { profile: { schedulerName: "t", plugins: [{ name: "NodeResourcesFit", args }] } });
    assert.deepEqual(filterAll(c, makePod("p", { containers: [{ resources: { requests: { "example.com/gpu": "1" } } }] })), { n: "" }, JSON.stringify(args));
  }
});

test("NodeResourcesFit scores LeastAllocated by default and MostAllocated on request", () => {
  const nodes = [makeNode("used", { cpu: "4", memory: "8Gi" }), makeNode("empty", { cpu: "4", memory: "8Gi" })];
  const existing = [makePod("x", { nodeName: "used", cpu: "1", memory: "2Gi" })];
  const pod = makePod("p", { cpu: "1", memory: "1Gi" });
  // used: cpu (4000-2000)/4000 → 50, memory 5/8 → 62; empty: 75 and 87.
  assert.deepEqual(scoreAll(newCluster(nodes, existing, { profile: profileOf("NodeResourcesFit") }), pod), { used: 56, empty: 81 });
  const most = { schedulerName: "t", plugins: [{ name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated" } } }] };
  assert.deepEqual(scoreAll(newCluster(nodes, existing, { profile: most }), pod), { used: 43, empty: 18 });
  const cpuHeavy = { schedulerName: "t", plugins: [{ name: "NodeResourcesFit", args: { scoringStrategy: { resources: [{ name: "cpu", weight: 3 }, { name: "memory", weight: 1 }] } } }] };
  assert.deepEqual(scoreAll(newCluster(nodes, existing, { profile: cpuHeavy }), pod), { used: 53, empty: 78 });
  assert.throws(() => newCluster(nodes, [], { profile: { schedulerName: "t", plugins: [{ name: "NodeResourcesFit", args: { scoringStrategy: { type: "Bogus" } } }] } }), /Unsupported value/);
});

test("NodeResourcesFit counts containers without requests at upstream's defaults when scoring", () => {
  const c = newCluster([makeNode("n", { cpu: "1", memory: "1000Mi" })], [], { profile: profileOf("NodeResourcesFit") });
  // 100m of 1000m → 90; 200Mi of 1000Mi → 80.
  assert.deepEqual(scoreAll(c, makePod("p")), { n: 85 });
});

test("NodeResourcesBalancedAllocation prefers nodes whose cpu and memory fill evenly, and skips best-effort pods", () => {
  const nodes = [makeNode("skewed", { cpu: "4", memory: "8Gi" }), makeNode("even", { cpu: "4", memory: "8Gi" })];
  const c = newCluster(nodes, [makePod("x", { nodeName: "skewed", cpu: "2" })], { profile: profileOf("NodeResourcesBalancedAllocation") });
  // skewed: cpu 3/4, memory 1/8 → std 0.3125 → 68; even: 1/4 and 1/8 → 93.
  assert.deepEqual(scoreAll(c, makePod("p", { cpu: "1", memory: "1Gi" })), { skewed: 68, even: 93 });
  assert.deepEqual(scoreAll(c, makePod("p")), { skewed: 0, even: 0 }, "best effort: skipped");
});
