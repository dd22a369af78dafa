// core/v1 LimitRange: limits; SetDefaults_LimitRangeItem for containers (default from max, default
// request from default then min); item types and min ≤ defaultRequest ≤ default ≤ max validated with
// upstream's messages. Upstream has no printer for it: kubectl shows NAME and CREATED AT.
import { invalid, notSupported, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { path, type FieldPath } from "./field-path.js";
import { defaultValue, isRecord, recordAt, recordsAt, stringAt, type JsonRecord } from "./object-fields.js";
import { jsonEqual } from "../patch/json-value.js";
import { normalizeResourceList, quantityOf, validateResourceList } from "./resource-lists.js";
import type { Quantity } from "../quantity.js";

const LIMIT_TYPES = ["Container", "PersistentVolumeClaim", "Pod"];
const BOUNDS = ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"];

export function limitRangeResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "LimitRange",
    plural: "limitranges",
    singular: "limitrange",
    namespaced: true,
    shortNames: ["limits"],
    verbs: ALL_VERBS,
    defaults: (obj) => recordsAt(obj, "spec", "limits").forEach(defaultLimitRangeItem),
    validate: (obj) => recordsAt(obj, "spec", "limits").flatMap((item, i) => validateItem(item, path("spec", "limits").index(i))),
  };
}

function defaultLimitRangeItem(item: JsonRecord): void {
  for (const bound of BOUNDS) normalizeResourceList(item[bound]);
  if (item.type !== "Container") return;
  const given = recordAt(item, "default");
  const givenRequests = recordAt(item, "defaultRequest");
  const defaults: JsonRecord = { ...(given ?? {}) };
  const defaultRequests: JsonRecord = { ...(givenRequests ?? {}) };
  for (const [name, value] of Object.entries(recordAt(item, "max") ?? {})) defaultValue(defaults, name, value);
  for (const [name, value] of Object.entries(defaults)) defaultValue(defaultRequests, name, value);
  for (const [name, value] of Object.entries(recordAt(item, "min") ?? {})) defaultValue(defaultRequests, name, value);
  // Empty maps are omitted when upstream serialises the object; unchanged ones are left in place
  // (a stored object's, which a later write may share frozen).
  if (Object.keys(defaults).length > 0 && !jsonEqual(defaults, given)) item.default = defaults;
  if (Object.keys(defaultRequests).length > 0 && !jsonEqual(defaultRequests, givenRequests)) item.defaultRequest = defaultRequests;
}

function validateItem(item: JsonRecord, p: FieldPath): FieldError[] {
  const type = stringAt(item, "type") ?? "";
  const errs: FieldError[] = LIMIT_TYPES.includes(type) ? [] : [notSupported(`${p.child("type")}`, type, LIMIT_TYPES)];
  for (const bound of BOUNDS) errs.push(...validateResourceList(item[bound], p.child(bound)));
  const names = new Set(BOUNDS.flatMap((bound) => Object.keys(recordAt(item, bound) ?? {})));
  for (const name of names) errs.push(...validateOrdering(item, name, p));
  return errs;
}

/** upstream ValidateLimitRange's comparisons of min, max, default and defaultRequest for one resource. */
function validateOrdering(item: JsonRecord, name: string, p: FieldPath): FieldError[] {
  const get = (bound: string): Quantity | undefined => {
    const list = item[bound];
    const q = isRecord(list) && list[name] !== undefined ? quantityOf(list[name]) : undefined;
    return typeof q === "string" ? undefined : q;
  };
  const [min, max, def, request] = [get("min"), get("max"), get("default"), get("defaultRequest")];
  const at = (bound: string) => `${p.child(bound).key(name)}`;
  const errs: FieldError[] = [];
  if (min && max && min.cmp(max) > 0) errs.push(invalid(at("min"), min.toString(), `min value ${min} is greater than max value ${max}`));
  if (request && min && min.cmp(request) > 0) errs.push(invalid(at("defaultRequest"), request.toString(), `min value ${min} is greater than default request value ${request}`));
  if (request && max && request.cmp(max) > 0) errs.push(invalid(at("defaultRequest"), request.toString(), `default request value ${request} is greater than max value ${max}`));
  if (request && def && request.cmp(def) > 0) errs.push(invalid(at("defaultRequest"), request.toString(), `default request value ${request} is greater than default limit value ${def}`));
  if (def && min && min.cmp(def) > 0) errs.push(invalid(at("default"), min.toString(), `min value ${min} is greater than default value ${def}`));
  if (def && max && def.cmp(max) > 0) errs.push(invalid(at("default"), max.toString(), `default value ${def} is greater than max value ${max}`));
  return errs;
}

