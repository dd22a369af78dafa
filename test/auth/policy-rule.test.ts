// Rule matching as upstream's RBAC authorizer does it, table-driven: verbs, groups, resources with
// `*`, `*/sub` and `res/*`, resourceNames, non-resource URLs with a trailing `*`; the compact form
// used in escalation messages; and what escalation checks count as covered.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Attributes } from "../../src/auth/authorization/attributes.js";
import { resourceAttributes } from "../../src/auth/authorization/attributes.js";
import { uncoveredRules } from "../../src/auth/authorization/escalation.js";
import { compactRule, ruleAllows, type PolicyRule } from "../../src/auth/authorization/policy-rule.js";

const user = { name: "alice", groups: ["system:authenticated"] };

function request(verb: string, resource: string, options: { group?: string; namespace?: string; name?: string } = {}): Attributes {
  const [plural = "", subresource] = resource.split("/");
  return { kind: "resource", user, verb, apiGroup: options.group ?? "", resource: plural, subresource: subresource ?? "", namespace: options.namespace ?? "default", name: options.name ?? "" };
}

const path = (verb: string, p: string): Attributes => ({ kind: "nonResource", user, verb, path: p });

describe("RBAC rule matching", () => {
  const cases: { name: string; rule: PolicyRule; attrs: Attributes; allowed: boolean }[] = [
    { name: "a listed verb on a listed resource", rule: { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }, attrs: request("list", "pods"), allowed: true },
    { name: "a verb not listed", rule: { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, attrs: request("delete", "pods"), allowed: false },
    { name: "another API group", rule: { verbs: ["get"], apiGroups: [""], resources: ["deployments"] }, attrs: request("get", "deployments", { group: "apps" }), allowed: false },
    { name: "every verb, group and resource", rule: { verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, attrs: request("deletecollection", "widgets", { group: "example.com" }), allowed: true },
    { name: "a resource rule never matches its subresource", rule: { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, attrs: request("get", "pods/log", { name: "p" }), allowed: false },
    { name: "a subresource named exactly", rule: { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, attrs: request("get", "pods/log", { name: "p" }), allowed: true },
    { name: "*/scale matches any resource's scale", rule: { verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"] }, attrs: request("get", "deployments/scale", { group: "apps", name: "d" }), allowed: true },
    { name: "pods/* matches any subresource of pods", rule: { verbs: ["create"], apiGroups: [""], resources: ["pods/*"] }, attrs: request("create", "pods/exec", { name: "p" }), allowed: true },
    { name: "pods/* does not match pods itself", rule: { verbs: ["get"], apiGroups: [""], resources: ["pods/*"] }, attrs: request("get", "pods", { name: "p" }), allowed: false },
    { name: "resourceNames allow the named object", rule: { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, attrs: request("get", "configmaps", { name: "a" }), allowed: true },
    { name: "resourceNames refuse another object", rule: { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, attrs: request("get", "configmaps", { name: "b" }), allowed: false },
    { name: "resourceNames never allow a list", rule: { verbs: ["list"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }, attrs: request("list", "configmaps"), allowed: false },
    { name: "a non-resource URL named exactly", rule: { verbs: ["get"], nonResourceURLs: ["/healthz"] }, attrs: path("get", "/healthz"), allowed: true },
    { name: "a non-resource URL prefix with a trailing *", rule: { verbs: ["get"], nonResourceURLs: ["/apis/*"] }, attrs: path("get", "/apis/apps/v1"), allowed: true },
    { name: "a prefix rule does not match its parent", rule: { verbs: ["get"], nonResourceURLs: ["/apis/*"] }, attrs: path("get", "/apis"), allowed: false },
    { name: "a resource rule never matches a path", rule: { verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, attrs: path("get", "/metrics"), allowed: false },
    { name: "a path rule never matches a resource", rule: { verbs: ["*"], nonResourceURLs: ["*"] }, attrs: request("get", "pods"), allowed: false },
  ];
  for (const c of cases) {
    it(`${c.allowed ? "allows" : "refuses"} ${c.name}`, () => assert.equal(ruleAllows(c.attrs, c.rule), c.allowed));
  }

  it("authorises exec, attach and port-forward as create whatever the method", () => {
    const exec = resourceAttributes(user, { group: "", resource: "pods", subresource: "exec", namespace: "default", name: "p", verb: "get" });
    assert.equal(exec.verb, "create");
    const log = resourceAttributes(user, { group: "", resource: "pods", subresource: "log", namespace: "default", name: "p", verb: "get" });
    assert.equal(log.verb, "get");
  });
});

describe("RBAC escalation checks", () => {
  it("writes rules in upstream's compact form", () => {
    assert.equal(compactRule({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }), '{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}');
    assert.equal(compactRule({ verbs: ["get"], nonResourceURLs: ["/metrics"] }), '{NonResourceURLs:["/metrics"], Verbs:["get"]}');
    assert.equal(compactRule({ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["s"] }), '{APIGroups:[""], Resources:["secrets"], ResourceNames:["s"], Verbs:["get"]}');
  });

  it("finds every verb and resource the holder lacks, one each", () => {
    const held: PolicyRule[] = [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }];
    const wanted: PolicyRule[] = [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods", "secrets"] }];
    assert.deepEqual(uncoveredRules(held, wanted).map(compactRule), [
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}',
    ]);
  });

  it("counts wildcards as covered only by wildcards", () => {
    const everything: PolicyRule[] = [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, { verbs: ["*"], nonResourceURLs: ["*"] }];
    assert.deepEqual(uncoveredRules(everything, [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]), []);
    const podsOnly: PolicyRule[] = [{ verbs: ["*"], apiGroups: [""], resources: ["pods"] }];
    assert.equal(uncoveredRules(podsOnly, [{ verbs: ["get"], apiGroups: [""], resources: ["*"] }]).length, 1);
    assert.equal(uncoveredRules(podsOnly, [{ verbs: ["*"], apiGroups: [""], resources: ["pods"] }]).length, 0);
  });

  it("lets a holder of all names grant one name, but not the reverse", () => {
    const all: PolicyRule[] = [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"] }];
    const one: PolicyRule[] = [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["s"] }];
    assert.deepEqual(uncoveredRules(all, one), []);
    assert.equal(uncoveredRules(one, all).length, 1);
  });

  it("covers sub-paths by a path prefix", () => {
    assert.deepEqual(uncoveredRules([{ verbs: ["get"], nonResourceURLs: ["/apis/*"] }], [{ verbs: ["get"], nonResourceURLs: ["/apis/apps"] }]), []);
  });
});
