// HorizontalPodAutoscaler metric specs and statuses in autoscaling/v1's annotation format
// (v2beta1-style: metricName, targetAverageValue...) ⇄ autoscaling/v2's (metric, target, current),
// field for field as upstream's pkg/apis/autoscaling/v1 conversion functions. Keys are built in Go
// struct order so the annotations read like upstream's json.Marshal output.
import { isRecord, numberAt, recordAt, stringAt, valueAt, type JsonRecord } from "./object-fields.js";

const SOURCES = ["object", "pods", "resource", "containerResource", "external"] as const;

/** Drops undefined values (Go's omitempty on pointers) while keeping key order. */
function compact(record: JsonRecord): JsonRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A required (non-pointer) v1 quantity: Go serialises the zero value as "0". */
const requiredQuantity = (value: unknown): unknown => value ?? "0";

function reference(ref: unknown): JsonRecord {
  return compact({ kind: stringAt(ref, "kind") ?? "", name: stringAt(ref, "name") ?? "", apiVersion: stringAt(ref, "apiVersion") || undefined });
}

// ---- specs -------------------------------------------------------------------------------------

export function metricSpecToV1(spec: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: spec.type };
  for (const source of SOURCES) {
    const value = recordAt(spec, source);
    if (value) out[source] = SPEC_TO_V1[source](value);
  }
  return out;
}

export function metricSpecFromV1(spec: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: spec.type };
  for (const source of SOURCES) {
    const value = recordAt(spec, source);
    if (value) out[source] = SPEC_FROM_V1[source](value);
  }
  return out;
}

const SPEC_TO_V1: Record<(typeof SOURCES)[number], (s: JsonRecord) => JsonRecord> = {
  object: (s) => compact({
    target: reference(s.describedObject), metricName: stringAt(s, "metric", "name") ?? "", targetValue: requiredQuantity(valueAt(s, "target", "value")),
    selector: valueAt(s, "metric", "selector"), averageValue: valueAt(s, "target", "averageValue"),
  }),
  pods: (s) => compact({ metricName: stringAt(s, "metric", "name") ?? "", targetAverageValue: requiredQuantity(valueAt(s, "target", "averageValue")), selector: valueAt(s, "metric", "selector") }),
  resource: (s) => compact({ name: s.name, targetAverageUtilization: valueAt(s, "target", "averageUtilization"), targetAverageValue: valueAt(s, "target", "averageValue") }),
  containerResource: (s) => compact({
    name: s.name, targetAverageUtilization: valueAt(s, "target", "averageUtilization"), targetAverageValue: valueAt(s, "target", "averageValue"), container: s.container ?? "",
  }),
  external: (s) => compact({
    metricName: stringAt(s, "metric", "name") ?? "", metricSelector: valueAt(s, "metric", "selector"), targetValue: valueAt(s, "target", "value"),
    targetAverageValue: valueAt(s, "target", "averageValue"),
  }),
};

const metric = (name: unknown, selector: unknown): JsonRecord => compact({ name: name ?? "", selector });

const SPEC_FROM_V1: Record<(typeof SOURCES)[number], (s: JsonRecord) => JsonRecord> = {
  object: (s) => ({
    describedObject: reference(s.target), target: compact({ type: s.averageValue === undefined ? "Value" : "AverageValue", value: requiredQuantity(s.targetValue), averageValue: s.averageValue }),
    metric: metric(s.metricName, s.selector),
  }),
  pods: (s) => ({ metric: metric(s.metricName, s.selector), target: { type: "AverageValue", averageValue: requiredQuantity(s.targetAverageValue) } }),
  resource: (s) => ({ name: s.name, target: resourceTarget(s) }),
  containerResource: (s) => ({ name: s.name, target: resourceTarget(s), container: s.container ?? "" }),
  external: (s) => ({
    metric: metric(s.metricName, s.metricSelector),
    target: compact({ type: s.targetValue === undefined ? "AverageValue" : "Value", value: s.targetValue, averageValue: s.targetAverageValue }),
  }),
};

function resourceTarget(s: JsonRecord): JsonRecord {
  const utilization = s.targetAverageUtilization;
  return compact({ type: utilization === undefined ? "AverageValue" : "Utilization", averageValue: s.targetAverageValue, averageUtilization: utilization });
}

// ---- statuses ----------------------------------------------------------------------------------

export function metricStatusToV1(status: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: status.type };
  for (const source of SOURCES) {
    const value = recordAt(status, source);
    if (value) out[source] = STATUS_TO_V1[source](value);
  }
  return out;
}

export function metricStatusFromV1(status: JsonRecord): JsonRecord {
  const out: JsonRecord = { type: status.type };
  for (const source of SOURCES) {
    const value = recordAt(status, source);
    if (value) out[source] = STATUS_FROM_V1[source](value);
  }
  return out;
}

const STATUS_TO_V1: Record<(typeof SOURCES)[number], (s: JsonRecord) => JsonRecord> = {
  object: (s) => compact({
    target: reference(s.describedObject), metricName: stringAt(s, "metric", "name") ?? "", currentValue: requiredQuantity(valueAt(s, "current", "value")),
    selector: valueAt(s, "metric", "selector"), averageValue: valueAt(s, "current", "averageValue"),
  }),
  pods: (s) => compact({ metricName: stringAt(s, "metric", "name") ?? "", currentAverageValue: requiredQuantity(valueAt(s, "current", "averageValue")), selector: valueAt(s, "metric", "selector") }),
  resource: (s) => compact({ name: s.name, currentAverageUtilization: valueAt(s, "current", "averageUtilization"), currentAverageValue: requiredQuantity(valueAt(s, "current", "averageValue")) }),
  containerResource: (s) => compact({
    name: s.name, currentAverageUtilization: valueAt(s, "current", "averageUtilization"), currentAverageValue: requiredQuantity(valueAt(s, "current", "averageValue")),
    container: s.container ?? "",
  }),
  external: (s) => compact({
    metricName: stringAt(s, "metric", "name") ?? "", metricSelector: valueAt(s, "metric", "selector"), currentValue: requiredQuantity(valueAt(s, "current", "value")),
    currentAverageValue: valueAt(s, "current", "averageValue"),
  }),
};

const STATUS_FROM_V1: Record<(typeof SOURCES)[number], (s: JsonRecord) => JsonRecord> = {
  object: (s) => ({ metric: metric(s.metricName, s.selector), current: compact({ value: requiredQuantity(s.currentValue), averageValue: s.averageValue }), describedObject: reference(s.target) }),
  pods: (s) => ({ metric: metric(s.metricName, s.selector), current: { averageValue: requiredQuantity(s.currentAverageValue) } }),
  resource: (s) => ({ name: s.name, current: compact({ averageValue: requiredQuantity(s.currentAverageValue), averageUtilization: s.currentAverageUtilization }) }),
  containerResource: (s) => ({
    name: s.name, current: compact({ averageValue: requiredQuantity(s.currentAverageValue), averageUtilization: s.currentAverageUtilization }), container: s.container ?? "",
  }),
  external: (s) => ({ metric: metric(s.metricName, s.metricSelector), current: compact({ value: requiredQuantity(s.currentValue), averageValue: s.currentAverageValue }) }),
};

/** The Resource cpu metric with a utilization target: the one autoscaling/v1 has a field for. */
export function isCPUUtilizationMetric(spec: JsonRecord): boolean {
  return spec.type === "Resource" && stringAt(spec, "resource", "name") === "cpu" && numberAt(spec, "resource", "target", "averageUtilization") !== undefined;
}

export function isRecordList(value: unknown): value is JsonRecord[] {
  return Array.isArray(value) && value.every(isRecord);
}
