// The NetworkPolicy evaluator, table-driven over every rule form: default allow, default deny,
// podSelector, namespaceSelector, both combined, ipBlock with except, numeric, ranged and named
// ports, protocols, egress, implicit policyTypes, and several policies as a union.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../src/api/resource.js";
import { evaluateConnection } from "../../src/netpol/evaluate.js";
import { explainVerdict } from "../../src/netpol/explain.js";
import { namespace, pod, policy, snapshot } from "./fixtures.js";

const base: KubeObject[] = [
  namespace("default"),
  namespace("prod", { team: "a" }),
  namespace("dev", { team: "b" }),
  pod("default", "api", { labels: { app: "api" }, ip: "10.42.0.2", ports: [{ name: "http", containerPort: 8080 }, { name: "dns", containerPort: 53, protocol: "UDP" }] }),
  pod("default", "web", { labels: { app: "web" }, ip: "10.42.0.3" }),
  pod("default", "job", { labels: { app: "job" }, ip: "10.42.0.4" }),
  pod("prod", "web", { labels: { app: "web" }, ip: "10.42.1.2" }),
  pod("dev", "web", { labels: { app: "web" }, ip: "10.42.2.2" }),
  pod("default", "host", { labels: { app: "web" }, ip: "192.168.1.10", hostNetwork: true }),
];

const api = { podSelector: { matchLabels: { app: "api" } } };

interface Case {
  name: string;
  policies: KubeObject[];
  from: [string, string] | string;
  to?: [string, string];
  port?: number;
  protocol?: string;
  allowed: boolean;
  by?: string;
}

const cases: Case[] = [
  { name: "no policy: default allow", policies: [], from: ["default", "job"], allowed: true },
  { name: "a policy with no ingress rules denies all ingress", policies: [policy("default", "deny", { ...api, policyTypes: ["Ingress"] })], from: ["default", "web"], allowed: false },
  { name: "an empty podSelector selects every pod of the namespace", policies: [policy("default", "deny", { podSelector: {}, policyTypes: ["Ingress"] })], from: ["default", "web"], allowed: false },
  { name: "a policy in another namespace does not select the pod", policies: [policy("prod", "deny", { podSelector: {}, policyTypes: ["Ingress"] })], from: ["default", "web"], allowed: true },
  { name: "podSelector peer allows a matching pod", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] })], from: ["default", "web"], allowed: true, by: "p ingress rule 1" },
  { name: "podSelector peer only covers the policy's namespace", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] })], from: ["prod", "web"], allowed: false },
  { name: "namespaceSelector peer allows every pod of matching namespaces", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] })], from: ["prod", "web"], allowed: true },
  { name: "namespaceSelector peer refuses other namespaces", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "a" } } }] }] })], from: ["dev", "web"], allowed: false },
  {
    name: "namespaceSelector and podSelector in one peer must both match",
    policies: [policy("default", "p", { ...api, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] }, podSelector: { matchLabels: { app: "job" } } }] }] })],
    from: ["prod", "web"],
    allowed: false,
  },
  { name: "an empty from allows every source", policies: [policy("default", "p", { ...api, ingress: [{}] })], from: ["dev", "web"], allowed: true },
  { name: "ipBlock allows addresses in its cidr", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ ipBlock: { cidr: "10.42.0.0/16" } }] }] })], from: ["dev", "web"], allowed: true },
  { name: "ipBlock except carves addresses out", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ ipBlock: { cidr: "10.42.0.0/16", except: ["10.42.2.0/24"] } }] }] })], from: ["dev", "web"], allowed: false },
  { name: "ipBlock matches a plain address", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ ipBlock: { cidr: "192.0.2.0/24" } }] }] })], from: "192.0.2.7", allowed: true },
  { name: "pod selectors never match a plain address", policies: [policy("default", "p", { ...api, ingress: [{ from: [{ podSelector: {} }] }] })], from: "192.0.2.7", allowed: false },
  { name: "a numeric port allows that port", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: 8080 }] }] })], from: ["default", "web"], allowed: true },
  { name: "a numeric port refuses another", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: 8080 }] }] })], from: ["default", "web"], port: 9090, allowed: false },
  { name: "endPort makes an inclusive range", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }] })], from: ["default", "web"], port: 9100, allowed: true },
  { name: "a named port resolves on the destination pod", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: "http" }] }] })], from: ["default", "web"], allowed: true },
  { name: "a named port with another protocol does not resolve", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: "dns" }] }] })], from: ["default", "web"], port: 53, allowed: false },
  { name: "the protocol must match", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ port: 53, protocol: "UDP" }] }] })], from: ["default", "web"], port: 53, protocol: "UDP", allowed: true },
  { name: "a port entry without a port allows its whole protocol", policies: [policy("default", "p", { ...api, ingress: [{ ports: [{ protocol: "UDP" }] }] })], from: ["default", "web"], port: 8080, allowed: false },
  {
    name: "policies add up: a second policy's rule allows what the first does not",
    policies: [policy("default", "a", { ...api, ingress: [{ from: [{ podSelector: { matchLabels: { app: "job" } } }] }] }), policy("default", "b", { ...api, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }] }] })],
    from: ["default", "web"],
    allowed: true,
    by: "b ingress rule 1",
  },
  { name: "egress isolation of the source blocks", policies: [policy("default", "e", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] })], from: ["default", "web"], allowed: false },
  { name: "egress rules imply policyTypes [Ingress, Egress]", policies: [policy("default", "e", { podSelector: { matchLabels: { app: "web" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "api" } } }] }] })], from: ["default", "web"], allowed: true, by: "e egress rule 1" },
  { name: "an egress named port resolves on the destination", policies: [policy("default", "e", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: "http" }] }] })], from: ["default", "web"], allowed: true },
  { name: "a policy listing only Egress leaves ingress open", policies: [policy("default", "e", { ...api, policyTypes: ["Egress"] })], from: ["default", "job"], to: ["default", "api"], allowed: true },
  { name: "host-network pods are not isolated", policies: [policy("default", "e", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] })], from: ["default", "host"], allowed: true },
];

describe("network policy evaluator", () => {
  for (const c of cases) {
    it(c.name, () => {
      const cluster = snapshot([...base, ...c.policies]);
      const endpoint = (ref: [string, string] | string) => {
        if (typeof ref === "string") return { ip: ref };
        const target = cluster.podsIn(ref[0]).find((p) => p.name === ref[1])!;
        return { pod: target, ip: target.ips[0]! };
      };
      const verdict = evaluateConnection(cluster, { from: endpoint(c.from), to: endpoint(c.to ?? ["default", "api"]), protocol: c.protocol ?? "TCP", port: c.port ?? 8080 });
      const text = explainVerdict(verdict, "x").join("\n");
      assert.equal(verdict.allowed, c.allowed, text);
      if (c.by) assert.match(text, new RegExp(`allowed by networkpolicy/${c.by}`));
    });
  }

  it("explains a blocked connection with each rule's miss", () => {
    const cluster = snapshot([...base, policy("default", "api-allow", { ...api, ingress: [{ from: [{ podSelector: { matchLabels: { app: "frontend" } } }], ports: [{ port: 8080 }] }] })]);
    const [web] = cluster.podsIn("default").filter((p) => p.name === "web");
    const [target] = cluster.podsIn("default").filter((p) => p.name === "api");
    const lines = explainVerdict(evaluateConnection(cluster, { from: { pod: web, ip: "10.42.0.3" }, to: { pod: target, ip: "10.42.0.2" }, protocol: "TCP", port: 8080 }), "web → api");
    assert.deepEqual(lines, [
      "BLOCKED: web → api",
      "  egress (leaving the source): allowed: no policy selects pod web for egress: default allow",
      "  ingress (entering the destination): blocked: pod api is selected for ingress by networkpolicy/api-allow, and no rule of it allows this",
      "    networkpolicy/api-allow ingress rule 1: the source pod/web (namespace default, 10.42.0.3) matches none of its from peers (pods app=frontend)",
    ]);
  });
});
