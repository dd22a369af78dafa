// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole in one namespace; apiGroup
// defaults; roleRef may not change; NAME ROLE AGE (+ USERS GROUPS SERVICEACCOUNTS).
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { RBAC_GROUP, bindingTable, defaultBinding, validateBinding } from "./rbac-rules.js";

export function roleBindingResource(): ResourceDef {
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    singular: "rolebinding",
    namespaced: true,
    verbs: ALL_VERBS,
    nameValidation: "path-segment",
    defaults: defaultBinding,
    validate: (obj, context) => validateBinding(obj, context, ["Role", "ClusterRole"], true),
    table: bindingTable("roleBinding"),
  };
}
