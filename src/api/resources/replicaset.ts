// apps/v1 ReplicaSet: rs, category all, status and scale subresources, replicas defaulting,
// ValidateReplicaSet (upstream's selector and template rules), the printer and status.replicas
// field selector.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path } from "./field-path.js";
import { validateNonnegativeField } from "./field-rules.js";
import { formatLabelSelector, selectorOf } from "./label-selectors.js";
import { defaultValue, numberAt, recordAt, valueAt } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { integerField } from "./selectable-fields.js";
import {
  deadlineNotSupportedIn, defaultTemplateOf, specOf, templateContainerCells, validateRequiredSelector, validateSelectorMatchesTemplate,
  validateSelectorUpdate, validateWorkloadTemplate, workloadWideColumns,
} from "./workload.js";

export function replicaSetResource(): ResourceDef {
  return {
    group: "apps",
    version: "v1",
    kind: "ReplicaSet",
    plural: "replicasets",
    singular: "replicaset",
    namespaced: true,
    shortNames: ["rs"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
    defaults: (obj) => {
      const spec = specOf(obj);
      defaultValue(spec, "replicas", 1);
      defaultTemplateOf(spec);
    },
    validate: validateReplicaSet,
    table: {
      columns: [
        nameColumn(),
        column("Desired", "integer", fieldDoc("apps.v1.ReplicaSetSpec", "replicas")),
        column("Current", "integer", fieldDoc("apps.v1.ReplicaSetStatus", "replicas")),
        column("Ready", "integer", fieldDoc("apps.v1.ReplicaSetStatus", "readyReplicas")),
        ageColumn(),
        ...workloadWideColumns(fieldDoc("apps.v1.ReplicaSetSpec", "selector")),
      ],
      cells: replicaSetCells,
    },
    fieldSelectors: { "status.replicas": integerField("status", "replicas") },
  };
}

function validateReplicaSet(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = [
    ...validateNonnegativeField(spec.replicas, p.child("replicas")),
    ...validateNonnegativeField(spec.minReadySeconds, p.child("minReadySeconds")),
    ...validateRequiredSelector(spec, p, "deployment"),
  ];
  if (spec.selector !== undefined && !selectorOf(spec.selector)) errs.push(invalid(`${p.child("selector")}`, spec.selector, "invalid label selector"));
  else errs.push(...validateSelectorMatchesTemplate(spec, p, { emptyMatches: true }), ...validateWorkloadTemplate(spec, p, deadlineNotSupportedIn("ReplicaSet")));
  if (context.old) errs.push(...validateSelectorUpdate(obj, context.old));
  return errs;
}

function replicaSetCells(obj: KubeObject, now: Date): unknown[] {
  const [containers, images] = templateContainerCells(obj);
  return [
    nameOf(obj), numberAt(obj, "spec", "replicas") ?? 0, numberAt(obj, "status", "replicas") ?? 0, numberAt(obj, "status", "readyReplicas") ?? 0, ageOf(obj, now),
    containers, images, formatLabelSelector(valueAt(obj, "spec", "selector")),
  ];
}
