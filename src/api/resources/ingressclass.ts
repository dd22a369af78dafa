// networking.k8s.io/v1 IngressClass: parameters scope Cluster by default; controller required, a
// domain-prefixed path, immutable; NAME CONTROLLER PARAMETERS AGE.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Subdomain } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { defaultValue, recordAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const MAX_CONTROLLER_LENGTH = 250;

export function ingressClassResource(): ResourceDef {
  return {
    group: "networking.k8s.io",
    version: "v1",
    kind: "IngressClass",
    plural: "ingressclasses",
    singular: "ingressclass",
    namespaced: false,
    verbs: ALL_VERBS,
    defaults: (obj) => {
      const parameters = recordAt(obj, "spec", "parameters");
      if (parameters) defaultValue(parameters, "scope", "Cluster");
    },
    validate: validateIngressClass,
    table: {
      columns: [
        nameColumn(), column("Controller", "string", "Controller that is responsible for handling this class"),
        column("Parameters", "string", "A reference to a resource with additional parameters"), ageColumn(),
      ],
      cells: (obj, now) => [nameOf(obj), stringAt(obj, "spec", "controller") ?? "", formatParameters(obj), ageOf(obj, now)],
    },
  };
}

function validateIngressClass(obj: KubeObject, context: ValidationContext): FieldError[] {
  const controller = stringAt(obj, "spec", "controller") ?? "";
  const errs: FieldError[] = [];
  if (controller === "") errs.push(required("spec.controller"));
  else errs.push(...validateDomainPrefixedPath(controller));
  if (context.old) errs.push(...validateImmutableField(controller, stringAt(context.old, "spec", "controller") ?? "", path("spec", "controller")));
  return errs;
}

/** upstream IsDomainPrefixedPath (at most 250 characters). */
function validateDomainPrefixedPath(value: string): FieldError[] {
  const slash = value.indexOf("/");
  if (slash < 0) return [invalid("spec.controller", value, "must be a domain-prefixed path (such as \"acme.io/foo\")")];
  const errs = isDNS1123Subdomain(value.slice(0, slash)).map((msg) => invalid("spec.controller", value.slice(0, slash), msg));
  const rest = value.slice(slash + 1);
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(rest)) errs.push(invalid("spec.controller", rest, "must be a valid path"));
  if (value.length > MAX_CONTROLLER_LENGTH) errs.push({ type: "FieldValueTooLong", field: "spec.controller", value, detail: `must have at most ${MAX_CONTROLLER_LENGTH} bytes` });
  return errs;
}

/** "Kind.group/name", "Kind/name" or "<none>". */
function formatParameters(obj: KubeObject): string {
  const parameters = recordAt(obj, "spec", "parameters");
  if (!parameters) return "<none>";
  const group = stringAt(parameters, "apiGroup");
  return `${stringAt(parameters, "kind") ?? ""}${group !== undefined ? `.${group}` : ""}/${stringAt(parameters, "name") ?? ""}`;
}
