// PodTopologySpread: DoNotSchedule filtering with maxSkew, minDomains, the node inclusion policies
// and missing topology labels; ScheduleAnyway scoring per zone and per host.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TopologySpreadConstraint } from "../../src/scheduler/api-types.js";
import { filterAll, makeNode, makePod, newCluster, profileOf, scoreAll } from "./fixtures.js";

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";
const SKEW = "Unschedulable: node(s) didn't match pod topology spread constraints";
const MISSING = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";

const spread = (topologyKey: string, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint =>
  ({ maxSkew: 1, topologyKey, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, ...extra });

const inZones = (...zones: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: "In", values: zones }] }] } } });

/** z1: n1 (2 web pods), n2; z2: n3 (1 web pod); z3: n4 (tainted). */
function cluster(extraNodes = [] as ReturnType<typeof makeNode>[]) {
  const zone = (z: string) => ({ [ZONE]: z });
  return newCluster([
    makeNode("n1", { labels: zone("z1") }), makeNode("n2", { labels: zone("z1") }), makeNode("n3", { labels: zone("z2") }),
    makeNode("n4", { labels: zone("z3"), taints: [{ key: "dedicated", value: "x", effect: "NoSchedule" }] }), ...extraNodes,
  ], [
    makePod("w1", { nodeName: "n1", labels: { app: "web" } }), makePod("w2", { nodeName: "n1", labels: { app: "web" } }),
    makePod("w3", { nodeName: "n3", labels: { app: "web" } }), makePod("other", { nodeName: "n4", labels: { app: "db" } }),
  ], { profile: profileOf("PodTopologySpread") });
}

test("PodTopologySpread keeps each domain within maxSkew of the least loaded one", () => {
  const c = cluster();
  const web = { labels: { app: "web" } };
  const cases: [string, Parameters<typeof makePod>[1], Record<string, string>][] = [
    ["zones, maxSkew 1", { ...web, topologySpreadConstraints: [spread(ZONE)] }, { n1: SKEW, n2: SKEW, n3: SKEW, n4: "" }],
    ["zones, maxSkew 2", { ...web, topologySpreadConstraints: [spread(ZONE, { maxSkew: 2 })] }, { n1: SKEW, n2: SKEW, n3: "", n4: "" }],
    ["hosts, maxSkew 1", { ...web, topologySpreadConstraints: [spread(HOST)] }, { n1: SKEW, n2: "", n3: SKEW, n4: "" }],
    ["a pod outside the selector does not count itself", { topologySpreadConstraints: [spread(ZONE)] }, { n1: SKEW, n2: SKEW, n3: "", n4: "" }],
    ["node affinity narrows the domains (nodeAffinityPolicy Honor)",
      { ...web, affinity: inZones("z1", "z2"), topologySpreadConstraints: [spread(ZONE)] }, { n1: SKEW, n2: SKEW, n3: "", n4: "" }],
    ["nodeAffinityPolicy Ignore counts every domain",
      { ...web, affinity: inZones("z1", "z2"), topologySpreadConstraints: [spread(ZONE, { nodeAffinityPolicy: "Ignore" })] }, { n1: SKEW, n2: SKEW, n3: SKEW, n4: "" }],
    ["a node outside every domain counts as an empty one", { ...web, nodeSelector: { [ZONE]: "z2" }, topologySpreadConstraints: [spread(ZONE)] },
      { n1: "", n2: "", n3: "", n4: "" }],
    ["nodeTaintsPolicy Honor drops domains of untolerated taints",
      { ...web, topologySpreadConstraints: [spread(ZONE, { nodeTaintsPolicy: "Honor" })] }, { n1: SKEW, n2: SKEW, n3: "", n4: "" }],
    ["ScheduleAnyway constraints do not filter", { ...web, topologySpreadConstraints: [spread(ZONE, { whenUnsatisfiable: "ScheduleAnyway" })] },
      { n1: "", n2: "", n3: "", n4: "" }],
  ];
  for (const [name, o, expected] of cases) assert.deepEqual(filterAll(c, makePod("p", o)), expected, name);
});

test("PodTopologySpread treats the global minimum as 0 below minDomains", () => {
  const zone = (z: string) => ({ labels: { [ZONE]: z } });
  const c = newCluster([makeNode("a", zone("z1")), makeNode("b", zone("z2")), makeNode("c", zone("z3"))],
    ["a", "b", "c"].map((n, i) => makePod(`w${i}`, { nodeName: n, labels: { app: "web" } })), { profile: profileOf("PodTopologySpread") });
  const pod = (minDomains?: number) => makePod("p", { labels: { app: "web" }, topologySpreadConstraints: [spread(ZONE, { minDomains })] });
  assert.deepEqual(filterAll(c, pod()), { a: "", b: "", c: "" });
  assert.deepEqual(filterAll(c, pod(3)), { a: "", b: "", c: "" });
  assert.deepEqual(filterAll(c, pod(4)), { a: SKEW, b: SKEW, c: SKEW });
});

test("PodTopologySpread rejects nodes without the topology label as unresolvable", () => {
  const c = cluster([makeNode("bare")]);
  assert.equal(filterAll(c, makePod("p", { labels: { app: "web" }, topologySpreadConstraints: [spread(ZONE)] }))["bare"], MISSING);
});

test("PodTopologySpread scores emptier domains higher for ScheduleAnyway constraints", () => {
  const c = cluster([makeNode("bare")]);
  const soft = (key: string) => makePod("p", { labels: { app: "web" }, topologySpreadConstraints: [spread(key, { whenUnsatisfiable: "ScheduleAnyway" })] });
  // zones: z1 has 2, z2 1, z3 0 matching pods; weight ln(3 + 2); "bare" lacks the key and scores 0.
  assert.deepEqual(scoreAll(c, soft(ZONE)), { n1: 0, n2: 0, n3: 33, n4: 100, bare: 0 });
  // hosts: n1 2, n3 1; weight ln(5 + 2).
  assert.deepEqual(scoreAll(c, soft(HOST)), { n1: 0, n2: 100, n3: 50, n4: 100, bare: 100 });
  assert.deepEqual(scoreAll(c, makePod("p")), { n1: 0, n2: 0, n3: 0, n4: 0, bare: 0 }, "no constraints: skipped");
});
