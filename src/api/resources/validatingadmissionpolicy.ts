// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: cluster-scoped, status subresource
// (typeChecking); failurePolicy Fail and match defaults; at least one validation or audit
// annotation, every expression compiled at validation as upstream does; NAME VALIDATIONS PARAMKIND AGE.
import type { CompileError } from "../admission/validating-policy/compile.js";
import { policyCompiler } from "../admission/validating-policy/policy-compiler.js";
import type { KubeObject } from "../resource.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { defaultMatchResources, FAILURE_POLICIES, validateMatchResources, validateOneOf } from "./admission-rules.js";
import { path } from "./field-path.js";
import { defaultString, recordAt, recordsAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export function validatingAdmissionPolicyResource(): ResourceDef {
  return {
    group: "admissionregistration.k8s.io",
    version: "v1",
    kind: "ValidatingAdmissionPolicy",
    plural: "validatingadmissionpolicies",
    singular: "validatingadmissionpolicy",
    namespaced: false,
    categories: ["api-extensions"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: (obj) => {
      const spec = recordAt(obj, "spec");
      if (!spec) return;
      defaultString(spec, "failurePolicy", "Fail");
      const match = recordAt(spec, "matchConstraints");
      if (match) defaultMatchResources(match);
    },
    validate: (obj, context) => (context.subresource === "status" ? [] : validatePolicy(obj, policyCompiler())),
    table: {
      columns: [
        nameColumn(),
        column("Validations", "integer", "Validations indicates the number of validation rules defined in this configuration"),
        column("ParamKind", "string", "ParamKind specifies the kind of resources used to parameterize this policy"),
        ageColumn(),
      ],
      cells: (obj, now) => [nameOf(obj), recordsAt(obj, "spec", "validations").length, paramKindCell(obj), ageOf(obj, now)],
    },
  };
}

function validatePolicy(obj: KubeObject, compileErrors: (obj: KubeObject) => CompileError[]): FieldError[] {
  const spec = path("spec");
  const errs: FieldError[] = [...validateOneOf(stringAt(obj, "spec", "failurePolicy"), FAILURE_POLICIES, spec.child("failurePolicy"), false)];
  const validations = recordsAt(obj, "spec", "validations");
  if (validations.length === 0 && recordsAt(obj, "spec", "auditAnnotations").length === 0) {
    errs.push(required(`${spec.child("validations")}`, "validations or auditAnnotations must contain at least one item"));
  }
  const match = recordAt(obj, "spec", "matchConstraints");
  if (!match) errs.push(required(`${spec.child("matchConstraints")}`));
  else {
    if (recordsAt(match, "resourceRules").length === 0) errs.push(required(`${spec.child("matchConstraints", "resourceRules")}`));
    errs.push(...validateMatchResources(match, spec.child("matchConstraints")));
  }
  const paramKind = recordAt(obj, "spec", "paramKind");
  if (paramKind) {
    if (!stringAt(paramKind, "apiVersion")) errs.push(required(`${spec.child("paramKind", "apiVersion")}`));
    if (!stringAt(paramKind, "kind")) errs.push(required(`${spec.child("paramKind", "kind")}`));
  }
  validations.forEach((v, i) => {
    if (!stringAt(v, "expression")) errs.push(required(`${spec.child("validations").index(i).child("expression")}`));
  });
  recordsAt(obj, "spec", "variables").forEach((v, i) => {
    if (!stringAt(v, "name")) errs.push(required(`${spec.child("variables").index(i).child("name")}`));
    if (!stringAt(v, "expression")) errs.push(required(`${spec.child("variables").index(i).child("expression")}`));
  });
  for (const e of compileErrors(obj)) errs.push(invalid(e.field, e.expression, `compilation failed: ${e.message}`));
  return errs;
}

function paramKindCell(obj: KubeObject): string {
  const kind = recordAt(obj, "spec", "paramKind");
  if (!kind) return "<unset>";
  return `${stringAt(kind, "apiVersion") ?? ""}/${stringAt(kind, "kind") ?? ""}`;
}
