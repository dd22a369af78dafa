// Moving from client-side to server-side `kubectl apply`, as upstream's fieldmanager eases it for
// the field manager "kubectl" (what `kubectl apply --server-side` uses): a conflict on fields that
// the last client-side apply (the kubectl.kubernetes.io/last-applied-configuration annotation) set
// to the values they still have is not a conflict (lastAppliedManager), and while the annotation
// exists it is rewritten to the new applied configuration (lastAppliedUpdater), so that a later
// client-side apply computes its 3-way patch from what was last applied.
// Pure functions; inputs are never mutated.
import type { KubeObject } from "../resource.js";
import { compareFields } from "./compare-fields.js";
import type { FieldSet } from "./field-set.js";
import type { FieldType, TypeResolver } from "./field-type.js";
import { fieldsOf } from "./fields-of.js";
import { isJsonObject, jsonClone } from "./json-value.js";
import { withoutManagedFields } from "./managed-fields.js";

export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
/** The field manager the migration applies to (upstream checks this exact name). */
export const MIGRATING_MANAGER = "kubectl";
/** upstream's TotalAnnotationSizeLimitB. */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/** Fields whose conflicts a "kubectl" applier may take over, or undefined when there is no usable annotation. */
export function fieldsFromLastApplied(live: KubeObject | undefined, apiVersion: string, type: FieldType, types: TypeResolver): FieldSet | undefined {
  const text = live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!live || !text) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isJsonObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  const comparison = compareFields(lastApplied, withoutManagedFields(live), type, types);
  return fieldsOf(lastApplied, type, types)
    .difference(comparison.modified).difference(comparison.added).difference(comparison.removed);
}

/** Rewrites an existing last-applied annotation to the applied configuration (dropped if it would make annotations too large). */
export function updateLastApplied(object: KubeObject, applied: KubeObject): KubeObject {
  const annotations = object.metadata?.annotations;
  if (!annotations?.[LAST_APPLIED_ANNOTATION]) return object;
  const next: Record<string, string> = { ...annotations, [LAST_APPLIED_ANNOTATION]: lastAppliedValue(applied) };
  if (annotationsSize(next) > ANNOTATIONS_SIZE_LIMIT) delete next[LAST_APPLIED_ANNOTATION];
  return { ...object, metadata: { ...object.metadata, annotations: next } };
}

/** The applied configuration without the annotation itself, as JSON with sorted keys (as Go writes maps). */
function lastAppliedValue(applied: KubeObject): string {
  const copy = jsonClone(applied);
  const annotations = copy.metadata?.annotations;
  if (copy.metadata && annotations) {
    delete annotations[LAST_APPLIED_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  }
  return `${JSON.stringify(sortKeys(copy))}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}

function annotationsSize(annotations: Record<string, string>): number {
  return Object.entries(annotations).reduce((size, [k, v]) => size + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
