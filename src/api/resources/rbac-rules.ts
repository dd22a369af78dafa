// What the four RBAC kinds share (upstream pkg/apis/rbac/validation and rbac/v1 defaults, v1.32):
// policy rules, role references and subjects with upstream's messages, the apiGroup defaults of
// bindings, and the bindings' printer (ROLE, wide USERS GROUPS SERVICEACCOUNTS).
import type { KubeObject, TableDef, ValidationContext } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Subdomain, isValidPathSegmentName } from "../validation/names.js";
import { path, type FieldPath } from "./field-path.js";
import { defaultString, jsonEqual, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf, wideColumn } from "./printing.js";
import { fieldDoc } from "./column-docs.js";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** upstream ValidatePolicyRule; `namespaced` for Roles. */
export function validatePolicyRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  return recordsAt(obj, "rules").flatMap((rule, i) => validatePolicyRule(rule, namespaced, path("rules").index(i)));
}

function validatePolicyRule(rule: JsonRecord, namespaced: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (stringsAt(rule, "verbs").length === 0) errs.push(required(`${p.child("verbs")}`, "verbs must contain at least one value"));
  const urls = stringsAt(rule, "nonResourceURLs");
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${p.child("nonResourceURLs")}`, urls, "namespaced rules cannot apply to non-resource URLs"));
    if (stringsAt(rule, "apiGroups").length > 0 || stringsAt(rule, "resources").length > 0 || stringsAt(rule, "resourceNames").length > 0) {
      errs.push(invalid(`${p.child("nonResourceURLs")}`, urls, "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return errs;
  }
  if (stringsAt(rule, "apiGroups").length === 0) errs.push(required(`${p.child("apiGroups")}`, "resource rules must supply at least one api group"));
  if (stringsAt(rule, "resources").length === 0) errs.push(required(`${p.child("resources")}`, "resource rules must supply at least one resource"));
  return errs;
}

/** SetDefaults_RoleBinding / ClusterRoleBinding / Subject. */
export function defaultBinding(obj: KubeObject): void {
  const roleRef = recordAt(obj, "roleRef");
  if (roleRef) defaultString(roleRef, "apiGroup", RBAC_GROUP);
  for (const subject of recordsAt(obj, "subjects")) {
    if (subject.kind === "User" || subject.kind === "Group") defaultString(subject, "apiGroup", RBAC_GROUP);
  }
}

/** upstream ValidateRoleBinding / ValidateClusterRoleBinding, with the update rule on roleRef. */
export function validateBinding(obj: KubeObject, context: ValidationContext, roleKinds: string[], namespaced: boolean): FieldError[] {
  const roleRef = recordAt(obj, "roleRef") ?? {};
  const errs: FieldError[] = [];
  const apiGroup = stringAt(roleRef, "apiGroup") ?? "";
  if (apiGroup !== RBAC_GROUP) errs.push(notSupported("roleRef.apiGroup", apiGroup, [RBAC_GROUP]));
  const kind = stringAt(roleRef, "kind") ?? "";
  if (!roleKinds.includes(kind)) errs.push(notSupported("roleRef.kind", kind, roleKinds));
  const name = stringAt(roleRef, "name") ?? "";
  if (name === "") errs.push(required("roleRef.name"));
  else errs.push(...isValidPathSegmentName(name).map((msg) => invalid("roleRef.name", name, msg)));
  recordsAt(obj, "subjects").forEach((subject, i) => errs.push(...validateSubject(subject, namespaced, path("subjects").index(i))));
  if (context.old && !jsonEqual(roleRef, recordAt(context.old, "roleRef") ?? {})) errs.push(invalid("roleRef", roleRef, "cannot change roleRef"));
  return errs;
}

function validateSubject(subject: JsonRecord, namespaced: boolean, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = stringAt(subject, "name") ?? "";
  const apiGroup = stringAt(subject, "apiGroup") ?? "";
  if (name === "") errs.push(required(`${p.child("name")}`));
  switch (subject.kind) {
    case "ServiceAccount":
      if (name !== "") errs.push(...isDNS1123Subdomain(name).map((msg) => invalid(`${p.child("name")}`, name, msg)));
      if (apiGroup !== "") errs.push(notSupported(`${p.child("apiGroup")}`, apiGroup, [""]));
      if (!namespaced && !stringAt(subject, "namespace")) errs.push(required(`${p.child("namespace")}`));
      break;
    case "User":
    case "Group":
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(`${p.child("apiGroup")}`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${p.child("kind")}`, subject.kind ?? "", ["ServiceAccount", "User", "Group"]));
  }
  return errs;
}

/** upstream printRoleBinding / printClusterRoleBinding. */
export function bindingTable(kind: "roleBinding" | "clusterRoleBinding"): TableDef {
  return {
    columns: [
      nameColumn(), column("Role", "string", fieldDoc("rbac.v1.RoleBinding", "roleRef")), ageColumn(),
      wideColumn("Users", "string", `Users in the ${kind}`), wideColumn("Groups", "string", `Groups in the ${kind}`), wideColumn("ServiceAccounts", "string", `ServiceAccounts in the ${kind}`),
    ],
    cells: (obj, now) => {
      const subjects = recordsAt(obj, "subjects");
      const names = (k: string) => subjects.filter((s) => s.kind === k).map((s) => (k === "ServiceAccount" ? `${stringAt(s, "namespace") ?? ""}/${stringAt(s, "name") ?? ""}` : stringAt(s, "name") ?? ""));
      return [
        nameOf(obj), `${stringAt(obj, "roleRef", "kind") ?? ""}/${stringAt(obj, "roleRef", "name") ?? ""}`, ageOf(obj, now),
        names("User").join(", "), names("Group").join(", "), names("ServiceAccount").join(", "),
      ];
    },
  };
}
