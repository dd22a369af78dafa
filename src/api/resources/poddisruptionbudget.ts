// policy/v1 PodDisruptionBudget: pdb, status subresource; ValidatePodDisruptionBudgetSpec
// (minAvailable xor maxUnavailable, int or percent ≤ 100%, selector, unhealthy pod eviction policy);
// NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE.
import type { KubeObject, ValidationContext } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { invalid, notSupported, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path } from "./field-path.js";
import { validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "./field-rules.js";
import { labelSelectorObject } from "./label-selectors.js";
import { numberAt, recordAt, valueAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

const EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

export function podDisruptionBudgetResource(): ResourceDef {
  return {
    group: "policy",
    version: "v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    singular: "poddisruptionbudget",
    namespaced: true,
    shortNames: ["pdb"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    validate: validatePDB,
    table: {
      columns: [
        nameColumn(), column("Min Available", "string", "The minimum number of pods that must be available."),
        column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
        column("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."), ageColumn(),
      ],
      cells: (obj, now) => [nameOf(obj), intOrString(valueAt(obj, "spec", "minAvailable")), intOrString(valueAt(obj, "spec", "maxUnavailable")), numberAt(obj, "status", "disruptionsAllowed") ?? 0, ageOf(obj, now)],
    },
  };
}

function intOrString(value: unknown): string {
  return typeof value === "number" || typeof value === "string" ? String(value) : "N/A";
}

function validatePDB(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs: FieldError[] = [];
  const { minAvailable, maxUnavailable } = spec;
  if (minAvailable !== undefined && maxUnavailable !== undefined) errs.push(invalid(`${p}`, spec, "minAvailable and maxUnavailable cannot be both set"));
  for (const [field, value] of [["minAvailable", minAvailable], ["maxUnavailable", maxUnavailable]] as const) {
    if (value !== undefined) errs.push(...validatePositiveIntOrPercent(value, p.child(field)), ...validateNotMoreThan100Percent(value, p.child(field)));
  }
  errs.push(...validateLabelSelector(labelSelectorObject(spec.selector), `${p.child("selector")}`));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && policy !== null && !EVICTION_POLICIES.includes(String(policy))) errs.push(notSupported(`${p.child("unhealthyPodEvictionPolicy")}`, policy, EVICTION_POLICIES));
  return errs;
}
