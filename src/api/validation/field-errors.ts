// Field errors as upstream reports them (k8s.io/apimachinery/pkg/util/validation/field), and the
// 422 Invalid Status they add up to: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: must be ...`.
import { StatusError } from "../errors.js";

export type FieldErrorType =
  | "FieldValueNotFound" | "FieldValueRequired" | "FieldValueDuplicate" | "FieldValueInvalid"
  | "FieldValueNotSupported" | "FieldValueForbidden" | "FieldValueTooLong" | "FieldValueTooMany" | "InternalError"
  | "FieldValueTypeInvalid";

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with list indexes and map keys as upstream writes them: spec.containers[0].image, metadata.labels[app]. */
  field: string;
  value?: unknown;
  detail?: string;
}

/** Go's %#v-like rendering upstream uses for invalid values: strings quoted, numbers and booleans bare. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[]${value.length && typeof value[0] === "string" ? "string" : "interface {}"}{${value.map(formatValue).join(", ")}}`;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.every(([, v]) => typeof v === "string")) return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

const BODIES: Record<FieldErrorType, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** The error's text without the field: "Invalid value: -1: must be greater than or equal to 0". */
export function errorBody(e: FieldError): string {
  const withValue = e.type === "FieldValueInvalid" || e.type === "FieldValueNotSupported" || e.type === "FieldValueDuplicate" || e.type === "FieldValueNotFound" || e.type === "FieldValueTypeInvalid";
  let body = BODIES[e.type];
  if (withValue && e.value !== undefined) body += `: ${formatValue(e.value)}`;
  if (e.detail) body += `: ${e.detail}`;
  return body;
}

export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

export const required = (field: string, detail?: string): FieldError => ({ type: "FieldValueRequired", field, detail });
export const invalid = (field: string, value: unknown, detail: string): FieldError => ({ type: "FieldValueInvalid", field, value, detail });
export const forbiddenField = (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail });
export const duplicate = (field: string, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field, value });
export const notSupported = (field: string, value: unknown, supported: string[]): FieldError => ({
  type: "FieldValueNotSupported",
  field,
  value,
  detail: supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` : undefined,
});
export const tooLong = (field: string, value: unknown, max: number): FieldError => ({ type: "FieldValueTooLong", field, value, detail: `may not be more than ${max} bytes` });

/**
 * The 422 Status for a set of field errors, worded as upstream:
 * `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: ...` (several errors in [a, b]).
 */
export function invalidObject(kind: string, group: string, name: string, errors: FieldError[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const messages = [...new Set(errors.map(fieldErrorMessage))];
  const list = messages.length === 1 ? messages[0] : `[${messages.join(", ")}]`;
  return new StatusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${list}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field })),
  });
}
