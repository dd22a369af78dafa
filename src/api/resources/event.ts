// core/v1 Event: ev, one storage resource with events.k8s.io/v1; upstream's legacy event validation
// (namespaces must agree; new-style events need reporting fields), the event printer (LAST SEEN
// TYPE REASON OBJECT MESSAGE) and the involvedObject.* / reason / source / type field selectors
// `kubectl describe` lists events by.
import type { KubeObject, ValidationContext } from "../resource.js";
import { invalid, required, type FieldError } from "../validation/field-errors.js";
import { isDNS1123Subdomain, isQualifiedName } from "../validation/names.js";
import { ALL_VERBS, type ResourceDef } from "../resource.js";
import { fieldDoc } from "./column-docs.js";
import { sinceTimestamp } from "./duration.js";
import { numberAt, recordAt, stringAt } from "./object-fields.js";
import { column, nameOf, nameColumn, wideColumn } from "./printing.js";
import { stringField } from "./selectable-fields.js";

export const REPORTING_INSTANCE_LIMIT = 128;
export const ACTION_LIMIT = 128;
export const REASON_LIMIT = 128;
export const NOTE_LIMIT = 1024;

export function eventResource(): ResourceDef {
  return {
    group: "",
    version: "v1",
    kind: "Event",
    plural: "events",
    singular: "event",
    namespaced: true,
    shortNames: ["ev"],
    verbs: ALL_VERBS,
    validate: (obj, context) => (context.old ? [] : validateCoreEvent(obj, context)),
    table: { columns: eventColumns(), cells: eventCells },
    fieldSelectors: coreEventFieldSelectors(),
  };
}

export function coreEventFieldSelectors(): Record<string, (obj: KubeObject) => string> {
  const selectors: Record<string, (obj: KubeObject) => string> = {};
  for (const field of ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]) selectors[`involvedObject.${field}`] = stringField("involvedObject", field);
  selectors.reason = stringField("reason");
  selectors.reportingComponent = stringField("reportingComponent");
  selectors.source = (obj) => stringAt(obj, "source", "component") || (stringAt(obj, "reportingComponent") ?? "");
  selectors.type = stringField("type");
  return selectors;
}

/** upstream legacyValidateEvent, on the core/v1 shape. */
export function validateCoreEvent(obj: KubeObject, _context: ValidationContext, reportingField = "reportingComponent"): FieldError[] {
  const namespace = obj.metadata?.namespace ?? "";
  const involvedNamespace = stringAt(obj, "involvedObject", "namespace") ?? "";
  const errs: FieldError[] = [];
  if (!stringAt(obj, "eventTime")) {
    const mismatch = involvedNamespace === "" ? namespace !== "" && namespace !== "default" : namespace !== involvedNamespace;
    if (mismatch) errs.push(invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace"));
  } else {
    if (involvedNamespace === "" && namespace !== "default" && namespace !== "kube-system") errs.push(invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace"));
    errs.push(...validateNewStyleFields(obj, reportingField));
  }
  errs.push(...isDNS1123Subdomain(namespace).map((msg) => invalid("namespace", namespace, msg)));
  return errs;
}

function validateNewStyleFields(obj: KubeObject, reportingField: string): FieldError[] {
  const errs: FieldError[] = [];
  const controller = stringAt(obj, "reportingComponent") ?? "";
  if (controller === "") errs.push(required(reportingField));
  errs.push(...isQualifiedName(controller).map((msg) => invalid(reportingField, controller, msg)));
  errs.push(...limited(obj, "reportingInstance", REPORTING_INSTANCE_LIMIT, true), ...limited(obj, "action", ACTION_LIMIT, true), ...limited(obj, "reason", REASON_LIMIT, true));
  errs.push(...limited(obj, "message", NOTE_LIMIT, false));
  return errs;
}

function limited(obj: KubeObject, field: string, limit: number, isRequired: boolean): FieldError[] {
  const value = stringAt(obj, field) ?? "";
  if (value === "" && isRequired) return [required(field)];
  return value.length > limit ? [invalid(field, "", `can have at most ${limit} characters`)] : [];
}

export function eventColumns() {
  const doc = (field: string) => fieldDoc("core.v1.Event", field);
  return [
    column("Last Seen", "string", doc("lastTimestamp")),
    column("Type", "string", doc("type")),
    column("Reason", "string", doc("reason")),
    column("Object", "string", doc("involvedObject")),
    wideColumn("Subobject", "string", fieldDoc("core.v1.ObjectReference", "fieldPath")),
    wideColumn("Source", "string", doc("source")),
    column("Message", "string", doc("message")),
    wideColumn("First Seen", "string", doc("firstTimestamp")),
    wideColumn("Count", "string", doc("count")),
    { ...nameColumn(), priority: 1 },
  ];
}

/** upstream printEvent (wide cells included, as the server always prints them). */
export function eventCells(obj: KubeObject, now: Date): unknown[] {
  const firstSeen = stringAt(obj, "firstTimestamp") ? sinceTimestamp(stringAt(obj, "firstTimestamp"), now) : sinceTimestamp(stringAt(obj, "eventTime"), now);
  let lastSeen = stringAt(obj, "lastTimestamp") ? sinceTimestamp(stringAt(obj, "lastTimestamp"), now) : firstSeen;
  let count = numberAt(obj, "count") ?? 0;
  const series = recordAt(obj, "series");
  if (series) {
    lastSeen = sinceTimestamp(stringAt(series, "lastObservedTime"), now);
    count = numberAt(series, "count") ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const kind = (stringAt(obj, "involvedObject", "kind") ?? "").toLowerCase();
  const involvedName = stringAt(obj, "involvedObject", "name") ?? "";
  const target = involvedName ? `${kind}/${involvedName}` : kind;
  const source = [stringAt(obj, "source", "component") || stringAt(obj, "reportingComponent") || "", stringAt(obj, "source", "host") || stringAt(obj, "reportingInstance") || ""];
  return [
    lastSeen, stringAt(obj, "type") ?? "", stringAt(obj, "reason") ?? "", target, stringAt(obj, "involvedObject", "fieldPath") ?? "",
    source[1] ? `${source[0]}, ${source[1]}` : source[0], (stringAt(obj, "message") ?? "").trim(), firstSeen, count, nameOf(obj),
  ];
}
