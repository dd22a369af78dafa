// apps/v1 StatefulSet: sts, category all, status and scale subresources; SetDefaults_StatefulSet
// (OrderedReady, RollingUpdate partition 0, PVC retention Retain/Retain, replicas 1, history 10,
// claim template defaults); ValidateStatefulSet and its update rule; the statefulset printer.
// Two checks are upstream's later ones (v1.34), not v1.32's: the pod template is validated as a
// pod's, with a volume for each claim template, and claim templates as claims, so a mistake is
// refused at apply time instead of failing every pod create; an update of a set stored before
// (which fails them already) is held only to v1.32's rules. maxUnavailable is validated as with
// the MaxUnavailableStatefulSet gate on (and honoured by the controller) but not defaulted.
import type { KubeObject, ValidationContext } from "../resource.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { defaultPersistentVolumeClaim } from "./claim-defaults.js";
import { path, type FieldPath } from "./field-path.js";
import { intOrPercentValue, validateNonnegativeField, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "./field-rules.js";
import { validateClaimSpec } from "./persistentvolumeclaim.js";
import { selectorOf } from "./label-selectors.js";
import { validateLabelMap } from "../label-selector.js";
import { defaultString, defaultValue, ensureRecord, jsonEqual, numberAt, recordAt, recordsAt, stringAt, stringMapAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import {
  deadlineNotSupportedIn, defaultTemplateOf, specOf, templateContainerCells, validateRequiredSelector, validateSelectorMatchesTemplate,
  validateWorkloadTemplate, validateWorkloadTemplateRules, workloadWideColumns,
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
    ...validateRetentionPolicy(recordAt(spec, "persistentVolumeClaimRetentionPolicy"), p.child("persistentVolumeClaimRetentionPolicy")),
    ...validateNonnegativeField(spec.replicas, p.child("replicas")),
    ...validateNonnegativeField(spec.minReadySeconds, p.child("minReadySeconds")),
    ...validateNonnegativeField(numberAt(spec, "ordinals", "start"), p.child("ordinals", "start")),
    ...validateRequiredSelector(spec, p, "statefulset"),
  ];
  if (spec.selector !== undefined && !selectorOf(spec.selector)) errs.push(invalid(`${p.child("selector")}`, spec.selector, ""));
  else errs.push(...validateSelectorMatchesTemplate(spec, p, { emptyMatches: true }));
  // The later checks, unless an update finds the stored set already failing them (ratcheting).
  const oldSpec = context.old ? (recordAt(context.old, "spec") ?? {}) : undefined;
  const tightened = oldSpec === undefined || validateTemplateAndClaims(oldSpec, p).length === 0;
  errs.push(...(tightened ? validateTemplateAndClaims(spec, p) : validateTemplateRules(spec, p)));
  if (oldSpec) errs.push(...validateStatefulSetUpdate(spec, oldSpec));
  return errs;
}

/** The pod template as a pod's, its claim templates' volumes included, and each claim template's spec. */
function validateTemplateAndClaims(spec: JsonRecord, p: FieldPath): FieldError[] {
  const claims = recordsAt(spec, "volumeClaimTemplates");
  const errs = validateWorkloadTemplate(withClaimVolumes(spec, claims), p, deadlineNotSupportedIn("StatefulSet"));
  claims.forEach((claim, i) => {
    const at = p.child("volumeClaimTemplates").index(i);
    if (!stringAt(claim, "metadata", "name")) errs.push(required(`${at.child("metadata", "name")}`, "name or generateName is required"));
    errs.push(...validateClaimSpec(recordAt(claim, "spec") ?? {}, at.child("spec")));
  });
  return errs;
}

/** volumesToAddForTemplates: the spec with a claim volume for each template the pod spec does not name. */
function withClaimVolumes(spec: JsonRecord, claims: JsonRecord[]): JsonRecord {
  const template = recordAt(spec, "template");
  if (!template) return spec;
  const podSpec = recordAt(template, "spec") ?? {};
  const volumes = recordsAt(podSpec, "volumes");
  const named = new Set(volumes.map((v) => stringAt(v, "name")));
  const added = claims
    .map((claim) => stringAt(claim, "metadata", "name") ?? "")
    .filter((name) => name !== "" && !named.has(name))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return { ...spec, template: { ...template, spec: { ...podSpec, volumes: [...volumes, ...added] } } };
}

/** v1.32's template rules (it validated no pod spec): labels, restartPolicy, activeDeadlineSeconds. */
function validateTemplateRules(spec: JsonRecord, p: FieldPath): FieldError[] {
  const labels = stringMapAt(spec, "template", "metadata", "labels") ?? {};
  return [...validateLabelMap(labels, `${p.child("template", "metadata", "labels")}`), ...validateWorkloadTemplateRules(spec, p, deadlineNotSupportedIn("StatefulSet"))];
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
      return rollingUpdate ? validateRollingUpdate(rollingUpdate, p.child("rollingUpdate")) : [];
    default:
      return [invalid(`${p}`, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/** validateRollingUpdateStatefulSet. */
function validateRollingUpdate(rollingUpdate: JsonRecord, p: FieldPath): FieldError[] {
  const errs = validateNonnegativeField(rollingUpdate.partition, p.child("partition"));
  const maxUnavailable = rollingUpdate.maxUnavailable;
  if (maxUnavailable === undefined || maxUnavailable === null) return errs;
  const at = p.child("maxUnavailable");
  errs.push(...validatePositiveIntOrPercent(maxUnavailable, at));
  if (intOrPercentValue(maxUnavailable) === 0) errs.push(invalid(`${at}`, maxUnavailable, "cannot be 0"));
  return [...errs, ...validateNotMoreThan100Percent(maxUnavailable, at)];
}

/** ValidatePersistentVolumeClaimRetentionPolicy: each of whenDeleted and whenScaled is Retain or Delete. */
function validateRetentionPolicy(policy: JsonRecord | undefined, p: FieldPath): FieldError[] {
  if (!policy) return [];
  return (["whenDeleted", "whenScaled"] as const).flatMap((field) => {
    const value = policy[field];
    return value === "Retain" || value === "Delete" ? [] : [notSupported(`${p.child(field)}`, value ?? "", ["Retain", "Delete"])];
  });
}

const UPDATABLE_SPEC_FIELDS = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

/** upstream ValidateStatefulSetUpdate: only a few spec fields may change. */
function validateStatefulSetUpdate(spec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  const rest = (s: JsonRecord) => Object.fromEntries(Object.entries(s).filter(([k]) => !UPDATABLE_SPEC_FIELDS.includes(k)));
  if (jsonEqual(rest(spec), rest(oldSpec))) return [];
  return [forbiddenField("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}
