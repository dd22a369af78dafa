// events.k8s.io/v1 Event ⇄ core/v1 Event, as upstream's pkg/apis/events/v1 conversion: both are one
// stored resource ("events", stored as core/v1). regarding ⇄ involvedObject, note ⇄ message,
// reportingController ⇄ reportingComponent, deprecatedSource/FirstTimestamp/LastTimestamp/Count ⇄
// source/firstTimestamp/lastTimestamp/count; everything else has the same name in both.
import type { KubeObject } from "../resource.js";

/** [events.k8s.io/v1 field, core/v1 field] for the fields whose names differ. */
const RENAMED: ReadonlyArray<[string, string]> = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["reportingController", "reportingComponent"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
];

const SHARED = ["metadata", "eventTime", "series", "reportingInstance", "action", "reason", "related", "type"];

/** events.k8s.io/v1 → core/v1 (the storage version). */
export function eventsV1ToCore(obj: KubeObject): KubeObject {
  return convert(obj, "v1", RENAMED);
}

/** core/v1 → events.k8s.io/v1. */
export function coreToEventsV1(obj: KubeObject): KubeObject {
  return convert(obj, "events.k8s.io/v1", RENAMED.map(([v1, core]) => [core, v1]));
}

function convert(obj: KubeObject, apiVersion: string, renames: ReadonlyArray<[string, string]>): KubeObject {
  const out: KubeObject = { apiVersion, kind: "Event" };
  for (const field of SHARED) if (obj[field] !== undefined) out[field] = structuredClone(obj[field]);
  for (const [from, to] of renames) if (obj[from] !== undefined) out[to] = structuredClone(obj[from]);
  return out;
}
