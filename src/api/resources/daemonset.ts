// apps/v1 DaemonSet: ds, category all, status subresource; SetDefaults_DaemonSet (RollingUpdate with
// maxUnavailable 1 and maxSurge 0, history 10) and template defaults; ValidateDaemonSet; the printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { intOrPercentValue, validateNonnegativeField, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "./field-rules.js";
import { formatLabelSelector, isEmptyLabelSelector, labelSelectorObject } from "./label-selectors.js";
import { defaultString, defaultValue, ensureRecord, numberAt, recordAt, stringMapAt, valueAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, formatLabels, nameColumn, nameOf } from "./printing.js";
import { validateLabelSelector } from "../label-selector.js";
import { defaultTemplateOf, specOf, templateContainerCells, validateSelectorMatchesTemplate, validateSelectorUpdate, validateWorkloadTemplate, workloadWideColumns } from "./workload.js";

export function daemonSetResource(): ResourceDef {
  return {
    group: "apps",
    version: "v1",
    kind: "DaemonSet",
    plural: "daemonsets",
    singular: "daemonset",
    namespaced: true,
    shortNames: ["ds"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: defaultDaemonSet,
    validate: validateDaemonSet,
    table: { columns: daemonSetColumns(), cells: daemonSetCells },
  };
}

function defaultDaemonSet(obj: KubeObject): void {
  const spec = specOf(obj);
  const strategy = ensureRecord(spec, "updateStrategy");
  defaultString(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = ensureRecord(strategy, "rollingUpdate");
    defaultValue(rollingUpdate, "maxUnavailable", 1);
    defaultValue(rollingUpdate, "maxSurge", 0);
  }
  defaultValue(spec, "revisionHistoryLimit", 10);
  defaultTemplateOf(spec);
}

function validateDaemonSet(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = [...validateLabelSelector(labelSelectorObject(spec.selector), `${p.child("selector")}`), ...validateSelectorMatchesTemplate(spec, p, { emptyMatches: false })];
  if (isEmptyLabelSelector(spec.selector)) errs.push(invalid(`${p.child("selector")}`, spec.selector, "empty selector is invalid for daemonset"));
  errs.push(...validateWorkloadTemplate(spec, p, (at, value) => invalid(`${at}`, value, "activeDeadlineSeconds must be nil for daemonsets")));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, p.child("minReadySeconds")), ...validateNonnegativeField(spec.templateGeneration, p.child("templateGeneration")));
  errs.push(...validateUpdateStrategy(recordAt(spec, "updateStrategy") ?? {}, p.child("updateStrategy")));
  errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, p.child("revisionHistoryLimit")));
  if (context.old) errs.push(...validateSelectorUpdate(obj, context.old));
  return errs;
}

function validateUpdateStrategy(strategy: JsonRecord, p: FieldPath): FieldError[] {
  if (strategy.type === "OnDelete") return [];
  if (strategy.type !== "RollingUpdate") return [notSupported(`${p}`, strategy, ["RollingUpdate", "OnDelete"])];
  const rollingUpdate = recordAt(strategy, "rollingUpdate");
  if (!rollingUpdate) return [required(`${p.child("rollingUpdate")}`)];
  return validateRollingUpdate(rollingUpdate, p.child("rollingUpdate"));
}

function validateRollingUpdate(rollingUpdate: JsonRecord, p: FieldPath): FieldError[] {
  const { maxUnavailable, maxSurge } = rollingUpdate;
  const errs = [
    ...validatePositiveIntOrPercent(maxUnavailable, p.child("maxUnavailable")),
    ...validatePositiveIntOrPercent(maxSurge, p.child("maxSurge")),
    ...validateNotMoreThan100Percent(maxUnavailable, p.child("maxUnavailable")),
    ...validateNotMoreThan100Percent(maxSurge, p.child("maxSurge")),
  ];
  const hasUnavailable = (intOrPercentValue(maxUnavailable) ?? 0) !== 0;
  const hasSurge = (intOrPercentValue(maxSurge) ?? 0) !== 0;
  if (hasUnavailable && hasSurge) errs.push(invalid(`${p.child("maxSurge")}`, maxSurge, "may not be set when maxUnavailable is non-zero"));
  if (!hasUnavailable && !hasSurge) errs.push(required(`${p.child("maxUnavailable")}`, "cannot be 0 when maxSurge is 0"));
  return errs;
}

function daemonSetColumns() {
  const doc = (field: string) => fieldDoc("apps.v1.DaemonSetStatus", field);
  return [
    nameColumn(),
    column("Desired", "integer", doc("desiredNumberScheduled")),
    column("Current", "integer", doc("currentNumberScheduled")),
    column("Ready", "integer", doc("numberReady")),
    column("Up-to-date", "integer", doc("updatedNumberScheduled")),
    column("Available", "integer", doc("numberAvailable")),
    column("Node Selector", "string", fieldDoc("core.v1.PodSpec", "nodeSelector")),
    ageColumn(),
    ...workloadWideColumns(fieldDoc("apps.v1.DaemonSetSpec", "selector")),
  ];
}

function daemonSetCells(obj: KubeObject, now: Date): unknown[] {
  const status = (field: string) => numberAt(obj, "status", field) ?? 0;
  const [containers, images] = templateContainerCells(obj);
  return [
    nameOf(obj), status("desiredNumberScheduled"), status("currentNumberScheduled"), status("numberReady"), status("updatedNumberScheduled"), status("numberAvailable"),
    formatLabels(stringMapAt(obj, "spec", "template", "spec", "nodeSelector")), ageOf(obj, now), containers, images, formatLabelSelector(valueAt(obj, "spec", "selector")),
  ];
}
