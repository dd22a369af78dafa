// Resource lists (requests, limits, capacity, hard) as upstream core validation treats them:
// resource names (standard, native, extended), quantity values (non-negative, integers where
// counted), container requirements (requests ≤ limits, equal for extended resources), and
// SetDefaults_ResourceList plus Quantity's canonical serialisation ("0.5" is stored as "500m").
import { Quantity } from "../quantity.js";
import { RecentMap } from "../recent-map.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { isQualifiedName } from "../validation/names.js";
import type { FieldPath } from "./field-path.js";
import { isRecord, type JsonRecord } from "./object-fields.js";

const STANDARD_CONTAINER_RESOURCES = new Set(["cpu", "memory", "ephemeral-storage"]);
const STANDARD_RESOURCES = new Set([
  "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory",
  "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
  "persistentvolumeclaims", "requests.storage", "services.nodeports", "services.loadbalancers", "storage",
]);
const INTEGER_RESOURCES = new Set(["pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"]);

export function isHugePageResource(name: string): boolean {
  return name.startsWith("hugepages-");
}

function isNativeResource(name: string): boolean {
  return !name.includes("/") || name.includes("kubernetes.io/");
}

export function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith("requests.")) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResource(name);
}

function isStandardResource(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || name.startsWith("count/") || isHugePageResource(name) || name.startsWith("requests.hugepages-");
}

/** upstream validateResourceName: a qualified name, and a standard one when unprefixed. */
export function validateResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((msg) => invalid(`${p}`, name, msg));
  if (errs.length > 0) return errs;
  if (!name.includes("/") && !isStandardResource(name)) return [invalid(`${p}`, name, "must be a standard resource type or fully qualified")];
  return [];
}

/** upstream validateContainerResourceName. */
function validateContainerResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = validateResourceName(name, p);
  if (!name.includes("/")) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResource(name)) errs.push(invalid(`${p}`, name, "must be a standard resource for containers"));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(invalid(`${p}`, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** The quantity of a list entry, or the parse error (upstream rejects these while decoding). */
export function quantityOf(value: unknown): Quantity | string {
  if (typeof value !== "string" && typeof value !== "number") return "quantities must be a string or a number";
  const text = typeof value === "number" ? String(value) : value.trim();
  let parsed = parsedQuantities.get(text);
  if (parsed === undefined) parsedQuantities.set(text, (parsed = Quantity.check(text) ?? Quantity.parse(text)));
  return parsed;
}

/** Quantities by text: a cluster's objects repeat a few values ("250m", "512Mi"); Quantity is immutable. */
const parsedQuantities = new RecentMap<string, Quantity | string>(2_000);

/** The canonical text of quantities normalizeResourceList rewrites, by their text as written. */
const canonicalQuantities = new RecentMap<string, string>(2_000);

/** upstream ValidateResourceQuantityValue (and the decode error for a quantity that does not parse). */
export function validateQuantityValue(name: string, value: unknown, p: FieldPath): FieldError[] {
  const q = quantityOf(value);
  if (typeof q === "string") return [invalid(`${p}`, value, q)];
  const errs: FieldError[] = [];
  if (q.sign() < 0) errs.push(invalid(`${p}`, q.toString(), "must be greater than or equal to 0"));
  if ((INTEGER_RESOURCES.has(name) || isExtendedResource(name)) && q.milliValue() % 1000 !== 0) errs.push(invalid(`${p}`, q.toString(), "must be an integer"));
  return errs;
}

/** A generic resource list (capacity, hard, min/max): names and values. */
export function validateResourceList(list: unknown, p: FieldPath): FieldError[] {
  if (!isRecord(list)) return [];
  return Object.entries(list).flatMap(([name, value]) => [...validateResourceName(name, p.key(name)), ...validateQuantityValue(name, value, p.key(name))]);
}

/** upstream validateResourceRequirements for a container's `resources`. */
export function validateContainerResources(resources: unknown, p: FieldPath): FieldError[] {
  if (!isRecord(resources)) return [];
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(limits)) {
    errs.push(...validateContainerResourceName(name, p.child("limits").key(name)), ...validateQuantityValue(name, value, p.child("limits").key(name)));
  }
  for (const [name, value] of Object.entries(requests)) {
    const at = p.child("requests").key(name);
    errs.push(...validateContainerResourceName(name, at), ...validateQuantityValue(name, value, at));
    errs.push(...requestWithinLimit(name, value, limits[name], p));
  }
  const names = [...Object.keys(limits), ...Object.keys(requests)];
  if (names.some(isHugePageResource) && !names.some((n) => n === "cpu" || n === "memory")) {
    errs.push({ type: "FieldValueForbidden", field: `${p}`, detail: "HugePages require cpu or memory" });
  }
  return errs;
}

function requestWithinLimit(name: string, requestValue: unknown, limitValue: unknown, p: FieldPath): FieldError[] {
  if (limitValue === undefined) {
    return isOvercommitAllowed(name) ? [] : [required(`${p.child("limits")}`, "Limit must be set for non overcommitable resources")];
  }
  const request = quantityOf(requestValue);
  const limit = quantityOf(limitValue);
  if (typeof request === "string" || typeof limit === "string") return [];
  const order = request.cmp(limit);
  if (order !== 0 && !isOvercommitAllowed(name)) return [invalid(`${p.child("requests")}`, request.toString(), `must be equal to ${name} limit of ${limit.toString()}`)];
  if (order > 0) return [invalid(`${p.child("requests")}`, request.toString(), `must be less than or equal to ${name} limit of ${limit.toString()}`)];
  return [];
}

/**
 * SetDefaults_ResourceList (round up to milli precision) and Quantity's serialisation: every valid
 * quantity is rewritten in its canonical form; invalid ones are left for validation to report.
 */
export function normalizeResourceList(list: unknown): void {
  if (!isRecord(list)) return;
  for (const name in list) {
    const value = list[name];
    let canonical = typeof value === "string" ? canonicalQuantities.get(value) : undefined;
    if (canonical === undefined) {
      const q = quantityOf(value);
      if (typeof q === "string") continue;
      canonical = roundUpToMilli(q).toString();
      if (typeof value === "string") canonicalQuantities.set(value, canonical);
    }
    // Already canonical (a stored object's own, perhaps shared and frozen): nothing to write.
    if (canonical !== value) (list as JsonRecord)[name] = canonical;
  }
}

function roundUpToMilli(q: Quantity): Quantity {
  const milli = Quantity.fromMilli(q.scaledValueBig(-3), q.format);
  return milli.equals(q) ? q : milli;
}
