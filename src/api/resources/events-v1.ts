// events.k8s.io/v1 Event: the same objects as core/v1 events (storage resource "events", stored as
// core/v1, converted both ways); ev; strict validation for events written through this API as
// upstream's ValidateEventCreate for events.k8s.io (eventTime, type, reporting fields; no
// deprecated fields); field selectors named after this version's fields.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { coreEventFieldSelectors, eventCells, eventColumns, validateCoreEvent } from "./event.js";
import { coreToEventsV1, eventsV1ToCore } from "./event-conversion.js";
import { isRecord, numberAt, recordAt, stringAt } from "./object-fields.js";

/** events.k8s.io field → the core/v1 field selector it stands for (upstream's field label conversion). */
const SELECTOR_FIELDS: Record<string, string> = {
  reason: "reason",
  "regarding.kind": "involvedObject.kind",
  "regarding.namespace": "involvedObject.namespace",
  "regarding.name": "involvedObject.name",
  "regarding.uid": "involvedObject.uid",
  "regarding.apiVersion": "involvedObject.apiVersion",
  "regarding.resourceVersion": "involvedObject.resourceVersion",
  "regarding.fieldPath": "involvedObject.fieldPath",
  reportingController: "reportingComponent",
  type: "type",
};

export function eventsV1Resource(): ResourceDef {
  return {
    group: "events.k8s.io",
    version: "v1",
    kind: "Event",
    plural: "events",
    singular: "event",
    namespaced: true,
    shortNames: ["ev"],
    verbs: ALL_VERBS,
    storageResource: "events",
    conversion: { storageVersion: "v1", toStorage: eventsV1ToCore, fromStorage: coreToEventsV1 },
    validate: (obj, context) => (context.old ? [] : validateEventsV1(obj, context)),
    table: { columns: eventColumns(), cells: (obj, now) => eventCells(asCore(obj), now) },
    fieldSelectors: eventsV1FieldSelectors(),
  };
}

/** Selectors read either shape: the object may be in this version or in the stored core/v1 form. */
function eventsV1FieldSelectors(): Record<string, (obj: KubeObject) => string> {
  const core = coreEventFieldSelectors();
  const selectors: Record<string, (obj: KubeObject) => string> = {};
  for (const [field, coreField] of Object.entries(SELECTOR_FIELDS)) {
    const read = core[coreField];
    if (read) selectors[field] = (obj) => read(asCore(obj));
  }
  return selectors;
}

function asCore(obj: KubeObject): KubeObject {
  return obj.apiVersion === "events.k8s.io/v1" || isRecord(obj.regarding) ? eventsV1ToCore(obj) : obj;
}

/** The strict rules for events created through events.k8s.io (on the core shape, with upstream's field names). */
function validateEventsV1(obj: KubeObject, context: ValidationContext): FieldError[] {
  const core = asCore(obj);
  const errs = validateCoreEvent(core, context, "reportingController");
  if (!stringAt(core, "eventTime")) errs.push(required("eventTime"));
  const type = stringAt(core, "type") ?? "";
  if (type !== "Normal" && type !== "Warning") errs.push(invalid("type", "", `has invalid value: ${type}`));
  for (const field of ["firstTimestamp", "lastTimestamp"]) if (stringAt(core, field)) errs.push(invalid(field, "", "needs to be unset"));
  if ((numberAt(core, "count") ?? 0) !== 0) errs.push(invalid("count", "", "needs to be unset"));
  if (stringAt(core, "source", "component") || stringAt(core, "source", "host")) errs.push(invalid("source", "", "needs to be unset"));
  const series = recordAt(core, "series");
  if (series && (numberAt(series, "count") ?? 0) < 2) errs.push(invalid("series.count", "", "should be at least 2"));
  return errs;
}
