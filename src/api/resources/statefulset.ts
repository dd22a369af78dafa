// apps/v1 StatefulSet: sts, category all, status and scale subresources; SetDefaults_StatefulSet
// (OrderedReady, RollingUpdate partition 0, PVC retention Retain/Retain, replicas 1, history 10,
// claim template defaults); ValidateStatefulSet and its update rule; the statefulset printer.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, invalid, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { defaultPersistentVolumeClaim } from "./claim-defaults.js";
import { path, type FieldPath } from "./field-path.js";
import { validateNonnegativeField } from "./field-rules.js";
import { selectorOf } from "./label-selectors.js";
import { defaultString, defaultValue, ensureRecord, jsonEqual, numberAt, recordAt, recordsAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import {
  deadlineNotSupportedIn, defaultTemplateOf, specOf, templateContainerCells, validateRequiredSelector, validateSelectorMatchesTemplate,
  validateWorkloadTemplate, workloadWideColumns,
} from "./workload.js";

export function statefulSetResource(): ResourceDef {
  return {
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    plural: "statefulsets",
    singular: "statefulset",
    namespaced: true,
    shortNames: ["sts"],
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" },
    nameValidation: "label",
    defaults: defaultStatefulSet,
    validate: validateStatefulSet,
    table: {
      columns: [nameColumn(), column("Ready", "string", "Number of the pod with ready state"), ageColumn(), ...workloadWideColumns("", false)],
      cells: (obj, now) => [nameOf(obj), `${numberAt(obj, "status", "readyReplicas") ?? 0}/${numberAt(obj, "spec", "replicas") ?? 0}`, ageOf(obj, now), ...templateContainerCells(obj)],
    },
  };
}

function defaultStatefulSet(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultString(spec, "podManagementPolicy", "OrderedReady");
  const strategy = ensureRecord(spec, "updateStrategy");
  if (!strategy.type) {
    strategy.type = "RollingUpdate";
    ensureRecord(strategy, "rollingUpdate");
  }
  const rollingUpdate = recordAt(strategy, "rollingUpdate");
  if (strategy.type === "RollingUpdate" && rollingUpdate) defaultValue(rollingUpdate, "partition", 0);
  const retention = ensureRecord(spec, "persistentVolumeClaimRetentionPolicy");
  defaultString(retention, "whenDeleted", "Retain");
  defaultString(retention, "whenScaled", "Retain");
  defaultValue(spec, "replicas", 1);
  defaultValue(spec, "revisionHistoryLimit", 10);
  defaultTemplateOf(spec);
  for (const claim of recordsAt(spec, "volumeClaimTemplates")) defaultPersistentVolumeClaim(claim);
}

function validateStatefulSet(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = [
    ...validatePodManagementPolicy(spec.podManagementPolicy, p.child("podManagementPolicy")),
    ...validateUpdateStrategy(recordAt(spec, "updateStrategy") ?? {}, p.child("updateStrategy")),
    ...validateNonnegativeField(spec.replicas, p.child("replicas")),
    ...validateNonnegativeField(numberAt(spec, "ordinals", "start"), p.child("ordinals", "start")),
    ...validateNonnegativeField(spec.minReadySeconds, p.child("minReadySeconds")),
    ...validateRequiredSelector(spec, p, "statefulset"),
  ];
  if (spec.selector !== undefined && !selectorOf(spec.selector)) errs.push(invalid(`${p.child("selector")}`, spec.selector, ""));
  else errs.push(...validateSelectorMatchesTemplate(spec, p, { emptyMatches: true }), ...validateWorkloadTemplate(spec, p, deadlineNotSupportedIn("StatefulSet")));
  if (context.old) errs.push(...validateStatefulSetUpdate(spec, recordAt(context.old, "spec") ?? {}));
  return errs;
}

function validatePodManagementPolicy(policy: unknown, p: FieldPath): FieldError[] {
  if (!policy) return [required(`${p}`)];
  return policy === "OrderedReady" || policy === "Parallel" ? [] : [invalid(`${p}`, policy, "must be 'OrderedReady' or 'Parallel'")];
}

function validateUpdateStrategy(strategy: JsonRecord, p: FieldPath): FieldError[] {
  const rollingUpdate = recordAt(strategy, "rollingUpdate");
  switch (strategy.type) {
    case undefined:
    case "":
      return [required(`${p}`)];
    case "OnDelete":
      return rollingUpdate ? [invalid(`${p.child("rollingUpdate")}`, rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case "RollingUpdate":
      return rollingUpdate ? validateNonnegativeField(rollingUpdate.partition, p.child("rollingUpdate", "partition")) : [];
    default:
      return [invalid(`${p}`, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

const UPDATABLE_SPEC_FIELDS = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

/** upstream ValidateStatefulSetUpdate: only a few spec fields may change. */
function validateStatefulSetUpdate(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  const rest = (s: JsonRecord) => Object.fromEntries(Object.entries(s).filter(([k]) => !UPDATABLE_SPEC_FIELDS.includes(k)));
  if (jsonEqual(rest(spec), rest(oldSpec))) return [];
  return [forbiddenField("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
