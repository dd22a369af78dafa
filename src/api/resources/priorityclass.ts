// scheduling.k8s.io/v1 PriorityClass: pc, cluster-scoped; preemptionPolicy PreemptLowerPriority by
// default; user values at most 1e9, "system-" names reserved for the two system classes, value and
// preemption policy immutable; NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { booleanAt, defaultString, numberAt, stringAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
const SYSTEM_PREFIX = "system-";
const SYSTEM_CLASSES: Record<string, number> = { "system-node-critical": 2000001000, "system-cluster-critical": 2000000000 };
const PREEMPTION_POLICIES = ["PreemptLowerPriority", "Never"];

export function priorityClassResource(): ResourceDef {
  const doc = (field: string) => fieldDoc("scheduling.v1.PriorityClass", field);
  return {
    group: "scheduling.k8s.io",
    version: "v1",
    kind: "PriorityClass",
    plural: "priorityclasses",
    singular: "priorityclass",
    namespaced: false,
    shortNames: ["pc"],
    verbs: ALL_VERBS,
    defaults: (obj) => defaultString(obj, "preemptionPolicy", "PreemptLowerPriority"),
    validate: validatePriorityClass,
    table: {
      columns: [nameColumn(), column("Value", "integer", doc("value")), column("Global-Default", "boolean", doc("globalDefault")), ageColumn(), column("PreemptionPolicy", "string", doc("preemptionPolicy"))],
      cells: (obj, now) => [nameOf(obj), numberAt(obj, "value") ?? 0, booleanAt(obj, "globalDefault") ?? false, ageOf(obj, now), stringAt(obj, "preemptionPolicy") ?? ""],
    },
  };
}

function validatePriorityClass(obj: KubeObject, context: ValidationContext): FieldError[] {
  const name = obj.metadata?.name ?? "";
  const value = numberAt(obj, "value") ?? 0;
  const errs: FieldError[] = [];
  if (name.startsWith(SYSTEM_PREFIX)) {
    const problem = systemClassProblem(name, value, booleanAt(obj, "globalDefault") ?? false);
    if (problem) errs.push(forbiddenField("metadata.name", `priority class names with '${SYSTEM_PREFIX}' prefix are reserved for system use only. error: ${problem}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbiddenField("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const policy = obj.preemptionPolicy;
  if (policy === "") errs.push(required("preemptionPolicy"));
  else if (policy !== undefined && !PREEMPTION_POLICIES.includes(String(policy))) errs.push(notSupported("preemptionPolicy", policy, PREEMPTION_POLICIES));
  if (context.old) {
    if (value !== (numberAt(context.old, "value") ?? 0)) errs.push(forbiddenField("value", "may not be changed in an update."));
    errs.push(...validateImmutableField(obj.preemptionPolicy, context.old.preemptionPolicy, path("preemptionPolicy")));
  }
  return errs;
}

/** upstream IsKnownSystemPriorityClass's error, or undefined for a known system class. */
function systemClassProblem(name: string, value: number, globalDefault: boolean): string | undefined {
  const expected = SYSTEM_CLASSES[name];
  if (expected === undefined) return `${name} is not a known system priority class`;
  if (value !== expected) return `value of ${name} PriorityClass must be ${expected}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}
