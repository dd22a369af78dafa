// Patching an object: JSON patch, merge patch, strategic merge patch (merge keys from the upstream
// schemas) and server-side apply, applied to the current object inside the registry's
// compare-and-swap retry loop. Shared by the HTTP handler and the in-process client.
import type { PatchType } from "./body.js";
import { badRequest, conflict, notFound } from "./errors.js";
import type { ApiContext } from "./handlers/api-context.js";
import { serverSideApply } from "./patch/apply.js";
import { applyJsonPatch } from "./patch/json-patch.js";
import { applyMergePatch } from "./patch/merge-patch.js";
import { strategicMergePatch } from "./patch/strategic-merge-patch.js";
import type { RequestContext } from "./request-context.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "./resource.js";
import type { GroupVersionKind } from "./schema.js";

export interface PatchRequest {
  type: PatchType;
  patch: unknown;
  /** Server-side apply only: take over conflicting fields. */
  force: boolean;
  subresource?: string;
  ctx: RequestContext;
}

export async function patchResource(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, request: PatchRequest): Promise<KubeObject> {
  const { type, patch, force, ctx } = request;
  if (force && type !== "apply") throw badRequest("force is only allowed for apply patches");
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  return api.registry.guaranteedUpdate(def, namespace, name, ctx, request.subresource, (current) => {
    if (type === "apply") return applyConfiguration(api, def, current, patch, ctx, force);
    if (!current) throw notFound(def.plural, def.group, name);
    const patched = applyPatch(api, gvk, current, type, patch) as KubeObject;
    const wanted = patched.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata?.resourceVersion) {
      throw conflict(def.plural, def.group, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) throw badRequest(`a patch cannot change metadata.name (from ${name} to ${patched.metadata.name})`);
    return patched;
    // json, merge and strategic patches build their result from copies of their own; apply may share parts of the live object.
  }, { readsCurrent: type !== "apply" });
}

/** Applies a json, merge or strategic patch to a (private copy of an) object of the given kind. */
export function applyPatch(api: ApiContext, gvk: GroupVersionKind, current: KubeObject, type: PatchType, patch: unknown): unknown {
  switch (type) {
    case "json":
      return applyJsonPatch(current, patch);
    case "merge":
      // `current` is the watch cache's object, never mutated: what the patch leaves alone is shared.
      return applyMergePatch(current, patch, { shareUntouched: true });
    case "strategic":
      return strategicMergePatch(current, patch, api.schemas.forKind(gvk), api.schemas);
    case "apply":
      throw badRequest("apply patches are only supported on the main resource and /status");
  }
}

function applyConfiguration(api: ApiContext, def: ResourceDef, live: KubeObject | undefined, patch: unknown, ctx: RequestContext, force: boolean): KubeObject {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw badRequest("an apply patch must be an object (the YAML or JSON of the applied configuration)");
  const applied = withTypeMeta(def, patch as Record<string, unknown>);
  const result = serverSideApply({
    live,
    applied,
    manager: ctx.fieldManager,
    force,
    apiVersion: apiVersionOf(def),
    schema: api.schemas.forKind({ group: def.group, version: def.version, kind: def.kind }),
    registry: api.schemas,
    now: api.now(),
  });
  ctx.applied = true;
  return result.object;
}

/**
 * The body must be of the kind the URL names: a Pod posted to deployments is refused, not stored.
 * Missing apiVersion/kind default to the endpoint's, as upstream's decoder does for typed clients.
 */
export function withTypeMeta(def: ResourceDef, body: Record<string, unknown>): KubeObject {
  const expected = apiVersionOf(def);
  const kind = body.kind === undefined || body.kind === "" ? def.kind : body.kind;
  const apiVersion = body.apiVersion === undefined || body.apiVersion === "" ? expected : body.apiVersion;
  if (kind !== def.kind || apiVersion !== expected) {
    throw badRequest(`the object is a ${String(kind)} in ${String(apiVersion)}, but this endpoint serves ${def.kind} in ${expected}`);
  }
  return { ...body, apiVersion, kind } as KubeObject;
}
