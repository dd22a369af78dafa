// autoscaling/v1 HorizontalPodAutoscaler: the same objects as v2 (storage resource
// "horizontalpodautoscalers", stored as v2, converted both ways: hpa-conversion.ts), as `kubectl
// autoscale` creates them. Defaults and validation are v2's, applied through the conversion.
import type { KubeObject, ValidationContext } from "../resource.js";
import type { FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { hpaV1ToV2, hpaV2ToV1 } from "./hpa-conversion.js";
import { hpaTable } from "./hpa-printing.js";
import { validateHPASpec } from "./hpa-validation.js";
import { defaultHPA } from "./horizontalpodautoscaler.js";
import { defaultValue, ensureRecord, recordAt } from "./object-fields.js";

export function hpaV1Resource(): ResourceDef {
  return {
    group: "autoscaling",
    version: "v1",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    singular: "horizontalpodautoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    storageResource: "horizontalpodautoscalers",
    conversion: { storageVersion: "v2", toStorage: toStorage, fromStorage: hpaV2ToV1 },
    defaults: (obj) => defaultValue(ensureRecord(obj, "spec"), "minReplicas", 1),
    validate: (obj, context: ValidationContext): FieldError[] => (context.subresource === "status" ? [] : validateHPASpec(recordAt(hpaV1ToV2(obj), "spec") ?? {})),
    table: hpaTable(hpaV1ToV2),
  };
}

/**
 * To v2, with v2's defaults applied: upstream decodes stored objects with defaulting, so a v1 HPA
 * without a CPU target reads back with the 80% default (and v1 shows targetCPUUtilizationPercentage: 80).
 */
function toStorage(obj: KubeObject): KubeObject {
  const v2 = hpaV1ToV2(obj);
  defaultHPA(v2);
  return v2;
}
