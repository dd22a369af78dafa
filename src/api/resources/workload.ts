// What Deployments, ReplicaSets, StatefulSets and DaemonSets share (upstream apps validation and
// printers, v1.32): the selector rules (required, valid, non-empty, matching the template labels),
// template rules (restartPolicy Always, no activeDeadlineSeconds), pod template defaults, the
// immutable selector, and the CONTAINERS / IMAGES / SELECTOR cells of wide output.
import type { KubeObject } from "../resource.js";
import { validateLabelSelector } from "../label-selector.js";
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import type { FieldPath } from "./field-path.js";
import { validateImmutableField } from "./field-rules.js";
import { isEmptyLabelSelector, labelSelectorObject, selectorOf } from "./label-selectors.js";
import { ensureRecord, isRecord, recordAt, stringMapAt, valueAt, type JsonRecord } from "./object-fields.js";
import { defaultPodTemplateSpec } from "./pod-defaults.js";
import { validatePodTemplateSpec } from "./pod-spec-validation.js";
import { CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, containerCells, wideColumn } from "./printing.js";
import { path } from "./field-path.js";

/** The spec of a workload object (created when absent, for defaulting). */
export function specOf(obj: KubeObject): JsonRecord {
  return ensureRecord(obj, "spec");
}

/** Pod template defaults of a workload spec. */
export function defaultTemplateOf(spec: JsonRecord): void {
  defaultPodTemplateSpec(ensureRecord(spec, "template"));
}

/**
 * The selector of Deployments, ReplicaSets and StatefulSets: required, valid, and non-empty
 * (upstream's message names the kind: "empty selector is invalid for deployment").
 */
export function validateRequiredSelector(spec: JsonRecord, p: FieldPath, emptyFor: string): FieldError[] {
  const selector = spec.selector;
  if (!isRecord(selector)) return [required(`${p.child("selector")}`)];
  const errs = validateLabelSelector(labelSelectorObject(selector), `${p.child("selector")}`);
  if (isEmptyLabelSelector(selector)) errs.push(invalid(`${p.child("selector")}`, selector, `empty selector is invalid for ${emptyFor}`));
  return errs;
}

/** `selector` does not match template `labels` (checked only for a valid, non-empty selector unless `strict`). */
export function validateSelectorMatchesTemplate(spec: JsonRecord, p: FieldPath, options: { emptyMatches: boolean }): FieldError[] {
  const selector = selectorOf(spec.selector);
  if (!selector) return [];
  if (options.emptyMatches && selector.isEmpty()) return [];
  const labels = stringMapAt(spec, "template", "metadata", "labels") ?? {};
  if (selector.matches(labels)) return [];
  return [invalid(`${p.child("template", "metadata", "labels")}`, labels, "`selector` does not match template `labels`")];
}

/** ValidatePodTemplateSpecForReplicaSet's template rules, with the kind's activeDeadlineSeconds wording. */
export function validateWorkloadTemplate(spec: JsonRecord, p: FieldPath, activeDeadline: (at: FieldPath, value: unknown) => FieldError): FieldError[] {
  return [...validatePodTemplateSpec(spec.template, p.child("template")), ...validateWorkloadTemplateRules(spec, p, activeDeadline)];
}

/** The workload rules of a template alone: restartPolicy Always and no activeDeadlineSeconds. */
export function validateWorkloadTemplateRules(spec: JsonRecord, p: FieldPath, activeDeadline: (at: FieldPath, value: unknown) => FieldError): FieldError[] {
  const template = spec.template;
  const errs: FieldError[] = [];
  const policy = valueAt(template, "spec", "restartPolicy");
  if (policy !== "Always") errs.push(notSupported(`${p.child("template", "spec", "restartPolicy")}`, policy ?? "", ["Always"]));
  const deadline = valueAt(template, "spec", "activeDeadlineSeconds");
  if (deadline !== undefined && deadline !== null) errs.push(activeDeadline(p.child("template", "spec", "activeDeadlineSeconds"), deadline));
  return errs;
}

/** The Forbidden wording ReplicaSets, Deployments and StatefulSets use for activeDeadlineSeconds. */
export const deadlineNotSupportedIn = (kind: string) => (at: FieldPath): FieldError => forbiddenField(`${at}`, `activeDeadlineSeconds in ${kind} is not Supported`);

/** apps/v1 forbids changing the selector. */
export function validateSelectorUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateImmutableField(valueAt(obj, "spec", "selector"), valueAt(old, "spec", "selector"), path("spec", "selector"));
}

/** The wide columns most workloads end with. */
export function workloadWideColumns(selectorDescription: string, withSelector = true) {
  const columns = [wideColumn("Containers", "string", CONTAINERS_DESCRIPTION), wideColumn("Images", "string", IMAGES_DESCRIPTION)];
  if (withSelector) columns.push(wideColumn("Selector", "string", selectorDescription));
  return columns;
}

/** CONTAINERS and IMAGES of a workload's pod template. */
export function templateContainerCells(obj: KubeObject): [string, string] {
  return containerCells(recordAt(obj, "spec", "template", "spec"));
}
