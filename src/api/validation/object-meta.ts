// ObjectMeta validation as upstream's ValidateObjectMeta / ValidateObjectMetaUpdate (apimachinery
// pkg/api/validation at v1.32, plus kubernetes pkg/apis/core/validation's finalizer rule for built-in
// kinds), with upstream's fields, order and messages. Go prints some values with %v/%#v (times,
// structs, nil pointers); those are rendered the Go way into the error text.
import type { ObjectMeta, OwnerReference, ManagedFieldsEntry } from "../resource.js";
import { validateLabelMap } from "../label-selector.js";
import { type FieldError, forbiddenField, invalid, required } from "./field-errors.js";
import { isGoPrintable } from "./go-quote.js";
import { isQualifiedName, type NameValidation, utf8Length, validateName } from "./names.js";

export const FIELD_IMMUTABLE = "field is immutable";
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const IS_NEGATIVE = "must be greater than or equal to 0";
const FIELD_MANAGER_MAX_LENGTH = 128;
const MAX_SUBRESOURCE_NAME_LENGTH = 256;
const ORPHAN = "orphan";
const FOREGROUND = "foregroundDeletion";
const STANDARD_FINALIZERS: ReadonlySet<string> = new Set(["kubernetes", ORPHAN, FOREGROUND]);

export interface ObjectMetaOptions {
  /** Namespaced kinds require a namespace; cluster-scoped kinds forbid one. */
  namespaced: boolean;
  /** The kind's name rule: "subdomain" for most, "label" for Namespace, "dns1035" for Service. */
  nameValidation: NameValidation;
  /**
   * The stored object's metadata: given, the update rules run instead (upstream
   * ValidateObjectMetaUpdate: immutable fields, resourceVersion, generation, labels, annotations,
   * owners). Upstream's generic update path also re-runs the create rules with the "path-segment"
   * name rule; call this without `old` for that.
   */
  old?: ObjectMeta;
  /** Built-in kinds accept a finalizer without "/" only if standard (kubernetes, orphan, foregroundDeletion). Default true. */
  standardFinalizers?: boolean;
  /** Where metadata sits: "metadata" unless it is nested (e.g. "spec.template.metadata"). */
  path?: string;
}

/** upstream ValidateObjectMeta (create) or ValidateObjectMetaUpdate (with `old`). */
export function validateObjectMeta(meta: ObjectMeta | undefined, options: ObjectMetaOptions): FieldError[] {
  const m = meta ?? {};
  const path = options.path ?? "metadata";
  const errs = options.old ? validateUpdate(m, options.old, path) : validateCreate(m, options, path);
  if (options.standardFinalizers ?? true) errs.push(...validateStandardFinalizers(m.finalizers ?? [], `${path}.finalizers`));
  return errs;
}

function validateCreate(m: ObjectMeta, options: ObjectMetaOptions, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of validateName(options.nameValidation, m.generateName, true)) errs.push(invalid(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) errs.push(required(`${path}.name`, "name or generateName is required"));
  else for (const msg of validateName(options.nameValidation, m.name, false)) errs.push(invalid(`${path}.name`, m.name, msg));
  errs.push(...validateNamespace(m.namespace ?? "", options.namespaced, `${path}.namespace`));
  if ((m.generation ?? 0) < 0) errs.push(invalid(`${path}.generation`, m.generation, IS_NEGATIVE));
  errs.push(...validateLabelMap(m.labels ?? {}, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations ?? {}, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences ?? [], `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers ?? [], `${path}.finalizers`));
  errs.push(...validateManagedFields(m.managedFields ?? [], `${path}.managedFields`));
  return errs;
}

function validateNamespace(namespace: string, namespaced: boolean, path: string): FieldError[] {
  if (!namespaced) return namespace ? [forbiddenField(path, "not allowed on this type")] : [];
  if (!namespace) return [required(path)];
  return validateName("label", namespace, false).map((msg) => invalid(path, namespace, msg));
}

function validateUpdate(m: ObjectMeta, old: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (old.deletionTimestamp) errs.push(...validateNoNewFinalizers(m.finalizers ?? [], old.finalizers ?? [], `${path}.finalizers`));
  if (!m.resourceVersion) errs.push(invalid(`${path}.resourceVersion`, m.resourceVersion ?? "", "must be specified for an update"));
  if ((m.generation ?? 0) < (old.generation ?? 0)) errs.push(invalid(`${path}.generation`, m.generation ?? 0, "must not be decremented"));
  for (const field of ["name", "namespace", "uid"] as const) {
    if ((m[field] ?? "") !== (old[field] ?? "")) errs.push(invalid(`${path}.${field}`, m[field] ?? "", FIELD_IMMUTABLE));
  }
  if (!sameTime(m.creationTimestamp, old.creationTimestamp)) errs.push(immutableTime(`${path}.creationTimestamp`, m.creationTimestamp ?? ""));
  if (!sameTime(m.deletionTimestamp, old.deletionTimestamp)) errs.push(immutableTime(`${path}.deletionTimestamp`, m.deletionTimestamp));
  if (m.deletionGracePeriodSeconds !== old.deletionGracePeriodSeconds) {
    errs.push(invalid(`${path}.deletionGracePeriodSeconds`, m.deletionGracePeriodSeconds ?? null, FIELD_IMMUTABLE));
  }
  errs.push(...validateLabelMap(m.labels ?? {}, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations ?? {}, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences ?? [], `${path}.ownerReferences`));
  errs.push(...validateManagedFields(m.managedFields ?? [], `${path}.managedFields`));
  return errs;
}

function validateNoNewFinalizers(finalizers: string[], oldFinalizers: string[], path: string): FieldError[] {
  const old = new Set(oldFinalizers);
  const extra = [...new Set(finalizers.filter((f) => !old.has(f)))].sort();
  if (extra.length === 0) return [];
  return [forbiddenField(path, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(", ")}}`)];
}

// ---- times, compared and printed as upstream's metav1.Time -----------------------------------------

/** Semantic equality of two RFC 3339 times (equal instants), absent equal only to absent. */
function sameTime(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return !a === !b;
  return a === b || Date.parse(a) === Date.parse(b);
}

/** "Invalid value: 2024-01-02 03:04:05 +0000 UTC: field is immutable" (Go prints a Time with %s, unquoted). */
function immutableTime(field: string, value: string | undefined): FieldError {
  if (value === undefined) return invalid(field, null, FIELD_IMMUTABLE);
  return { type: "FieldValueInvalid", field, detail: `${goTime(value)}: ${FIELD_IMMUTABLE}` };
}

/** Go's time.Time String() in UTC (the API server's local zone): "2006-01-02 15:04:05.999999999 +0000 UTC". */
function goTime(rfc3339: string): string {
  if (!rfc3339) return "0001-01-01 00:00:00 +0000 UTC";
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const iso = new Date(ms).toISOString();
  const fraction = /T\d\d:\d\d:\d\d[.,](\d+)/.exec(rfc3339)?.[1]?.slice(0, 9).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ""} +0000 UTC`;
}

// ---- annotations, owners, finalizers, managed fields -----------------------------------------------

/** upstream ValidateAnnotations: keys are qualified names (case-insensitively), total size at most 256 KiB. */
export function validateAnnotations(annotations: Readonly<Record<string, string>>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, msg));
    size += utf8Length(k) + utf8Length(v);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** v1.32's TooLong wording ("may not be more than N bytes"), value omitted. */
function tooLong(field: string, max: number): FieldError {
  return { type: "FieldValueTooLong", field, detail: `may not be more than ${max} bytes` };
}

/** upstream ValidateOwnerReferences: errors sit at ownerReferences.<field>, without an index, as upstream. */
export function validateOwnerReferences(refs: readonly OwnerReference[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = "";
  for (const ref of refs) {
    errs.push(...validateOwnerReference(ref, path));
    if (ref.controller !== true) continue;
    const current = `${ref.kind}/${ref.name}`;
    if (!firstController) firstController = current;
    else errs.push(goValueInvalid(path, goOwnerReferences(refs), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
  }
  return errs;
}

function validateOwnerReference(ref: OwnerReference, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const [group, version] = parseGroupVersion(ref.apiVersion ?? "");
  if (!version) errs.push(invalid(`${path}.apiVersion`, ref.apiVersion ?? "", "version must not be empty"));
  if (!ref.kind) errs.push(invalid(`${path}.kind`, ref.kind ?? "", "kind must not be empty"));
  if (!ref.name) errs.push(invalid(`${path}.name`, ref.name ?? "", "name must not be empty"));
  if (!ref.uid) errs.push(invalid(`${path}.uid`, ref.uid ?? "", "uid must not be empty"));
  if (group === "" && version === "v1" && ref.kind === "Event") {
    errs.push(goValueInvalid(path, goOwnerReference(ref), `${group}/${version}, Kind=${ref.kind} is disallowed from being an owner`));
  }
  return errs;
}

/** upstream schema.ParseGroupVersion; a malformed apiVersion yields an empty version. */
function parseGroupVersion(apiVersion: string): [string, string] {
  if (apiVersion === "" || apiVersion === "/") return ["", ""];
  const parts = apiVersion.split("/");
  if (parts.length === 1) return ["", apiVersion];
  return parts.length === 2 ? [parts[0] as string, parts[1] as string] : ["", ""];
}

/** An Invalid error whose value Go prints with %#v (a struct or slice): the text goes in as rendered. */
function goValueInvalid(field: string, rendered: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, detail: `${rendered}: ${detail}` };
}

function goOwnerReferences(refs: readonly OwnerReference[]): string {
  return `[]v1.OwnerReference{${refs.map(goOwnerReference).join(", ")}}`;
}

/** %#v of a v1.OwnerReference; Go prints pointer addresses, which no one can reproduce: a fixed one stands in. */
function goOwnerReference(ref: OwnerReference): string {
  const ptr = (b: boolean | undefined): string => (b === undefined ? "(*bool)(nil)" : "(*bool)(0xc000000000)");
  const q = (s: string | undefined): string => JSON.stringify(s ?? "");
  return `v1.OwnerReference{APIVersion:${q(ref.apiVersion)}, Kind:${q(ref.kind)}, Name:${q(ref.name)}, UID:${q(ref.uid)}, Controller:${ptr(ref.controller)}, BlockOwnerDeletion:${ptr(ref.blockOwnerDeletion)}}`;
}

/** upstream ValidateFinalizers: qualified names, and not both orphan and foregroundDeletion. */
export function validateFinalizers(finalizers: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) for (const msg of isQualifiedName(f)) errs.push(invalid(path, f, msg));
  if (finalizers.includes(ORPHAN) && finalizers.includes(FOREGROUND)) {
    errs.push(invalid(path, [...finalizers], `finalizer ${ORPHAN} and ${FOREGROUND} cannot be both set`));
  }
  return errs;
}

/** kubernetes core validateKubeFinalizerName: a finalizer without "/" must be a standard one. */
function validateStandardFinalizers(finalizers: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => {
    if (!f.includes("/") && !STANDARD_FINALIZERS.has(f)) errs.push(invalid(`${path}[${i}]`, f, "name is neither a standard finalizer name nor is it fully qualified"));
  });
  return errs;
}

/** upstream ValidateManagedFields. */
export function validateManagedFields(entries: readonly ManagedFieldsEntry[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  entries.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    if (entry.operation !== "Apply" && entry.operation !== "Update") errs.push(invalid(`${at}.operation`, entry.operation ?? "", "must be `Apply` or `Update`"));
    if (entry.fieldsType && entry.fieldsType !== "FieldsV1") errs.push(invalid(`${at}.fieldsType`, entry.fieldsType, "must be `FieldsV1`"));
    errs.push(...validateFieldManager(entry.manager ?? "", `${at}.manager`));
    if (utf8Length(entry.subresource ?? "") > MAX_SUBRESOURCE_NAME_LENGTH) errs.push(tooLong(`${at}.subresource`, MAX_SUBRESOURCE_NAME_LENGTH));
  });
  return errs;
}

/** upstream ValidateFieldManager: at most 128 bytes, printable characters only (positions in bytes). */
export function validateFieldManager(manager: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (utf8Length(manager) > FIELD_MANAGER_MAX_LENGTH) errs.push(tooLong(path, FIELD_MANAGER_MAX_LENGTH));
  let position = 0;
  for (const ch of manager) {
    if (!isGoPrintable(ch)) {
      const code = (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
      errs.push(invalid(path, manager, `invalid character U+${code} (at position ${position})`));
    }
    position += utf8Length(ch);
  }
  return errs;
}
