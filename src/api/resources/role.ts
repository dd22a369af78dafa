// rbac.authorization.k8s.io/v1 Role: namespaced rules (no non-resource URLs); names are path
// segments ("system:..." is fine); upstream has no printer (NAME CREATED AT).
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { RBAC_GROUP, validatePolicyRules } from "./rbac-rules.js";

export function roleResource(): ResourceDef {
  return {
    group: RBAC_GROUP,
    version: "v1",
    kind: "Role",
    plural: "roles",
    singular: "role",
    namespaced: true,
    verbs: ALL_VERBS,
    nameValidation: "path-segment",
    validate: (obj) => validatePolicyRules(obj, true),
  };
}
