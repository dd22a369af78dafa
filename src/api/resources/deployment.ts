// apps/v1 Deployment: deploy, category all, status and scale subresources; SetDefaults_Deployment
// (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600) and pod
// template defaults; ValidateDeployment with upstream's messages; the deployment printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { path, type FieldPath } from "./field-path.js";
import { intOrPercentValue, validateNonnegativeField, validateNotMoreThan100Percent, validatePositiveField, validatePositiveIntOrPercent } from "./field-rules.js";
import { selectorOf } from "./label-selectors.js";
import { defaultString, defaultValue, ensureRecord, numberAt, recordAt, valueAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import {
  deadlineNotSupportedIn, defaultTemplateOf, specOf, templateContainerCells, validateRequiredSelector, validateSelectorMatchesTemplate,
  validateSelectorUpdate, validateWorkloadTemplate, workloadWideColumns,
} from "./workload.js";

export function deploymentResource(): ResourceDef {
  return {
    group: "apps",
    version: "v1",
    kind: "Deployment",
    plural: "deployments",
    singular: "deployment",
    namespaced: true,
    shortNames: ["deploy"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
    defaults: defaultDeployment,
    validate: validateDeployment,
    table: { columns: deploymentColumns(), cells: deploymentCells },
  };
}

export function defaultDeployment(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultValue(spec, "replicas", 1);
  const strategy = ensureRecord(spec, "strategy");
  defaultString(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = ensureRecord(strategy, "rollingUpdate");
    defaultValue(rollingUpdate, "maxUnavailable", "25%");
    defaultValue(rollingUpdate, "maxSurge", "25%");
  }
  defaultValue(spec, "revisionHistoryLimit", 10);
  defaultValue(spec, "progressDeadlineSeconds", 600);
  defaultTemplateOf(spec);
}

function validateDeployment(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = [...validateNonnegativeField(spec.replicas, p.child("replicas")), ...validateRequiredSelector(spec, p, "deployment")];
  if (spec.selector !== undefined && !selectorOf(spec.selector)) errs.push(invalid(`${p.child("selector")}`, spec.selector, "invalid label selector"));
  else errs.push(...validateSelectorMatchesTemplate(spec, p, { emptyMatches: true }), ...validateWorkloadTemplate(spec, p, deadlineNotSupportedIn("ReplicaSet")));
  errs.push(...validateStrategy(recordAt(spec, "strategy") ?? {}, p.child("strategy")));
  errs.push(...validateNonnegativeField(spec.minReadySeconds, p.child("minReadySeconds")));
  errs.push(...validateNonnegativeField(spec.revisionHistoryLimit, p.child("revisionHistoryLimit")));
  errs.push(...validateProgressDeadline(spec, p));
  if (context.old) errs.push(...validateSelectorUpdate(obj, context.old));
  return errs;
}

function validateStrategy(strategy: JsonRecord, p: FieldPath): FieldError[] {
  switch (strategy.type) {
    case "Recreate":
      return strategy.rollingUpdate ? [forbiddenField(`${p.child("rollingUpdate")}`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case "RollingUpdate": {
      const rollingUpdate = recordAt(strategy, "rollingUpdate");
      if (!rollingUpdate) return [required(`${p.child("rollingUpdate")}`, "this should be defaulted and never be nil")];
      return validateRollingUpdate(rollingUpdate, p.child("rollingUpdate"));
    }
    default:
      return [notSupported(`${p}`, strategy, ["Recreate", "RollingUpdate"])];
  }
}

function validateRollingUpdate(rollingUpdate: JsonRecord, p: FieldPath): FieldError[] {
  const { maxUnavailable, maxSurge } = rollingUpdate;
  const errs = [...validatePositiveIntOrPercent(maxUnavailable, p.child("maxUnavailable")), ...validatePositiveIntOrPercent(maxSurge, p.child("maxSurge"))];
  if ((intOrPercentValue(maxUnavailable) ?? 0) === 0 && (intOrPercentValue(maxSurge) ?? 0) === 0) {
    errs.push(invalid(`${p.child("maxUnavailable")}`, maxUnavailable ?? 0, "may not be 0 when `maxSurge` is 0"));
  }
  return [...errs, ...validateNotMoreThan100Percent(maxUnavailable, p.child("maxUnavailable"))];
}

function validateProgressDeadline(spec: JsonRecord, p: FieldPath): FieldError[] {
  const deadline = numberAt(spec, "progressDeadlineSeconds");
  if (deadline === undefined) return [];
  const errs = validatePositiveField(deadline, p.child("progressDeadlineSeconds"));
  if (deadline <= (numberAt(spec, "minReadySeconds") ?? 0)) errs.push(invalid(`${p.child("progressDeadlineSeconds")}`, deadline, "must be greater than minReadySeconds"));
  return errs;
}

function deploymentColumns() {
  return [
    nameColumn(),
    column("Ready", "string", "Number of the pod with ready state"),
    column("Up-to-date", "string", fieldDoc("apps.v1.DeploymentStatus", "updatedReplicas")),
    column("Available", "string", fieldDoc("apps.v1.DeploymentStatus", "availableReplicas")),
    ageColumn(),
    ...workloadWideColumns(fieldDoc("apps.v1.DeploymentSpec", "selector")),
  ];
}

function deploymentCells(obj: KubeObject, now: Date): unknown[] {
  const desired = numberAt(obj, "spec", "replicas") ?? 0;
  const ready = numberAt(obj, "status", "readyReplicas") ?? 0;
  const [containers, images] = templateContainerCells(obj);
  const selector = selectorOf(valueAt(obj, "spec", "selector"));
  return [
    nameOf(obj), `${ready}/${desired}`, numberAt(obj, "status", "updatedReplicas") ?? 0, numberAt(obj, "status", "availableReplicas") ?? 0, ageOf(obj, now),
    containers, images, selector ? selector.toString() : "<invalid>",
  ];
}

