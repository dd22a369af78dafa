// JobSpec rules shared by Jobs and CronJob job templates (upstream batch validateJobSpec, v1.32):
// counts and deadlines non-negative, completion mode, pod replacement policy, the pod template,
// and restartPolicy OnFailure or Never.
import { invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import type { FieldPath } from "./field-path.js";
import { validateNonnegativeField } from "./field-rules.js";
import { isRecord, numberAt, valueAt, type JsonRecord } from "./object-fields.js";
import { validatePodTemplateSpec } from "./pod-spec-validation.js";

const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

export function validateJobSpecFields(spec: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"]) {
    errs.push(...validateNonnegativeField(spec[field], p.child(field)));
  }
  errs.push(...validateCompletionMode(spec, p));
  errs.push(...validatePodReplacementPolicy(spec, p.child("podReplacementPolicy")));
  errs.push(...validatePodTemplateSpec(spec.template, p.child("template")));
  errs.push(...validateJobRestartPolicy(spec, p.child("template", "spec", "restartPolicy")));
  return errs;
}

function validateCompletionMode(spec: JsonRecord, p: FieldPath): FieldError[] {
  const mode = spec.completionMode;
  if (mode === undefined || mode === null) return [];
  if (mode !== "NonIndexed" && mode !== "Indexed") return [notSupported(`${p.child("completionMode")}`, mode, ["NonIndexed", "Indexed"])];
  if (mode !== "Indexed") return [];
  const errs: FieldError[] = [];
  if (spec.completions === undefined || spec.completions === null) errs.push(required(`${p.child("completions")}`, "when completion mode is Indexed"));
  const parallelism = numberAt(spec, "parallelism");
  if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
    errs.push(invalid(`${p.child("parallelism")}`, parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
  }
  return errs;
}

function validatePodReplacementPolicy(spec: JsonRecord, p: FieldPath): FieldError[] {
  const policy = spec.podReplacementPolicy;
  if (policy === undefined || policy === null) return [];
  if (isRecord(spec.podFailurePolicy)) return policy === "Failed" ? [] : [notSupported(`${p}`, policy, ["Failed"])];
  return policy === "Failed" || policy === "TerminatingOrFailed" ? [] : [notSupported(`${p}`, policy, ["Failed", "TerminatingOrFailed"])];
}

/** Jobs run to completion: the template's restartPolicy (defaulted to Always) must be OnFailure or Never. */
function validateJobRestartPolicy(spec: JsonRecord, p: FieldPath): FieldError[] {
  const policy = valueAt(spec, "template", "spec", "restartPolicy");
  if (policy === undefined || policy === "" || policy === "Always") return [required(`${p}`, 'valid values: "OnFailure", "Never"')];
  if (policy !== "OnFailure" && policy !== "Never") return [notSupported(`${p}`, policy, ["OnFailure", "Never"])];
  if (isRecord(spec.podFailurePolicy) && policy !== "Never") return [invalid(`${p}`, policy, 'only "Never" is supported when podFailurePolicy is specified')];
  return [];
}
