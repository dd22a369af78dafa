// autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (the storage version), as upstream's
// pkg/apis/autoscaling/v1 conversion: v1's targetCPUUtilizationPercentage is the v2 Resource cpu
// Utilization metric; everything v1 cannot express travels in annotations (other metrics, current
// metrics, conditions, behavior) so a v1 client's read-modify-write keeps it. As upstream, metrics
// from the annotation come first and the cpu metric last when converting back to v2.
import type { KubeObject } from "../resource.js";
import { isCPUUtilizationMetric, isRecordList, metricSpecFromV1, metricSpecToV1, metricStatusFromV1, metricStatusToV1 } from "./hpa-metrics.js";
import { isRecord, numberAt, recordAt, recordsAt, valueAt, type JsonRecord } from "./object-fields.js";

export const METRIC_SPECS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const METRIC_STATUSES_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
export const CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
export const BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";
const ROUND_TRIP_ANNOTATIONS = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];

/** autoscaling/v2 (stored) → autoscaling/v1. */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const spec = recordAt(obj, "spec") ?? {};
  const status = recordAt(obj, "status") ?? {};
  const annotations = withoutRoundTripAnnotations(obj);
  const otherMetrics = recordsAt(spec, "metrics").filter((m) => !isCPUUtilizationMetric(m)).map(metricSpecToV1);
  if (otherMetrics.length > 0) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(otherMetrics);
  const currentMetrics = recordsAt(status, "currentMetrics").map(metricStatusToV1);
  if (currentMetrics.length > 0) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(currentMetrics);
  if (isRecord(spec.behavior)) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(goFieldNames(spec.behavior));
  const conditions = recordsAt(status, "conditions").map(conditionToV1);
  if (conditions.length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(conditions);
  const cpu = recordsAt(spec, "metrics").find(isCPUUtilizationMetric);
  const currentCPU = recordsAt(status, "currentMetrics").filter((m) => m.type === "Resource" && valueAt(m, "resource", "name") === "cpu");
  return withMeta(obj, "autoscaling/v1", annotations, {
    spec: compact({
      scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas ?? 0,
      targetCPUUtilizationPercentage: cpu ? numberAt(cpu, "resource", "target", "averageUtilization") : undefined,
    }),
    status: compact({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: currentCPU.map((m) => numberAt(m, "resource", "current", "averageUtilization")).filter((v) => v !== undefined).pop(),
    }),
  });
}

/** autoscaling/v1 → autoscaling/v2 (stored). */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const spec = recordAt(obj, "spec") ?? {};
  const status = recordAt(obj, "status") ?? {};
  const annotations = obj.metadata?.annotations ?? {};
  const metrics = parseList(annotations[METRIC_SPECS_ANNOTATION])?.map(metricSpecFromV1) ?? [];
  const cpu = numberAt(spec, "targetCPUUtilizationPercentage");
  if (cpu !== undefined) metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } } });
  const behavior = parseRecord(annotations[BEHAVIOR_ANNOTATION]);
  const currentCPU = numberAt(status, "currentCPUUtilizationPercentage");
  const currentMetrics = parseList(annotations[METRIC_STATUSES_ANNOTATION])?.map(metricStatusFromV1)
    ?? (currentCPU !== undefined ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: currentCPU } } }] : undefined);
  return withMeta(obj, "autoscaling/v2", withoutRoundTripAnnotations(obj), {
    spec: compact({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics: metrics.length > 0 ? metrics : undefined, behavior: behavior ? jsonFieldNames(behavior) : undefined }),
    status: compact({
      observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas || undefined,
      desiredReplicas: status.desiredReplicas ?? 0, currentMetrics, conditions: parseList(annotations[CONDITIONS_ANNOTATION]),
    }),
  });
}

function withMeta(obj: KubeObject, apiVersion: string, annotations: Record<string, string>, body: { spec: JsonRecord; status: JsonRecord }): KubeObject {
  const metadata = structuredClone(obj.metadata ?? {});
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: KubeObject = { apiVersion, kind: "HorizontalPodAutoscaler", metadata, spec: structuredClone(body.spec) };
  if (obj.status !== undefined) out.status = structuredClone(body.status);
  return out;
}

function withoutRoundTripAnnotations(obj: KubeObject): Record<string, string> {
  const annotations = { ...(obj.metadata?.annotations ?? {}) };
  for (const key of ROUND_TRIP_ANNOTATIONS) delete annotations[key];
  return annotations;
}

function compact(record: JsonRecord): JsonRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** A JSON list from an annotation; undefined when absent or malformed (upstream ignores those). */
function parseList(text: string | undefined): JsonRecord[] | undefined {
  const parsed = parseJSON(text);
  return isRecordList(parsed) ? parsed : undefined;
}

function parseRecord(text: string | undefined): JsonRecord | undefined {
  const parsed = parseJSON(text);
  return isRecord(parsed) ? parsed : undefined;
}

function parseJSON(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function conditionToV1(condition: JsonRecord): JsonRecord {
  return compact({ type: condition.type, status: condition.status, lastTransitionTime: condition.lastTransitionTime ?? null, reason: condition.reason, message: condition.message });
}

/**
 * Upstream marshals the internal Behavior type, which has no JSON tags: keys are Go field names
 * ("ScaleUp", "StabilizationWindowSeconds") and unset pointers are null.
 */
function goFieldNames(behavior: JsonRecord): JsonRecord {
  const rules = (r: unknown): JsonRecord | null => {
    if (!isRecord(r)) return null;
    return {
      StabilizationWindowSeconds: r.stabilizationWindowSeconds ?? null,
      SelectPolicy: r.selectPolicy ?? null,
      Policies: recordsAt(r, "policies").map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })),
    };
  };
  return { ScaleUp: rules(behavior.scaleUp), ScaleDown: rules(behavior.scaleDown) };
}

function jsonFieldNames(behavior: JsonRecord): JsonRecord {
  const rules = (r: unknown): JsonRecord | undefined => {
    if (!isRecord(r)) return undefined;
    return compact({
      stabilizationWindowSeconds: r.StabilizationWindowSeconds ?? undefined,
      selectPolicy: r.SelectPolicy ?? undefined,
      policies: recordsAt(r, "Policies").map((p) => ({ type: p.Type, value: p.Value, periodSeconds: p.PeriodSeconds })),
    });
  };
  return compact({ scaleUp: rules(behavior.ScaleUp), scaleDown: rules(behavior.ScaleDown) });
}
