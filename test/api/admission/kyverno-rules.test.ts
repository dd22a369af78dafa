// The rest of Kyverno's rule language: variables with a JMESPath subset, deny conditions,
// match/exclude filters, and the auto-generated pod-controller rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autogenRules } from "../../../src/api/admission/kyverno/autogen.js";
import { evaluateConditions } from "../../../src/api/admission/kyverno/conditions.js";
import { applyPolicies } from "../../../src/api/admission/kyverno/engine.js";
import { kindMatches, type MatchTarget, ruleApplies } from "../../../src/api/admission/kyverno/match.js";
import type { Rule } from "../../../src/api/admission/kyverno/policy.js";
import { evaluate, substitute } from "../../../src/api/admission/kyverno/variables.js";

const object = { metadata: { name: "web", labels: { "app.kubernetes.io/name": "web" } }, spec: { containers: [{ name: "a", image: "nginx:1" }, { name: "b", image: "redis:7" }] } };
const context = { request: { operation: "CREATE", object, userInfo: { username: "alice", groups: ["dev"] } }, serviceAccountName: "" };

function target(overrides: Partial<MatchTarget> = {}): MatchTarget {
  return {
    group: "", version: "v1", kind: "Pod", subresource: undefined, name: "web", namespace: "default", labels: { app: "web" }, annotations: {}, operation: "CREATE",
    user: { name: "alice", groups: ["dev", "system:authenticated"] }, namespaceLabels: () => ({ env: "prod" }), roles: () => ["default:editor"], clusterRoles: () => ["view"],
    ...overrides,
  };
}

describe("kyverno variables", () => {
  it("reads paths, quoted keys, indexes, projections and length()", () => {
    assert.equal(evaluate("request.object.metadata.name", context), "web");
    assert.equal(evaluate('request.object.metadata.labels."app.kubernetes.io/name"', context), "web");
    assert.equal(evaluate("request.object.spec.containers[1].name", context), "b");
    assert.deepEqual(evaluate("request.object.spec.containers[].image", context), ["nginx:1", "redis:7"]);
    assert.equal(evaluate("length(request.object.spec.containers)", context), 2);
    assert.equal(evaluate("request.object.missing.deeper", context), undefined);
    assert.throws(() => evaluate("request.object | keys(@)", context), /unsupported expression/);
  });

  it("substitutes whole values and interpolates inside strings", () => {
    assert.deepEqual(substitute({ a: "{{ request.object.spec.containers[].name }}", b: "user {{request.userInfo.username}}!" }, context), { a: ["a", "b"], b: "user alice!" });
  });
});

describe("kyverno conditions", () => {
  const holds = (conditions: Parameters<typeof evaluateConditions>[0]) => evaluateConditions(conditions, context).holds;
  it("combines any and all with Kyverno's operators", () => {
    assert.ok(holds({ all: [{ key: "{{ request.operation }}", operator: "Equals", value: "CREATE" }] }));
    assert.ok(holds({ any: [{ key: "{{ request.object.spec.containers[].image }}", operator: "AnyIn", value: ["redis:*"] }, { key: "x", operator: "Equals", value: "y" }] }));
    assert.ok(!holds({ all: [{ key: "{{ request.object.spec.containers[].image }}", operator: "AllIn", value: ["redis:*"] }] }));
    assert.ok(holds([{ key: "{{ request.object.spec.containers[].image }}", operator: "AnyNotIn", value: ["redis:*"] }]));
    assert.ok(holds([{ key: "{{ length(request.object.spec.containers) }}", operator: "GreaterThan", value: 1 }]));
    assert.ok(holds([{ key: "512Mi", operator: "LessThan", value: "1Gi" }]));
    assert.ok(holds([{ key: "{{ request.userInfo.username }}", operator: "NotEquals", value: "bob" }]));
  });
});

describe("kyverno match and exclude", () => {
  it("reads kinds in every form Kyverno accepts", () => {
    const deployment = { group: "apps", version: "v1", kind: "Deployment", subresource: undefined };
    assert.ok(kindMatches("Deployment", deployment));
    assert.ok(kindMatches("apps/v1/Deployment", deployment));
    assert.ok(kindMatches("v1/Deployment", deployment));
    assert.ok(!kindMatches("batch/*/Deployment", deployment));
    assert.ok(!kindMatches("Pod", { ...deployment, kind: "Pod", group: "", subresource: "exec" }));
    assert.ok(kindMatches("Pod/exec", { ...deployment, kind: "Pod", group: "", subresource: "exec" }));
  });

  it("matches resources, namespaces, selectors, operations and who asks", () => {
    const kinds = { resources: { kinds: ["Pod"] } };
    assert.ok(ruleApplies(kinds, undefined, target()));
    assert.ok(!ruleApplies(kinds, undefined, target({ operation: "DELETE" })));
    assert.ok(ruleApplies({ any: [{ resources: { kinds: ["Pod"], namespaces: ["prod-*"] } }, { resources: { kinds: ["Pod"], selector: { matchLabels: { app: "web" } } } }] }, undefined, target()));
    assert.ok(!ruleApplies({ all: [{ resources: { kinds: ["Pod"] } }, { resources: { namespaceSelector: { matchLabels: { env: "dev" } } } }] }, undefined, target()));
    assert.ok(!ruleApplies(kinds, { any: [{ subjects: [{ kind: "Group", name: "dev" }] }] }, target()));
    assert.ok(!ruleApplies(kinds, { clusterRoles: ["view"] }, target()));
    assert.ok(ruleApplies(kinds, { roles: ["default:admin"] }, target()));
    assert.ok(ruleApplies({ resources: { kinds: ["Pod"], names: ["w?b"], operations: ["CREATE"] } }, undefined, target()));
  });
});

describe("kyverno auto-generated rules", () => {
  const rule: Rule = {
    name: "no-latest",
    match: { any: [{ resources: { kinds: ["Pod"] } }] },
    validate: {
      message: "no latest",
      pattern: { spec: { containers: [{ image: "!*:latest" }] } },
    },
  };

  it("moves a Pod rule under the pod template of each controller", () => {
    const [controllers, cronjob] = autogenRules([rule], undefined);
    assert.equal(controllers?.name, "autogen-no-latest");
    assert.deepEqual(controllers?.match, { any: [{ resources: { kinds: ["DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController"] } }] });
    assert.deepEqual(controllers?.validate?.pattern, { spec: { template: { spec: { containers: [{ image: "!*:latest" }] } } } });
    assert.equal(cronjob?.name, "autogen-cronjob-no-latest");
    assert.deepEqual(cronjob?.validate?.pattern, { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: "!*:latest" }] } } } } } });
  });

  it("rewrites variables in deny conditions and honours the controllers annotation", () => {
    const deny: Rule = { name: "d", match: { resources: { kinds: ["Pod"] } }, validate: { deny: { conditions: { any: [{ key: "{{ request.object.spec.hostNetwork }}", operator: "Equals", value: true }] } } } };
    const [generated] = autogenRules([deny], { "pod-policies.kyverno.io/autogen-controllers": "Deployment" });
    assert.deepEqual(generated?.validate?.deny?.conditions, { any: [{ key: "{{ request.object.spec.template.spec.hostNetwork }}", operator: "Equals", value: true }] });
    assert.deepEqual(generated?.match?.resources?.kinds, ["Deployment"]);
    assert.deepEqual(autogenRules([deny], { "pod-policies.kyverno.io/autogen-controllers": "none" }), []);
    assert.deepEqual(autogenRules([{ ...deny, match: { resources: { kinds: ["Pod", "Service"] } } }], undefined), []);
  });

  it("refuses a Deployment through the generated rule with Kyverno's message", () => {
    const policy = { name: "p", spec: { validationFailureAction: "Enforce" }, rules: [rule, ...autogenRules([rule], undefined)] };
    const deployment = { spec: { template: { spec: { containers: [{ image: "nginx:latest" }] } } } };
    const [response] = applyPolicies([policy], target({ group: "apps", kind: "Deployment" }), deployment, context);
    assert.equal(response?.rule, "autogen-no-latest");
    assert.equal(response?.status, "fail");
    assert.equal(response?.action, "Enforce");
    assert.equal(response?.message, "validation error: no latest. rule autogen-no-latest failed at path /spec/template/spec/containers/0/image/");
  });

  it("lets an update keep a violation the stored object already had, unless the rule says not to", () => {
    const bad = { spec: { template: { spec: { containers: [{ image: "nginx:latest" }] } } } };
    const prior = { resource: bad, context };
    const update = target({ group: "apps", kind: "Deployment", operation: "UPDATE" });
    const policy = (allowExistingViolations?: boolean) => {
      const strict: Rule = { ...rule, validate: { ...rule.validate, ...(allowExistingViolations === undefined ? {} : { allowExistingViolations }) } };
      return { name: "p", spec: { validationFailureAction: "Enforce" }, rules: autogenRules([strict], { "pod-policies.kyverno.io/autogen-controllers": "Deployment" }) };
    };
    assert.equal(applyPolicies([policy()], update, bad, context, prior)[0]?.status, "skip");
    assert.equal(applyPolicies([policy(false)], update, bad, context, prior)[0]?.status, "fail");
    assert.equal(applyPolicies([policy()], update, bad, context, { resource: { spec: { template: { spec: { containers: [{ image: "nginx:1" }] } } } }, context })[0]?.status, "fail");
  });

  it("checks each element of a foreach list, also through the generated rules", () => {
    const foreach: Rule = {
      name: "no-latest-each",
      match: { resources: { kinds: ["Pod"] } },
      validate: { message: "no latest tags", foreach: [{ list: "request.object.spec.containers", pattern: { image: "!*:latest" } }] },
    };
    const policy = { name: "p", spec: { validationFailureAction: "Enforce" }, rules: [foreach, ...autogenRules([foreach], { "pod-policies.kyverno.io/autogen-controllers": "Deployment" })] };
    const pod = (image: string) => ({ spec: { containers: [{ name: "a", image: "nginx:1" }, { name: "b", image }] } });
    const podContext = (obj: unknown) => ({ request: { operation: "CREATE", object: obj } });
    assert.equal(applyPolicies([policy], target(), pod("redis:7"), podContext(pod("redis:7")))[0]?.status, "pass");
    const [failed] = applyPolicies([policy], target(), pod("redis:latest"), podContext(pod("redis:latest")));
    assert.equal(failed?.message, "validation failure: validation error: no latest tags. rule no-latest-each failed at path /image/");
    const deployment = { spec: { template: pod("redis:latest") } };
    const [generated] = applyPolicies([policy], target({ group: "apps", kind: "Deployment" }), deployment, podContext(deployment));
    assert.equal(generated?.rule, "autogen-no-latest-each");
    assert.equal(generated?.status, "fail");
  });
});
