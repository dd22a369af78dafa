// What a Pod update may change in spec (upstream ValidatePodUpdate, v1.32): container and init
// container images, activeDeadlineSeconds (set, or lowered), added tolerations, removed
// schedulingGates, and terminationGracePeriodSeconds from negative to 1. Anything else is
// refused with upstream's Forbidden message.
import { forbiddenField, invalid, type FieldError } from "../validation/field-errors.js";
import { path } from "./field-path.js";
import { inclusiveRangeError } from "./formats.js";
import { isRecord, jsonEqual, numberAt, recordAt, recordsAt, type JsonRecord } from "./object-fields.js";

const UPDATABLE_FIELDS = [
  "`spec.containers[*].image`",
  "`spec.initContainers[*].image`",
  "`spec.activeDeadlineSeconds`",
  "`spec.tolerations` (only additions to existing tolerations)",
  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
].join(",");

export function validatePodSpecUpdate(newSpec: JsonRecord, oldSpec: JsonRecord): FieldError[] {
  const deadlineErrors = validateDeadlineUpdate(numberAt(newSpec, "activeDeadlineSeconds"), numberAt(oldSpec, "activeDeadlineSeconds"));
  const tolerationErrors = validateOnlyAddedTolerations(recordsAt(newSpec, "tolerations"), recordsAt(oldSpec, "tolerations"));
  if (deadlineErrors.length > 0) return deadlineErrors;
  if (jsonEqual(newSpec, oldSpec)) return tolerationErrors;
  if (!jsonEqual(mungedSpec(newSpec, oldSpec), oldSpec)) tolerationErrors.push(forbiddenField("spec", `pod updates may not change fields other than ${UPDATABLE_FIELDS}`));
  return tolerationErrors;
}

function validateDeadlineUpdate(next: number | undefined, previous: number | undefined): FieldError[] {
  const p = `${path("spec", "activeDeadlineSeconds")}`;
  if (next === undefined) return previous === undefined ? [] : [invalid(p, null, "must not update from a positive integer to nil value")];
  if (next < 0 || next > 2147483647) return [invalid(p, next, inclusiveRangeError(0, 2147483647))];
  if (previous !== undefined && previous < next) return [invalid(p, next, "must be less than or equal to previous value")];
  return [];
}

function validateOnlyAddedTolerations(next: JsonRecord[], previous: JsonRecord[]): FieldError[] {
  const kept = previous.every((old) => next.some((t) => jsonEqual(withoutSeconds(t), withoutSeconds(old))));
  return kept ? [] : [forbiddenField(`${path("spec", "tolerations")}`, "existing toleration can not be modified except its tolerationSeconds")];
}

function withoutSeconds(toleration: JsonRecord): JsonRecord {
  const { tolerationSeconds: _seconds, ...rest } = toleration;
  return rest;
}

/** The new spec with every updatable field taken from the old one (upstream's munging before DeepEqual). */
function mungedSpec(newSpec: JsonRecord, oldSpec: JsonRecord): JsonRecord {
  const munged = structuredClone(newSpec);
  for (const list of ["containers", "initContainers"]) copyImages(munged, oldSpec, list);
  copyField(munged, oldSpec, "activeDeadlineSeconds");
  copyField(munged, oldSpec, "tolerations");
  copyField(munged, oldSpec, "schedulingGates");
  const oldGrace = numberAt(oldSpec, "terminationGracePeriodSeconds");
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  return munged;
}

function copyImages(munged: JsonRecord, oldSpec: JsonRecord, list: string): void {
  const next = recordsAt(munged, list);
  const previous = recordsAt(oldSpec, list);
  if (next.length !== previous.length) return;
  next.forEach((container, i) => {
    const old = previous[i];
    if (old && "image" in old) container.image = old.image;
    else delete container.image;
  });
}

function copyField(munged: JsonRecord, oldSpec: JsonRecord, field: string): void {
  if (oldSpec[field] === undefined) delete munged[field];
  else munged[field] = structuredClone(oldSpec[field]);
}

/** The spec of a pod, or an empty one. */
export function podSpecOf(obj: unknown): JsonRecord {
  const spec = recordAt(obj, "spec");
  return isRecord(spec) ? spec : {};
}
