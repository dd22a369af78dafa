// The stages every write goes through before it is stored, in upstream's order: decode checks
// (unknown fields, types), defaulting, the status/spec split of the subresource, metadata the server
// owns (uid, creationTimestamp, generation), mutating admission, validation (ObjectMeta and the kind's
// own rules), validating admission, and managedFields. The checks that need other modules come in through ObjectPreparer.
import type { AdmissionChain } from "./admission/admission.js";
import type { RequestContext } from "./request-context.js";
import type { KubeObject, ManagedFieldsEntry, ResourceDef } from "./resource.js";
import { invalidObject, type FieldError } from "./validation/field-errors.js";
import { rfc3339 } from "./meta-time.js";
import { jsonClone, jsonEqual } from "./patch/json-value.js";

export interface ObjectPreparer {
  /**
   * Decode-time checks against the schema: returns the object with unknown fields dropped, or
   * throws 400. `stored`: the object an update replaces (parts shared with it are not checked again).
   */
  checkSchema(def: ResourceDef, obj: KubeObject, ctx: RequestContext, stored?: KubeObject): KubeObject;
  /** ObjectMeta rules (names, labels, annotations, owner references, immutability on update). */
  validateMeta(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** The managedFields after this write. */
  managedFields(input: { def: ResourceDef; obj: KubeObject; old: KubeObject | undefined; ctx: RequestContext; subresource: string | undefined; now: Date }): ManagedFieldsEntry[] | undefined;
}

/** Server-owned metadata that no client write may change. */
const SERVER_OWNED_META = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"] as const;

export async function prepareForCreate(
  preparer: ObjectPreparer,
  def: ResourceDef,
  input: KubeObject,
  ctx: RequestContext,
  facts: { uid: string; now: Date; admission: AdmissionChain },
): Promise<KubeObject> {
  const obj = preparer.checkSchema(def, input, ctx);
  const meta = (obj.metadata ??= {});
  for (const field of SERVER_OWNED_META) delete meta[field];
  delete meta.resourceVersion;
  if (def.statusSubresource && !def.keepsStatusOnCreate) delete obj.status;
  def.defaults?.(obj);
  meta.uid = facts.uid;
  meta.creationTimestamp = rfc3339(facts.now);
  if (tracksGeneration(def)) meta.generation = 1;
  def.prepareForCreate?.(obj, ctx);
  const request = { operation: "CREATE" as const, def, namespace: meta.namespace, name: meta.name ?? "", object: obj, ctx };
  // Defaults apply again to what a mutating plugin changed, as upstream decodes a webhook's patch.
  if (await facts.admission.admit(request)) def.defaults?.(obj);
  throwIfInvalid(def, obj, [...preparer.validateMeta(def, obj, undefined), ...(def.validate?.(obj, {}) ?? [])]);
  def.authorizeWrite?.(obj, undefined, ctx.user);
  await facts.admission.validate(request);
  setManagedFields(obj, preparer.managedFields({ def, obj, old: undefined, ctx, subresource: undefined, now: facts.now }));
  return obj;
}

export async function prepareForUpdate(
  preparer: ObjectPreparer,
  def: ResourceDef,
  desired: KubeObject,
  current: KubeObject,
  ctx: RequestContext,
  facts: { subresource: string | undefined; now: Date; admission: AdmissionChain },
): Promise<KubeObject> {
  const checked = preparer.checkSchema(def, desired, ctx, current);
  const obj = splitBySubresource(def, checked, current, facts.subresource);
  const meta = (obj.metadata ??= {});
  const currentMeta = current.metadata ?? {};
  for (const field of SERVER_OWNED_META) {
    if (currentMeta[field] === undefined) delete meta[field];
    else (meta as Record<string, unknown>)[field] = currentMeta[field];
  }
  meta.resourceVersion = currentMeta.resourceVersion;
  def.prepareForUpdate?.(obj, current, { subresource: facts.subresource, now: facts.now });
  def.defaults?.(obj);
  const request = { operation: "UPDATE" as const, def, subresource: facts.subresource, namespace: meta.namespace, name: meta.name ?? "", object: obj, oldObject: current, ctx };
  if (await facts.admission.admit(request)) def.defaults?.(obj);
  if (tracksGeneration(def) && generationChanged(def, current, obj)) meta.generation = (currentMeta.generation ?? 0) + 1;
  const context = { old: current, subresource: facts.subresource };
  throwIfInvalid(def, obj, [...preparer.validateMeta(def, obj, current), ...(def.validate?.(obj, context) ?? [])]);
  def.authorizeWrite?.(obj, current, ctx.user);
  await facts.admission.validate(request);
  setManagedFields(obj, preparer.managedFields({ def, obj, old: current, ctx, subresource: facts.subresource, now: facts.now }));
  return obj;
}

/**
 * With a status subresource, the main resource cannot change status and /status can change only
 * status (upstream's PrepareForUpdate of the status strategy keeps the old spec and metadata, apart
 * from the managed fields it records).
 */
function splitBySubresource(def: ResourceDef, desired: KubeObject, current: KubeObject, subresource: string | undefined): KubeObject {
  const partial = subresource ? def.partialSubresources?.[subresource] : undefined;
  if (partial) return partial.apply(current, desired);
  if (subresource === "status") {
    // `desired` is the writer's own copy: its parts equal to current's are taken as they are.
    const next: Record<string, unknown> = {};
    const want = desired as Record<string, unknown>;
    for (const [key, value] of Object.entries(current)) next[key] = key === "status" || jsonEqual(want[key], value) ? want[key] : jsonClone(value);
    next.status = desired.status;
    if (desired.status === undefined) delete next.status;
    return next as KubeObject;
  }
  if (subresource === undefined && def.statusSubresource) {
    // A copy: `current` may be the watch cache's shared, frozen object.
    const next: KubeObject = { ...desired, status: jsonClone(current.status) };
    if (current.status === undefined) delete next.status;
    return next;
  }
  return desired;
}

/** Kinds whose metadata.generation counts spec changes: those with a spec/status split outside the core group (upstream: workloads, HPA, PDB, ...). */
export function tracksGeneration(def: ResourceDef): boolean {
  return def.group !== "" && (def.statusSubresource ?? false);
}

function generationChanged(def: ResourceDef, oldObj: KubeObject, newObj: KubeObject): boolean {
  if (def.generationChanged) return def.generationChanged(oldObj, newObj);
  return JSON.stringify(withoutMetaAndStatus(oldObj)) !== JSON.stringify(withoutMetaAndStatus(newObj));
}

function withoutMetaAndStatus(obj: KubeObject): KubeObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function throwIfInvalid(def: ResourceDef, obj: KubeObject, errors: FieldError[]): void {
  if (errors.length > 0) throw invalidObject(def.kind, def.group, obj.metadata?.name ?? obj.metadata?.generateName ?? "", errors);
}

function setManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[] | undefined): void {
  const meta = (obj.metadata ??= {});
  if (entries && entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
}
