// InterPodAffinity: the incoming pod's required affinity and anti-affinity, existing pods'
// anti-affinity toward it, topology keys, namespaces and namespaceSelector, and preferred terms
// both ways in scoring; reasons and codes as upstream.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Affinity, PodAffinityTerm } from "../../src/scheduler/api-types.js";
import { filterAll, makeNode, makePod, newCluster, profileOf, scoreAll } from "./fixtures.js";

const AFFINITY = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
const ANTI = "Unschedulable: node(s) didn't match pod anti-affinity rules";
const EXISTING = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
const HOST = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

const term = (app: string, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
const affinity = (...t: PodAffinityTerm[]): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });
const antiAffinity = (...t: PodAffinityTerm[]): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: t } });

function cluster() {
  const zone = (z: string) => ({ labels: { [ZONE]: z } });
  const c = newCluster([makeNode("n1", zone("z1")), makeNode("n2", zone("z1")), makeNode("n3", zone("z2"))], [
    makePod("web-1", { nodeName: "n1", labels: { app: "web" } }),
    makePod("db-1", { nodeName: "n3", labels: { app: "db" } }),
    makePod("db-other", { nodeName: "n1", namespace: "other", labels: { app: "db" } }),
    makePod("guard", { nodeName: "n2", labels: { app: "guard" }, affinity: antiAffinity(term("web", HOST)) }),
  ], { profile: profileOf("InterPodAffinity") });
  c.cache.addNamespace({ metadata: { name: "default" } });
  c.cache.addNamespace({ metadata: { name: "other", labels: { team: "x" } } });
  return c;
}

test("InterPodAffinity filters on required affinity, anti-affinity and existing pods' anti-affinity", () => {
  const c = cluster();
  const cases: [string, Parameters<typeof makePod>[1], Record<string, string>][] = [
    ["nothing asked", {}, { n1: "", n2: "", n3: "" }],
    ["affinity to a zone with a db", { affinity: affinity(term("db", ZONE)) }, { n1: AFFINITY, n2: AFFINITY, n3: "" }],
    ["affinity to a host with a db", { affinity: affinity(term("db", HOST)) }, { n1: AFFINITY, n2: AFFINITY, n3: "" }],
    ["anti-affinity to web per host", { affinity: antiAffinity(term("web", HOST)) }, { n1: ANTI, n2: "", n3: "" }],
    ["anti-affinity to web per zone", { affinity: antiAffinity(term("web", ZONE)) }, { n1: ANTI, n2: ANTI, n3: "" }],
    ["an existing pod's anti-affinity keeps web pods off its host", { labels: { app: "web" } }, { n1: "", n2: EXISTING, n3: "" }],
    ["the first pod of a self-affine group may go anywhere", { labels: { app: "cache" }, affinity: affinity(term("cache", ZONE)) }, { n1: "", n2: "", n3: "" }],
    ["affinity to pods that do not exist fails", { affinity: affinity(term("cache", ZONE)) }, { n1: AFFINITY, n2: AFFINITY, n3: AFFINITY }],
    ["a topology key no node has fails", { affinity: affinity(term("db", "rack")) }, { n1: AFFINITY, n2: AFFINITY, n3: AFFINITY }],
    ["terms name namespaces", { affinity: affinity(term("db", HOST, { namespaces: ["other"] })) }, { n1: "", n2: AFFINITY, n3: AFFINITY }],
    ["a namespaceSelector selects namespaces by label", { affinity: affinity(term("db", HOST, { namespaceSelector: { matchLabels: { team: "x" } } })) },
      { n1: "", n2: AFFINITY, n3: AFFINITY }],
    ["an empty namespaceSelector spans all namespaces", { affinity: affinity(term("db", HOST, { namespaceSelector: {} })) }, { n1: "", n2: AFFINITY, n3: "" }],
    ["all affinity terms must match the same pods", { affinity: affinity(term("db", ZONE), term("web", ZONE)) }, { n1: AFFINITY, n2: AFFINITY, n3: AFFINITY }],
  ];
  for (const [name, o, expected] of cases) assert.deepEqual(filterAll(c, makePod("p", o)), expected, name);
});

test("InterPodAffinity rejects a pod whose terms do not parse", () => {
  const c = cluster();
  const bad = makePod("p", { affinity: affinity({ labelSelector: { matchExpressions: [{ key: "app", operator: "Bogus" }] }, topologyKey: HOST }) });
  assert.match(filterAll(c, bad)["n1"] ?? "", /^UnschedulableAndUnresolvable: parsing pod: /);
});

test("InterPodAffinity scores preferred terms of the incoming pod and of existing pods", () => {
  const preferred = (weight: number, t: PodAffinityTerm) => [{ weight, podAffinityTerm: t }];
  const cases: [string, Parameters<typeof makePod>[1][], Parameters<typeof makePod>[1], Record<string, number>][] = [
    ["preferred affinity to a zone", [], { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred(10, term("db", ZONE)) } } }, { n1: 0, n2: 0, n3: 100 }],
    ["preferred anti-affinity to a host", [], { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred(5, term("web", HOST)) } } },
      { n1: 0, n2: 100, n3: 100 }],
    ["an existing pod's preferred affinity toward the pod", [{ nodeName: "n2", affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred(50, term("x", HOST)) } } }],
      { labels: { app: "x" } }, { n1: 0, n2: 100, n3: 0 }],
    ["an existing pod's required affinity counts with hardPodAffinityWeight", [{ nodeName: "n3", affinity: affinity(term("y", ZONE)) }], { labels: { app: "y" } },
      { n1: 0, n2: 0, n3: 100 }],
    ["an existing pod's preferred anti-affinity toward the pod", [{ nodeName: "n1", affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: preferred(7, term("z", ZONE)) } } }],
      { labels: { app: "z" } }, { n1: 0, n2: 0, n3: 100 }],
  ];
  for (const [name, existing, o, expected] of cases) {
    const c = cluster();
    existing.forEach((e, i) => c.cache.addPod(makePod(`e${i}`, e)));
    assert.deepEqual(scoreAll(c, makePod("p", o)), expected, name);
  }
});
