// autoscaling/v2 HorizontalPodAutoscaler, the storage version: hpa, category all, status
// subresource; SetDefaults_HorizontalPodAutoscaler (minReplicas 1, cpu 80% when no metrics, full
// behavior rules when behavior is given); validation; the hpa printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import type { FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { hpaTable } from "./hpa-printing.js";
import { validateHPASpec } from "./hpa-validation.js";
import { defaultValue, ensureRecord, recordAt, recordsAt, type JsonRecord } from "./object-fields.js";
import { quantityOf } from "./resource-lists.js";

const DEFAULT_CPU_UTILIZATION = 80;

export function hpaV2Resource(): ResourceDef {
  return {
    group: "autoscaling",
    version: "v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    singular: "horizontalpodautoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: defaultHPA,
    validate: (obj, context: ValidationContext): FieldError[] => (context.subresource === "status" ? [] : validateHPASpec(recordAt(obj, "spec") ?? {})),
    table: hpaTable((obj) => obj),
  };
}

export function defaultHPA(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  defaultValue(spec, "minReplicas", 1);
  if (recordsAt(spec, "metrics").length === 0) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  for (const metric of recordsAt(spec, "metrics")) canonicalTargets(metric);
  const behavior = recordAt(spec, "behavior");
  if (behavior) {
    behavior.scaleUp = withDefaults(recordAt(behavior, "scaleUp"), scaleUpDefaults());
    behavior.scaleDown = withDefaults(recordAt(behavior, "scaleDown"), scaleDownDefaults());
  }
}

/** Quantities of metric targets in canonical form, as upstream serialises them ("500", "1500m"). */
function canonicalTargets(metric: JsonRecord): void {
  for (const source of ["object", "pods", "resource", "containerResource", "external"]) {
    const target = recordAt(metric, source, "target");
    for (const field of ["value", "averageValue"]) {
      const q = target && target[field] !== undefined ? quantityOf(target[field]) : undefined;
      if (target && q !== undefined && typeof q !== "string") target[field] = q.toString();
    }
  }
}

function scaleUpDefaults(): JsonRecord {
  return { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Pods", value: 4, periodSeconds: 15 }, { type: "Percent", value: 100, periodSeconds: 15 }] };
}

/** Scale-down has no default stabilization window in the object: the controller's flag (300s) applies. */
function scaleDownDefaults(): JsonRecord {
  return { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };
}

/** upstream copyHPAScalingRules: given fields win, the rest comes from the defaults. */
function withDefaults(rules: JsonRecord | undefined, defaults: JsonRecord): JsonRecord {
  if (!rules) return defaults;
  const out = { ...defaults };
  for (const field of ["selectPolicy", "stabilizationWindowSeconds", "policies"]) if (rules[field] !== undefined && rules[field] !== null) out[field] = rules[field];
  return out;
}
