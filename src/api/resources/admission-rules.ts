// What admissionregistration.k8s.io/v1 kinds share: the defaults of rules, selectors and failure
// policies (upstream's SetDefaults_Rule, _MatchResources, _ValidatingWebhook...), the validation
// of rule lists and the "Fail"/"Ignore" and operation vocabularies.
import { notSupported, required, type FieldError } from "../validation/field-errors.js";
import type { FieldPath } from "./field-path.js";
import { defaultString, defaultValue, isRecord, recordsAt, stringAt, stringsAt, type JsonRecord } from "./object-fields.js";

export const FAILURE_POLICIES = ["Fail", "Ignore"];
export const OPERATIONS = ["*", "CREATE", "UPDATE", "DELETE", "CONNECT"];
const SCOPES = ["*", "Cluster", "Namespaced"];
const MATCH_POLICIES = ["Exact", "Equivalent"];

/** SetDefaults_Rule: scope "*" on each rule. */
export function defaultRules(rules: JsonRecord[]): void {
  for (const rule of rules) defaultString(rule, "scope", "*");
}

/** SetDefaults_MatchResources and the webhook's selector defaults: Equivalent, and empty selectors that match everything. */
export function defaultMatchResources(match: JsonRecord): void {
  defaultString(match, "matchPolicy", "Equivalent");
  defaultValue(match, "namespaceSelector", {});
  defaultValue(match, "objectSelector", {});
  defaultRules(recordsAt(match, "resourceRules"));
  defaultRules(recordsAt(match, "excludeResourceRules"));
}

/** Rule lists: every list present, operations and scope from the known sets. */
export function validateRules(rules: JsonRecord[], at: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const p = at.index(i);
    for (const list of ["apiGroups", "apiVersions", "resources"]) {
      if (stringsAt(rule, list).length === 0) errs.push(required(`${p.child(list)}`));
    }
    const operations = stringsAt(rule, "operations");
    if (operations.length === 0) errs.push(required(`${p.child("operations")}`));
    operations.forEach((op, j) => {
      if (!OPERATIONS.includes(op)) errs.push(notSupported(`${p.child("operations").index(j)}`, op, OPERATIONS));
    });
    const scope = stringAt(rule, "scope");
    if (scope !== undefined && !SCOPES.includes(scope)) errs.push(notSupported(`${p.child("scope")}`, scope, SCOPES));
  });
  return errs;
}

/** matchPolicy and the rule lists of a MatchResources. */
export function validateMatchResources(match: unknown, at: FieldPath): FieldError[] {
  if (!isRecord(match)) return [];
  const errs = [...validateRules(recordsAt(match, "resourceRules"), at.child("resourceRules")), ...validateRules(recordsAt(match, "excludeResourceRules"), at.child("excludeResourceRules"))];
  const policy = stringAt(match, "matchPolicy");
  if (policy !== undefined && !MATCH_POLICIES.includes(policy)) errs.push(notSupported(`${at.child("matchPolicy")}`, policy, MATCH_POLICIES));
  return errs;
}

export function validateOneOf(value: string | undefined, allowed: string[], at: FieldPath, isRequired: boolean): FieldError[] {
  if (value === undefined) return isRequired ? [required(`${at}`)] : [];
  return allowed.includes(value) ? [] : [notSupported(`${at}`, value, allowed)];
}
