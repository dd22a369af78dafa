// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole cluster-wide; service
// account subjects need a namespace; roleRef may not change; NAME ROLE AGE (+ subjects).
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { RBAC_GROUP, bindingTable, defaultBinding, validateBinding } from "./rbac-rules.js";

export function clusterRoleBindingResource(): ResourceDef {
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    singular: "clusterrolebinding",
    namespaced: false,
    verbs: ALL_VERBS,
    nameValidation: "path-segment",
    defaults: defaultBinding,
    validate: (obj, context) => validateBinding(obj, context, ["ClusterRole"], false),
    table: bindingTable("clusterRoleBinding"),
  };
}
