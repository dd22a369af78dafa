// The default policy: every controller the manager runs has its own role, aggregation fills a
// ClusterRole from the roles its selectors match, in name order and without repeats.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultClusterRoleBindings, defaultClusterRoles } from "../../src/auth/authorization/bootstrap-policy.js";
import { controllerAccounts } from "../../src/auth/authorization/controller-roles.js";
import { aggregatedRules } from "../../src/controllers/clusterrole-aggregation.js";
import { builtinControllers } from "../../src/controllers/index.js";
import { identity, serviceAccountOf } from "../../src/controllers/manager.js";
import type { KubeObject } from "../../src/api/resource.js";

describe("the default RBAC policy", () => {
  it("has a role for every controller's service account", () => {
    const accounts = new Set(controllerAccounts());
    for (const registration of builtinControllers()) {
      const account = identity(serviceAccountOf(registration)).name.split(":").pop() ?? "";
      assert.ok(accounts.has(account), `no role for ${account}`);
    }
  });

  it("binds only roles it defines", () => {
    const roles = new Set(defaultClusterRoles().map((r) => r.metadata?.name));
    for (const binding of defaultClusterRoleBindings()) {
      const ref = (binding as { roleRef: { name: string } }).roleRef.name;
      assert.ok(roles.has(ref), `${binding.metadata?.name} binds a missing role ${ref}`);
    }
  });

  it("aggregates matched roles' rules in name order without repeats", () => {
    const view = { metadata: { name: "view" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "aggregate-to-view": "true" } }] } } as KubeObject;
    const label = { "aggregate-to-view": "true" };
    const pods = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
    const widgets = { verbs: ["list"], apiGroups: ["example.com"], resources: ["widgets"] };
    const all = [
      view,
      { metadata: { name: "z-widgets", labels: label }, rules: [widgets, pods] },
      { metadata: { name: "a-pods", labels: label }, rules: [pods] },
      { metadata: { name: "unlabelled" }, rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }] },
    ] as KubeObject[];
    assert.deepEqual(aggregatedRules(view, all), [pods, widgets]);
  });
});
