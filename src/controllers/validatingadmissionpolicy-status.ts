// The ValidatingAdmissionPolicy status controller (upstream's policy type checking in the API
// server): for each policy generation it records status.observedGeneration and, in
// status.typeChecking, the fields its expressions select that the matched kinds do not have.
import { PolicyTypeChecker } from "../api/admission/validating-policy/type-check.js";
import type { KubeObject } from "../api/resource.js";
import { builtinResources } from "../api/resources/index.js";
import { jsonEqual, recordAt } from "../api/resources/object-fields.js";
import { builtinSchemas, type GroupVersionKind } from "../api/schema.js";
import type { ResourceRef } from "../client/client.js";
import { defineController, enqueueObject } from "../client/controller.js";
import type { ControllerRegistration } from "./controller-context.js";

const POLICIES: ResourceRef = { group: "admissionregistration.k8s.io", version: "v1", resource: "validatingadmissionpolicies" };

export const validatingAdmissionPolicyStatusController: ControllerRegistration = {
  name: "validatingadmissionpolicy-status",
  component: "validatingadmissionpolicy-status-controller",
  create: (ctx) => {
    const policies = ctx.informers.informerFor(POLICIES);
    const checker = new PolicyTypeChecker(builtinSchemas(), servedKinds());
    return defineController({
      name: "validatingadmissionpolicy-status",
      reconcile: async (name) => {
        const policy = policies.get(name);
        if (!policy) return;
        const warnings = checker.check(policy);
        const typeChecking = warnings.length > 0 ? { expressionWarnings: warnings } : {};
        const status = { ...(recordAt(policy, "status") ?? {}), observedGeneration: policy.metadata?.generation ?? 0, typeChecking };
        if (jsonEqual(status, recordAt(policy, "status") ?? {})) return;
        await ctx.client.update(POLICIES, undefined, { ...policy, status } as KubeObject, { subresource: "status" });
      },
      watches: [{ informer: policies, keys: enqueueObject }],
      clock: ctx.clock,
      logger: ctx.log,
    });
  },
};

/** group/version/resource → kind of every served kind; a scale subresource is autoscaling/v1 Scale. */
function servedKinds(): (group: string, version: string, resource: string) => GroupVersionKind | undefined {
  const kinds = new Map(builtinResources().map((def) => [`${def.group}/${def.version}/${def.plural}`, { group: def.group, version: def.version, kind: def.kind }]));
  return (group, version, resource) => {
    const [plural, subresource] = resource.split("/", 2) as [string, string?];
    const kind = kinds.get(`${group}/${version}/${plural}`);
    if (!kind || subresource === undefined) return kind;
    return subresource === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : undefined;
  };
}
