// Preemption and PodDisruptionBudgets (upstream defaultpreemption SelectVictimsOnNode with
// filterPodsWithPDBViolation, and pickOneNodeForPreemption's fewest-violations rule, v1.32): which
// victims a budget protects, reprieving them first, and the node choice that avoids violations.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { LabelSelectorObject } from "../../src/api/label-selector.js";
import type { Pod, PodDisruptionBudget } from "../../src/scheduler/api-types.js";
import { Cache } from "../../src/scheduler/cache.js";
import { filterPodsWithPDBViolation } from "../../src/scheduler/disruption-budgets.js";
import { PodInfo } from "../../src/scheduler/pod-info.js";
import { selectCandidate, type Candidate } from "../../src/scheduler/preemption.js";
import { makeNode, makePod, newCluster } from "./fixtures.js";

interface BudgetOptions {
  namespace?: string;
  allowed: number;
  disrupted?: string[];
}

function makePDB(name: string, selector: LabelSelectorObject | null, o: BudgetOptions): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace: o.namespace ?? "default" },
    spec: { selector },
    status: { disruptionsAllowed: o.allowed, disruptedPods: Object.fromEntries((o.disrupted ?? []).map((p) => [p, "2026-01-01T00:00:00Z"])) },
  };
}

const db = { app: "db" };
const web = { app: "web" };

test("victims are split by whether evicting them, in order, would exceed a budget", () => {
  const cases: { name: string; pods: Pod[]; pdbs: PodDisruptionBudget[]; violating: string[] }[] = [
    { name: "no budgets", pods: [makePod("a", { labels: db })], pdbs: [], violating: [] },
    { name: "an exhausted budget protects every pod it selects", pods: [makePod("a", { labels: db }), makePod("b", { labels: web })], pdbs: [makePDB("p", { matchLabels: db }, { allowed: 0 })], violating: ["a"] },
    { name: "each victim spends one disruption, counting those chosen before it", pods: [makePod("a", { labels: db }), makePod("b", { labels: db }), makePod("c", { labels: db })], pdbs: [makePDB("p", { matchLabels: db }, { allowed: 1 })], violating: ["b", "c"] },
    { name: "a budget in another namespace protects nothing", pods: [makePod("a", { labels: db })], pdbs: [makePDB("p", { matchLabels: db }, { allowed: 0, namespace: "other" })], violating: [] },
    { name: "a pod already in disruptedPods spends nothing", pods: [makePod("a", { labels: db }), makePod("b", { labels: db })], pdbs: [makePDB("p", { matchLabels: db }, { allowed: 1, disrupted: ["a"] })], violating: [] },
    { name: "an empty or missing selector selects nothing", pods: [makePod("a", { labels: db })], pdbs: [makePDB("e", {}, { allowed: 0 }), makePDB("n", null, { allowed: 0 })], violating: [] },
    { name: "a pod without labels matches no budget", pods: [makePod("a")], pdbs: [makePDB("p", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, { allowed: 0 })], violating: [] },
    { name: "an invalid selector selects nothing", pods: [makePod("a", { labels: db })], pdbs: [makePDB("p", { matchExpressions: [{ key: "app", operator: "Bogus" }] }, { allowed: 0 })], violating: [] },
    { name: "one exhausted budget among several is enough", pods: [makePod("a", { labels: { app: "db", tier: "x" } })], pdbs: [makePDB("p", { matchLabels: db }, { allowed: 5 }), makePDB("q", { matchLabels: { tier: "x" } }, { allowed: 0 })], violating: ["a"] },
  ];
  for (const c of cases) {
    const pods = c.pods.map((p) => PodInfo.of(p));
    const { violating, nonViolating } = filterPodsWithPDBViolation(pods, c.pdbs);
    assert.deepEqual(violating.map((p) => p.name), c.violating, c.name);
    assert.deepEqual(nonViolating.map((p) => p.name), pods.map((p) => p.name).filter((n) => !c.violating.includes(n)), `${c.name}: order kept`);
  }
});

test("preemption honours PodDisruptionBudgets when choosing victims and nodes", () => {
  const cases: { name: string; nodes: string[]; pods: Pod[]; pdbs: PodDisruptionBudget[]; request: string; node: string; victims: string[] }[] = [
    {
      name: "a protected victim is reprieved when another victim suffices",
      nodes: ["n1"],
      pods: [makePod("a", { nodeName: "n1", cpu: "1", priority: 10, labels: db }), makePod("b", { nodeName: "n1", cpu: "1", priority: 5, labels: web })],
      pdbs: [makePDB("web", { matchLabels: web }, { allowed: 0 })],
      request: "1",
      node: "n1",
      victims: ["a"],
    },
    {
      name: "without a budget the least important victim goes",
      nodes: ["n1"],
      pods: [makePod("a", { nodeName: "n1", cpu: "1", priority: 10, labels: db }), makePod("b", { nodeName: "n1", cpu: "1", priority: 5, labels: web })],
      pdbs: [],
      request: "1",
      node: "n1",
      victims: ["b"],
    },
    {
      name: "the node with fewer violations wins over the one with less important victims",
      nodes: ["n1", "n2"],
      pods: [makePod("x", { nodeName: "n1", cpu: "2", priority: 1, labels: db }), makePod("y", { nodeName: "n2", cpu: "2", priority: 10, labels: web })],
      pdbs: [makePDB("db", { matchLabels: db }, { allowed: 0 })],
      request: "2",
      node: "n2",
      victims: ["y"],
    },
    {
      name: "with no way around it the protected victim is still evicted",
      nodes: ["n1"],
      pods: [makePod("x", { nodeName: "n1", cpu: "2", priority: 1, labels: db })],
      pdbs: [makePDB("db", { matchLabels: db }, { allowed: 0 })],
      request: "2",
      node: "n1",
      victims: ["x"],
    },
    {
      name: "victims stay most important first when both kinds are evicted",
      nodes: ["n1"],
      pods: [makePod("a", { nodeName: "n1", cpu: "1", priority: 10, labels: web }), makePod("b", { nodeName: "n1", cpu: "1", priority: 5, labels: db })],
      pdbs: [makePDB("db", { matchLabels: db }, { allowed: 0 })],
      request: "2",
      node: "n1",
      victims: ["a", "b"],
    },
  ];
  for (const c of cases) {
    const cluster = newCluster(c.nodes.map((n) => makeNode(n, { cpu: "2" })), c.pods);
    for (const pdb of c.pdbs) cluster.cache.addPDB(pdb);
    const out = cluster.scheduler.schedulingCycle(makePod("p", { cpu: c.request, priority: 50 }));
    assert.ok(out.kind === "unschedulable", c.name);
    assert.deepEqual([out.nominatedNodeName, out.victims?.map((v) => v.name)], [c.node, c.victims], c.name);
  }
});

test("among candidates the fewest budget violations decide before victim priority", () => {
  const victim = (name: string, priority: number): PodInfo => PodInfo.of(makePod(name, { priority }));
  const candidates: Candidate[] = [
    { name: "n1", victims: [victim("a", 1)], numPDBViolations: 2 },
    { name: "n2", victims: [victim("b", 100), victim("c", 100)], numPDBViolations: 1 },
    { name: "n3", victims: [victim("d", 50)], numPDBViolations: 1 },
  ];
  assert.equal(selectCandidate(candidates).name, "n3");
});

test("the cache lists PodDisruptionBudgets as they are added, updated and removed", () => {
  const cache = new Cache();
  const p = makePDB("p", { matchLabels: db }, { allowed: 0 });
  cache.addPDB(p);
  cache.addPDB(makePDB("p", { matchLabels: db }, { allowed: 0, namespace: "other" }));
  assert.equal(cache.pdbs().length, 2);
  cache.updatePDB(makePDB("p", { matchLabels: db }, { allowed: 3 }));
  assert.deepEqual(cache.pdbs().map((b) => [b.metadata?.namespace, b.status?.disruptionsAllowed]), [["default", 3], ["other", 0]]);
  cache.removePDB(p);
  assert.deepEqual(cache.pdbs().map((b) => b.metadata?.namespace), ["other"]);
});
