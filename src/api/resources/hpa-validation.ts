// HorizontalPodAutoscaler validation as upstream's autoscaling validation (v1.32), on the v2 shape:
// replica bounds, the scale target reference, each metric (one source matching its type, a usable
// target) and the scaling behavior.
import { forbiddenField, invalid, notSupported, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Label, isValidPathSegmentName } from "../validation/names.js";
import { path, type FieldPath } from "./field-path.js";
import { isRecord, numberAt, recordAt, recordsAt, stringAt, valueAt, type JsonRecord } from "./object-fields.js";
import { quantityOf } from "./resource-lists.js";

const METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const SOURCE_OF: Record<string, string> = { Object: "object", Pods: "pods", Resource: "resource", ContainerResource: "containerResource", External: "external" };

export function validateHPASpec(spec: JsonRecord): FieldError[] {
  const p = path("spec");
  const errs: FieldError[] = [];
  const min = numberAt(spec, "minReplicas");
  const max = numberAt(spec, "maxReplicas") ?? 0;
  if (min !== undefined && min < 1) errs.push(invalid(`${p.child("minReplicas")}`, min, "must be greater than or equal to 1"));
  if (max < 1) errs.push(invalid(`${p.child("maxReplicas")}`, max, "must be greater than 0"));
  if (min !== undefined && max < min) errs.push(invalid(`${p.child("maxReplicas")}`, max, "must be greater than or equal to `minReplicas`"));
  errs.push(...validateReference(recordAt(spec, "scaleTargetRef"), p.child("scaleTargetRef")));
  recordsAt(spec, "metrics").forEach((metric, i) => errs.push(...validateMetric(metric, p.child("metrics").index(i))));
  const behavior = recordAt(spec, "behavior");
  if (behavior) errs.push(...validateRules(recordAt(behavior, "scaleUp"), p.child("behavior", "scaleUp")), ...validateRules(recordAt(behavior, "scaleDown"), p.child("behavior", "scaleDown")));
  return errs;
}

/** ValidateCrossVersionObjectReference: kind and name required, both path segments. */
function validateReference(ref: JsonRecord | undefined, p: FieldPath): FieldError[] {
  return ["kind", "name"].flatMap((field) => {
    const value = stringAt(ref, field) ?? "";
    if (value === "") return [required(`${p.child(field)}`)];
    return isValidPathSegmentName(value).map((msg) => invalid(`${p.child(field)}`, value, msg));
  });
}

function validateMetric(metric: JsonRecord, p: FieldPath): FieldError[] {
  const type = stringAt(metric, "type") ?? "";
  const errs: FieldError[] = [];
  if (type === "") errs.push(required(`${p.child("type")}`, "must specify a metric source type"));
  if (!METRIC_TYPES.includes(type)) errs.push(notSupported(`${p.child("type")}`, type, METRIC_TYPES));
  const present = Object.values(SOURCE_OF).filter((source) => isRecord(metric[source]));
  const expected = SOURCE_OF[type];
  if (expected && !isRecord(metric[expected])) errs.push(required(`${p.child(expected)}`, "must populate information for the given metric source"));
  if (present.length === 1 && present[0]) errs.push(...validateSource(present[0], recordAt(metric, present[0]) ?? {}, p.child(present[0])));
  if (present.length !== 1) for (const source of present.filter((s) => s !== expected)) errs.push(forbiddenField(`${p.child(source)}`, "must populate the given metric source only"));
  return errs;
}

function validateSource(kind: string, source: JsonRecord, p: FieldPath): FieldError[] {
  const target = recordAt(source, "target") ?? {};
  const at = (field: string) => `${p.child("target", field)}`;
  switch (kind) {
    case "resource":
    case "containerResource":
      return validateResourceSource(kind, source, target, p);
    case "pods":
      return [...validateIdentifier(source, p), ...validateTarget(target, p.child("target")), ...(target.averageValue === undefined ? [required(at("averageValue"), "must specify a positive target averageValue")] : [])];
    case "object":
      return [
        ...validateReference(recordAt(source, "describedObject"), p.child("describedObject")), ...validateIdentifier(source, p), ...validateTarget(target, p.child("target")),
        ...(target.value === undefined && target.averageValue === undefined ? [required(at("averageValue"), "must set either a target value or averageValue")] : []),
      ];
    default:
      return [
        ...validateIdentifier(source, p), ...validateTarget(target, p.child("target")),
        ...(target.value === undefined && target.averageValue === undefined ? [required(at("averageValue"), "must set either a target value for metric or a per-pod target")] : []),
        ...(target.value !== undefined && target.averageValue !== undefined ? [forbiddenField(at("value"), "may not set both a target value for metric and a per-pod target")] : []),
      ];
  }
}

function validateResourceSource(kind: string, source: JsonRecord, target: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!stringAt(source, "name")) errs.push(required(`${p.child("name")}`, "must specify a resource name"));
  if (kind === "containerResource") {
    const container = stringAt(source, "container") ?? "";
    if (container === "") errs.push(required(`${p.child("container")}`, "must specify a container"));
    else errs.push(...isDNS1123Label(container).map((msg) => invalid(`${p.child("container")}`, container, msg)));
  }
  errs.push(...validateTarget(target, p.child("target")));
  if (target.averageUtilization === undefined && target.averageValue === undefined) errs.push(required(`${p.child("target", "averageUtilization")}`, "must set either a target raw value or a target utilization"));
  if (target.averageUtilization !== undefined && target.averageValue !== undefined) errs.push(forbiddenField(`${p.child("target", "averageValue")}`, "may not set both a target raw value and a target utilization"));
  return errs;
}

function validateIdentifier(source: JsonRecord, p: FieldPath): FieldError[] {
  const name = stringAt(source, "metric", "name") ?? "";
  if (name === "") return [required(`${p.child("metric", "name")}`, "must specify a metric name")];
  return isValidPathSegmentName(name).map((msg) => invalid(`${p.child("metric", "name")}`, name, msg));
}

/** upstream validateMetricTarget. */
function validateTarget(target: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = stringAt(target, "type") ?? "";
  if (type === "") errs.push(required(`${p.child("type")}`, "must specify a metric target type"));
  if (type !== "Utilization" && type !== "Value" && type !== "AverageValue") errs.push(invalid(`${p.child("type")}`, type, "must be either Utilization, Value, or AverageValue"));
  for (const field of ["value", "averageValue"]) {
    if (target[field] === undefined) continue;
    const q = quantityOf(target[field]);
    if (typeof q === "string" || q.sign() !== 1) errs.push(invalid(`${p.child(field)}`, target[field], "must be positive"));
  }
  const utilization = numberAt(target, "averageUtilization");
  if (utilization !== undefined && utilization < 1) errs.push(invalid(`${p.child("averageUtilization")}`, utilization, "must be greater than 0"));
  return errs;
}

const SELECT_POLICIES = ["Disabled", "Max", "Min"];

/** upstream validateScalingRules. */
function validateRules(rules: JsonRecord | undefined, p: FieldPath): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const window = numberAt(rules, "stabilizationWindowSeconds");
  if (window !== undefined && window < 0) errs.push(invalid(`${p.child("stabilizationWindowSeconds")}`, window, "must be greater than or equal to zero"));
  if (window !== undefined && window > 3600) errs.push(invalid(`${p.child("stabilizationWindowSeconds")}`, window, "must be less than or equal to 3600"));
  const select = valueAt(rules, "selectPolicy");
  if (select !== undefined && !SELECT_POLICIES.includes(String(select))) errs.push(notSupported(`${p.child("selectPolicy")}`, select, SELECT_POLICIES));
  const policies = recordsAt(rules, "policies");
  if (policies.length === 0) errs.push(required(`${p.child("policies")}`, "must specify at least one Policy"));
  policies.forEach((policy, i) => errs.push(...validatePolicy(policy, p.child("policies").index(i))));
  return errs;
}

function validatePolicy(policy: JsonRecord, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = stringAt(policy, "type") ?? "";
  if (type !== "Pods" && type !== "Percent") errs.push(notSupported(`${p.child("type")}`, type, ["Percent", "Pods"]));
  const value = numberAt(policy, "value") ?? 0;
  if (value <= 0) errs.push(invalid(`${p.child("value")}`, value, "must be greater than zero"));
  const period = numberAt(policy, "periodSeconds") ?? 0;
  if (period <= 0) errs.push(invalid(`${p.child("periodSeconds")}`, period, "must be greater than zero"));
  if (period > 1800) errs.push(invalid(`${p.child("periodSeconds")}`, period, "must be less than or equal to 1800"));
  return errs;
}
