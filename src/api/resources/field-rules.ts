// Generic per-field rules upstream validation reuses everywhere: immutable fields, non-negative and
// positive numbers, and int-or-percent values (maxSurge, maxUnavailable, minAvailable).
import { invalid, type FieldError } from "../validation/field-errors.js";
import { FIELD_IMMUTABLE } from "../validation/object-meta.js";
import type { FieldPath } from "./field-path.js";
import { isValidPercent } from "./formats.js";
import { jsonEqual } from "./object-fields.js";

/** ValidateImmutableField: `field is immutable` when the value changed. */
export function validateImmutableField(newValue: unknown, oldValue: unknown, p: FieldPath): FieldError[] {
  return jsonEqual(newValue ?? null, oldValue ?? null) ? [] : [invalid(`${p}`, newValue ?? null, FIELD_IMMUTABLE)];
}

/** ValidateNonnegativeField; absent values are not checked. */
export function validateNonnegativeField(value: unknown, p: FieldPath): FieldError[] {
  return typeof value === "number" && value < 0 ? [invalid(`${p}`, value, "must be greater than or equal to 0")] : [];
}

/** ValidatePositiveField ("must be greater than zero"); absent values are not checked. */
export function validatePositiveField(value: unknown, p: FieldPath): FieldError[] {
  return typeof value === "number" && value <= 0 ? [invalid(`${p}`, value, "must be greater than zero")] : [];
}

/** ValidatePositiveIntOrPercent: a non-negative integer or a "N%" string. */
export function validatePositiveIntOrPercent(value: unknown, p: FieldPath): FieldError[] {
  if (typeof value === "string") return isValidPercent(value).map((msg) => invalid(`${p}`, value, msg));
  return validateNonnegativeField(value, p);
}

/** IsNotMoreThan100Percent. */
export function validateNotMoreThan100Percent(value: unknown, p: FieldPath): FieldError[] {
  const percent = percentValue(value);
  return percent !== undefined && percent > 100 ? [invalid(`${p}`, value, "must not be greater than 100%")] : [];
}

/** The number of an int-or-percent ("25%" → 25, 3 → 3), or undefined when it is neither. */
export function intOrPercentValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return percentValue(value);
}

function percentValue(value: unknown): number | undefined {
  if (typeof value !== "string" || isValidPercent(value).length > 0) return undefined;
  return Number(value.slice(0, -1));
}
