// batch/v1 Job: category all, status subresource; SetDefaults_Job (parallelism/completions 1,
// backoffLimit 6, NonIndexed, not suspended, pod replacement policy) and the selector upstream
// generates on create (controller-uid and job-name labels); ValidateJob and its update rules;
// the job printer (STATUS, COMPLETIONS, DURATION) and the status.successful field selector.
import type { KubeObject, ValidationContext } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { humanDuration } from "./duration.js";
import { path, type FieldPath } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { validateJobSpecFields } from "./job-spec.js";
import { formatLabelSelector, labelSelectorObject, selectorOf } from "./label-selectors.js";
import { defaultString, defaultValue, ensureRecord, isRecord, jsonEqual, numberAt, recordAt, recordsAt, stringAt, stringMapAt, valueAt, type JsonRecord } from "./object-fields.js";
import { defaultPodTemplateSpec } from "./pod-defaults.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { integerField } from "./selectable-fields.js";
import { templateContainerCells, workloadWideColumns } from "./workload.js";

export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const LEGACY_JOB_NAME_LABEL = "job-name";
const MAX_INT32 = 2147483647;

export function jobResource(): ResourceDef {
  return {
    group: "batch",
    version: "v1",
    kind: "Job",
    plural: "jobs",
    singular: "job",
    namespaced: true,
    categories: ["all"],
    verbs: ALL_VERBS,
    statusSubresource: true,
    defaults: defaultJob,
    prepareForCreate: generateSelector,
    validate: validateJob,
    table: { columns: jobColumns(), cells: jobCells },
    fieldSelectors: { "status.successful": integerField("status", "succeeded") },
  };
}

function defaultJob(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  if ((spec.completions ?? null) === null && (spec.parallelism ?? null) === null) spec.completions = 1;
  defaultValue(spec, "parallelism", 1);
  defaultValue(spec, "backoffLimit", numberAt(spec, "backoffLimitPerIndex") !== undefined ? MAX_INT32 : 6);
  const templateLabels = stringMapAt(spec, "template", "metadata", "labels");
  const meta = (obj.metadata ??= {});
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
  defaultString(spec, "completionMode", "NonIndexed");
  defaultValue(spec, "suspend", false);
  for (const rule of recordsAt(spec, "podFailurePolicy", "rules")) {
    for (const pattern of recordsAt(rule, "onPodConditions")) defaultString(pattern, "status", "True");
  }
  defaultString(spec, "podReplacementPolicy", isRecord(spec.podFailurePolicy) ? "Failed" : "TerminatingOrFailed");
  defaultPodTemplateSpec(ensureRecord(spec, "template"));
}

/**
 * upstream generateSelector (jobStrategy.PrepareForCreate), unless spec.manualSelector: the template
 * gets job-name and controller-uid labels (new and legacy keys) and the selector matches the uid.
 * Upstream's defaulting aliases the job's labels to the template's, so they end up equal.
 */
export function generateSelector(obj: KubeObject): void {
  const spec = ensureRecord(obj, "spec");
  if (spec.manualSelector === true) return;
  const meta = (obj.metadata ??= {});
  const templateMeta = ensureRecord(ensureRecord(spec, "template"), "metadata");
  const labels = stringMapAt(templateMeta, "labels") ?? {};
  const aliased = Object.keys(meta.labels ?? {}).length === 0 || jsonEqual(meta.labels, labels);
  const uid = meta.uid ?? "";
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= meta.name ?? "";
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  templateMeta.labels = labels;
  const selector = ensureRecord(spec, "selector");
  const matchLabels = ensureRecord(selector, "matchLabels");
  matchLabels[CONTROLLER_UID_LABEL] ??= uid;
  if (aliased) meta.labels = { ...labels };
}

function validateJob(obj: KubeObject, context: ValidationContext): FieldError[] {
  if (context.subresource === "status") return [];
  const spec = recordAt(obj, "spec") ?? {};
  const p = path("spec");
  const errs = [...validateGeneratedSelector(obj, spec), ...validateJobSpecFields(spec, p), ...validateJobSelector(spec, p), ...validateIndexedHostnames(obj, spec)];
  if (context.old) errs.push(...validateJobUpdate(spec, recordAt(context.old, "spec") ?? {}, context.old, p));
  return errs;
}

function validateGeneratedSelector(obj: KubeObject, spec: JsonRecord): FieldError[] {
  if (spec.manualSelector === true) return [];
  const meta = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (!meta.uid) errs.push(required("metadata.uid"));
  const templateLabels = stringMapAt(spec, "template", "metadata", "labels") ?? {};
  for (const [key, expected] of [[LEGACY_CONTROLLER_UID_LABEL, meta.uid ?? ""], [LEGACY_JOB_NAME_LABEL, meta.name ?? ""]] as const) {
    const at = `spec.template.metadata.labels[${key}]`;
    if (!(key in templateLabels)) errs.push(required(at));
    else if (templateLabels[key] !== expected) errs.push(invalid(at, templateLabels, `must be '${expected}'`));
  }
  const selector = selectorOf(spec.selector);
  if (isRecord(spec.selector) && selector && !selector.matches({ [CONTROLLER_UID_LABEL]: meta.uid ?? "" })) {
    errs.push(invalid("spec.selector", spec.selector, "`selector` not auto-generated"));
  }
  return errs;
}

function validateJobSelector(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs = isRecord(spec.selector) ? validateLabelSelector(labelSelectorObject(spec.selector), `${p.child("selector")}`) : [required(`${p.child("selector")}`)];
  const selector = selectorOf(spec.selector);
  const labels = stringMapAt(spec, "template", "metadata", "labels") ?? {};
  if (selector && !selector.matches(labels)) errs.push(invalid(`${p.child("template", "metadata", "labels")}`, labels, "`selector` does not match template `labels`"));
  return errs;
}

/** Indexed jobs name pods `<job>-<index>`: the largest must be a DNS label. */
function validateIndexedHostnames(obj: KubeObject, spec: JsonRecord): FieldError[] {
  const completions = numberAt(spec, "completions") ?? 0;
  if (spec.completionMode !== "Indexed" || completions <= 0) return [];
  const name = obj.metadata?.name ?? "";
  const hostname = `${name}-${completions - 1}`;
  return isDNS1123Label(hostname).length > 0 ? [invalid("metadata.name", name, `will not able to create pod with invalid DNS label: ${hostname}`)] : [];
}

const IMMUTABLE_SPEC_FIELDS = ["selector", "completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy", "podReplacementPolicy"];
const SCHEDULING_DIRECTIVES = ["nodeSelector", "tolerations", "affinity", "schedulingGates"];

function validateJobUpdate(spec: JsonRecord, oldSpec: JsonRecord, old: KubeObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const elastic = spec.completionMode === "Indexed" && numberAt(spec, "completions") === numberAt(spec, "parallelism");
  if (!elastic) errs.push(...validateImmutableField(spec.completions, oldSpec.completions, p.child("completions")));
  for (const field of IMMUTABLE_SPEC_FIELDS) errs.push(...validateImmutableField(spec[field], oldSpec[field], p.child(field)));
  errs.push(...validateTemplateUpdate(spec, oldSpec, old, p.child("template")));
  return errs;
}

/** The template is immutable, except scheduling directives and pod labels of a suspended job that never started. */
function validateTemplateUpdate(spec: JsonRecord, oldSpec: JsonRecord, old: KubeObject, p: FieldPath): FieldError[] {
  const mutable = oldSpec.suspend === true && valueAt(old, "status", "startTime") === undefined;
  const strip = (template: unknown): unknown => {
    if (!mutable || !isRecord(template)) return template;
    const copy = structuredClone(template);
    delete copy.metadata;
    const podSpec = recordAt(copy, "spec");
    for (const field of SCHEDULING_DIRECTIVES) if (podSpec) delete podSpec[field];
    return copy;
  };
  return jsonEqual(strip(spec.template), strip(oldSpec.template)) ? [] : validateImmutableField(spec.template, oldSpec.template, p);
}

function jobColumns() {
  return [
    nameColumn(),
    column("Status", "string", "Status of the job."),
    column("Completions", "string", fieldDoc("batch.v1.JobStatus", "succeeded")),
    column("Duration", "string", "Time required to complete the job."),
    ageColumn(),
    ...workloadWideColumns(fieldDoc("batch.v1.JobSpec", "selector")),
  ];
}

function jobCells(obj: KubeObject, now: Date): unknown[] {
  const [containers, images] = templateContainerCells(obj);
  return [nameOf(obj), jobStatus(obj), jobCompletions(obj), jobDuration(obj, now), ageOf(obj, now), containers, images, formatLabelSelector(valueAt(obj, "spec", "selector"))];
}

function jobCompletions(obj: KubeObject): string {
  const succeeded = numberAt(obj, "status", "succeeded") ?? 0;
  const completions = numberAt(obj, "spec", "completions");
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = numberAt(obj, "spec", "parallelism") ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(obj: KubeObject, now: Date): string {
  const start = stringAt(obj, "status", "startTime");
  if (!start) return "";
  const end = stringAt(obj, "status", "completionTime");
  return humanDuration((end ? Date.parse(end) : now.getTime()) - Date.parse(start));
}

/** upstream printJob's STATUS: the first true condition of Complete, Failed, (deleting), Suspended, FailureTarget. */
export function jobStatus(obj: KubeObject): string {
  const conditionTrue = (type: string) => stringAt(recordsAt(obj, "status", "conditions").find((c) => stringAt(c, "type") === type), "status") === "True";
  if (conditionTrue("Complete")) return "Complete";
  if (conditionTrue("Failed")) return "Failed";
  if (obj.metadata?.deletionTimestamp) return "Terminating";
  if (conditionTrue("Suspended")) return "Suspended";
  if (conditionTrue("FailureTarget")) return "FailureTarget";
  return "Running";
}
