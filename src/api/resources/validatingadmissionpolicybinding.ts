// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: cluster-scoped; policyName and
// validationActions required (Deny, Warn, Audit; never Deny with Warn); a paramRef names one object
// or selects several and says what a missing one means; NAME POLICYNAME PARAMREF AGE.
import type { KubeObject } from "../resource.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { defaultMatchResources, validateMatchResources, validateOneOf } from "./admission-rules.js";
import { path } from "./field-path.js";
import { recordAt, stringAt, stringsAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const ACTIONS = ["Audit", "Deny", "Warn"];
const PARAM_NOT_FOUND_ACTIONS = ["Allow", "Deny"];

export function validatingAdmissionPolicyBindingResource(): ResourceDef {
  return {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicyBinding",
    plural: "validatingadmissionpolicybindings",
    singular: "validatingadmissionpolicybinding",
    namespaced: false,
    categories: ["api-extensions"],
    verbs: ALL_VERBS,
    defaults: (obj) => {
      const match = recordAt(obj, "spec", "matchResources");
      if (match) defaultMatchResources(match);
    },
    validate: validateBinding,
    table: {
      columns: [
        nameColumn(),
        column("PolicyName", "string", "PolicyName indicates the policy definition which the policy binding binded to"),
        column("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
        ageColumn(),
      ],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "spec", "policyName") ?? "", paramRefCell(obj), ageOf(obj, now)],
    },
  };
}

function validateBinding(obj: KubeObject): FieldError[] {
  const spec = path("spec");
  const errs: FieldError[] = [];
  if (!stringAt(obj, "spec", "policyName")) errs.push(required(`${spec.child("policyName")}`));
  const actions = stringsAt(obj, "spec", "validationActions");
  if (actions.length === 0) errs.push(required(`${spec.child("validationActions")}`));
  actions.forEach((action, i) => {
    if (!ACTIONS.includes(action)) errs.push(notSupported(`${spec.child("validationActions").index(i)}`, action, ACTIONS));
  });
  if (actions.includes("Deny") && actions.includes("Warn")) {
    errs.push(invalid(`${spec.child("validationActions")}`, actions, "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"));
  }
  const paramRef = recordAt(obj, "spec", "paramRef");
  if (paramRef) {
    const at = spec.child("paramRef");
    const hasName = stringAt(paramRef, "name") !== undefined;
    if (hasName && paramRef.selector !== undefined) errs.push(forbiddenField(`${at.child("name")}`, "name and selector are mutually exclusive"));
    if (!hasName && paramRef.selector === undefined) errs.push(required(`${at}`, "one of name or selector must be specified"));
    errs.push(...validateOneOf(stringAt(paramRef, "parameterNotFoundAction"), PARAM_NOT_FOUND_ACTIONS, at.child("parameterNotFoundAction"), true));
  }
  errs.push(...validateMatchResources(recordAt(obj, "spec", "matchResources"), spec.child("matchResources")));
  return errs;
}

function paramRefCell(obj: KubeObject): string {
  const ref = recordAt(obj, "spec", "paramRef");
  if (!ref) return "<unset>";
  const name = stringAt(ref, "name") ?? "*";
  const namespace = stringAt(ref, "namespace");
  return namespace ? `${namespace}/${name}` : name;
}
