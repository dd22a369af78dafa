// NodeAffinity: nodeSelector and required terms with every operator (In, NotIn, Exists,
// DoesNotExist, Gt, Lt) and matchFields metadata.name, the PreFilter narrowing, and preferred weights.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { NodeSelectorTerm, PreferredSchedulingTerm } from "../../src/scheduler/api-types.js";
import { filterAll, makeNode, makePod, newCluster, profileOf, scoreAll } from "./fixtures.js";

const NO = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";

function cluster() {
  return newCluster([
    makeNode("a", { labels: { zone: "z1", disk: "ssd", cores: "8" } }),
    makeNode("b", { labels: { zone: "z2", disk: "hdd", cores: "32" } }),
    makeNode("c", { labels: { zone: "z3" } }),
  ], [], { profile: profileOf("NodeAffinity") });
}

const required = (...nodeSelectorTerms: NodeSelectorTerm[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } });
const expr = (key: string, operator: string, values?: string[]): NodeSelectorTerm => ({ matchExpressions: [{ key, operator, values }] });

test("NodeAffinity matches nodeSelector and required terms with every operator", () => {
  const c = cluster();
  const cases: [string, Parameters<typeof makePod>[1], Record<string, string>][] = [
    ["no constraints", {}, { a: "", b: "", c: "" }],
    ["nodeSelector", { nodeSelector: { disk: "ssd" } }, { a: "", b: NO, c: NO }],
    ["In", { affinity: required(expr("zone", "In", ["z1", "z2"])) }, { a: "", b: "", c: NO }],
    ["NotIn matches nodes without the label", { affinity: required(expr("disk", "NotIn", ["ssd"])) }, { a: NO, b: "", c: "" }],
    ["Exists", { affinity: required(expr("disk", "Exists")) }, { a: "", b: "", c: NO }],
    ["DoesNotExist", { affinity: required(expr("disk", "DoesNotExist")) }, { a: NO, b: NO, c: "" }],
    ["Gt compares integers", { affinity: required(expr("cores", "Gt", ["16"])) }, { a: NO, b: "", c: NO }],
    ["Lt compares integers", { affinity: required(expr("cores", "Lt", ["16"])) }, { a: "", b: NO, c: NO }],
    ["Gt with a non-integer never matches", { affinity: required(expr("cores", "Gt", ["x"])) }, { a: NO, b: NO, c: NO }],
    ["expressions in a term are ANDed", { affinity: required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }, { key: "disk", operator: "In", values: ["hdd"] }] }) },
      { a: NO, b: "", c: NO }],
    ["terms are ORed", { affinity: required(expr("disk", "In", ["ssd"]), expr("zone", "In", ["z3"])) }, { a: "", b: NO, c: "" }],
    ["an empty term matches nothing", { affinity: required({}) }, { a: NO, b: NO, c: NO }],
    ["a bad term matches nothing, the others still do", { affinity: required(expr("zone", "Bogus", ["z1"]), expr("zone", "In", ["z2"])) }, { a: NO, b: "", c: NO }],
    ["nodeSelector and affinity both apply", { nodeSelector: { disk: "ssd" }, affinity: required(expr("zone", "In", ["z2"])) }, { a: NO, b: NO, c: NO }],
    ["matchFields NotIn", { affinity: required({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["a"] }] }) }, { a: NO, b: "", c: "" }],
  ];
  for (const [name, o, expected] of cases) assert.deepEqual(filterAll(c, makePod("p", o)), expected, name);
});

test("NodeAffinity's PreFilter narrows to the nodes named by matchFields, or rejects conflicting names", () => {
  const c = cluster();
  const named = makePod("p", { affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["b"] }] }) });
  assert.deepEqual(filterAll(c, named), { a: "UnschedulableAndUnresolvable: (not in PreFilterResult)", b: "", c: "UnschedulableAndUnresolvable: (not in PreFilterResult)" });
  const conflict = makePod("p", { affinity: required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }, { key: "metadata.name", operator: "In", values: ["b"] }] }) });
  assert.deepEqual(filterAll(c, conflict), { a: "UnschedulableAndUnresolvable: pod affinity terms conflict", b: "UnschedulableAndUnresolvable: pod affinity terms conflict", c: "UnschedulableAndUnresolvable: pod affinity terms conflict" });
});

test("NodeAffinity scores the sum of matching preferred weights, best node 100", () => {
  const c = cluster();
  const preferred = (...terms: PreferredSchedulingTerm[]) => makePod("p", { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } });
  assert.deepEqual(scoreAll(c, preferred({ weight: 80, preference: expr("disk", "In", ["ssd"]) }, { weight: 20, preference: expr("zone", "In", ["z2", "z3"]) })),
    { a: 100, b: 25, c: 25 });
  assert.deepEqual(scoreAll(c, preferred({ weight: 10, preference: expr("cores", "Gt", ["4"]) }, { weight: 30, preference: {} })), { a: 100, b: 100, c: 0 });
  assert.deepEqual(scoreAll(c, makePod("p")), { a: 0, b: 0, c: 0 }, "no preferences: skipped");
});
