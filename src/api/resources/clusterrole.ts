// rbac.authorization.k8s.io/v1 ClusterRole: cluster-wide rules (non-resource URLs allowed) and
// aggregation selectors; names are path segments; upstream has no printer (NAME CREATED AT).
import type { KubeObject } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path } from "./field-path.js";
import { labelSelectorObject, selectorOf } from "./label-selectors.js";
import { recordAt, recordsAt } from "./object-fields.js";
import { RBAC_GROUP, validatePolicyRules } from "./rbac-rules.js";

export function clusterRoleResource(): ResourceDef {
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    singular: "clusterrole",
    namespaced: false,
    verbs: ALL_VERBS,
    nameValidation: "path-segment",
    validate: (obj) => [...validatePolicyRules(obj, false), ...validateAggregationRule(obj)],
  };
}

function validateAggregationRule(obj: KubeObject): FieldError[] {
  const rule = recordAt(obj, "aggregationRule");
  if (!rule) return [];
  const selectors = recordsAt(rule, "clusterRoleSelectors");
  const errs: FieldError[] = [];
  if (selectors.length === 0) errs.push(required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
  selectors.forEach((selector, i) => {
    const at = path("aggregationRule", "clusterRoleSelectors").index(i);
    errs.push(...validateLabelSelector(labelSelectorObject(selector), `${at}`));
    if (!selectorOf(selector)) errs.push(invalid(`${at}`, selector, "invalid label selector."));
  });
  return errs;
}
