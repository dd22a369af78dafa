// The HorizontalPodAutoscaler printer (upstream printHorizontalPodAutoscaler / formatHPAMetrics),
// on the v2 shape: REFERENCE kind/name, TARGETS "cpu: 45%/70%, 250/500 + 1 more...", MINPODS,
// MAXPODS, REPLICAS, AGE.
import type { KubeObject, TableDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { numberAt, recordAt, recordsAt, stringAt, valueAt, type JsonRecord } from "./object-fields.js";
import { ageColumn, ageOf, column, nameColumn, nameOf } from "./printing.js";
import { quantityString } from "./volume-claims.js";

export function hpaTable(toV2: (obj: KubeObject) => KubeObject): TableDef {
  const doc = (type: string, field: string) => fieldDoc(`autoscaling.v2.${type}`, field);
  return {
    columns: [
      nameColumn(), column("Reference", "string", doc("HorizontalPodAutoscalerSpec", "scaleTargetRef")), column("Targets", "string", doc("HorizontalPodAutoscalerSpec", "metrics")),
      column("MinPods", "string", doc("HorizontalPodAutoscalerSpec", "minReplicas")), column("MaxPods", "string", doc("HorizontalPodAutoscalerSpec", "maxReplicas")),
      column("Replicas", "string", doc("HorizontalPodAutoscalerStatus", "currentReplicas")), ageColumn(),
    ],
    cells: (served, now) => {
      const obj = toV2(served);
      const min = numberAt(obj, "spec", "minReplicas");
      return [
        nameOf(obj), `${stringAt(obj, "spec", "scaleTargetRef", "kind") ?? ""}/${stringAt(obj, "spec", "scaleTargetRef", "name") ?? ""}`,
        formatHPAMetrics(recordsAt(obj, "spec", "metrics"), recordsAt(obj, "status", "currentMetrics")), min === undefined ? "<unset>" : String(min),
        numberAt(obj, "spec", "maxReplicas") ?? 0, numberAt(obj, "status", "currentReplicas") ?? 0, ageOf(obj, now),
      ];
    },
  };
}

const UNKNOWN = "<unknown>";

/** upstream formatHPAMetrics: at most two targets, then "+ N more...". */
export function formatHPAMetrics(specs: JsonRecord[], statuses: JsonRecord[]): string {
  if (specs.length === 0) return "<none>";
  const list = specs.map((spec, i) => formatMetric(spec, statuses[i]));
  const shown = list.slice(0, 2).join(", ");
  return list.length > 2 ? `${shown} + ${list.length - 2} more...` : shown;
}

function formatMetric(spec: JsonRecord, status: JsonRecord | undefined): string {
  const current = (source: string, field: string): string => {
    const value = valueAt(status, source, "current", field);
    return value === undefined ? UNKNOWN : quantityString(value);
  };
  switch (spec.type) {
    case "External":
    case "Object": {
      const source = spec.type === "External" ? "external" : "object";
      const average = valueAt(spec, source, "target", "averageValue");
      if (average !== undefined) return `${current(source, "averageValue")}/${quantityString(average)} (avg)`;
      return `${current(source, "value")}/${quantityString(valueAt(spec, source, "target", "value"), "0")}`;
    }
    case "Pods":
      return `${current("pods", "averageValue")}/${quantityString(valueAt(spec, "pods", "target", "averageValue"), "0")}`;
    case "Resource":
      return formatResourceMetric(recordAt(spec, "resource"), recordAt(status, "resource"));
    case "ContainerResource":
      return formatResourceMetric(recordAt(spec, "containerResource"), recordAt(status, "containerResource"));
    default:
      return "<unknown type>";
  }
}

function formatResourceMetric(source: JsonRecord | undefined, status: JsonRecord | undefined): string {
  const name = stringAt(source, "name") ?? "";
  const average = valueAt(source, "target", "averageValue");
  if (average !== undefined) {
    const current = valueAt(status, "current", "averageValue");
    return `${name}: ${current === undefined ? UNKNOWN : quantityString(current)}/${quantityString(average)}`;
  }
  const currentUtilization = numberAt(status, "current", "averageUtilization");
  const targetUtilization = numberAt(source, "target", "averageUtilization");
  return `${name}: ${currentUtilization === undefined ? UNKNOWN : `${currentUtilization}%`}/${targetUtilization === undefined ? "<auto>" : `${targetUtilization}%`}`;
}
