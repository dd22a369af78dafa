// PATCH: JSON patch, merge patch, strategic merge patch (merge keys from the upstream schemas) and
// server-side apply, applied to the current object inside a compare-and-swap retry loop.
import { decodePatch, patchTypeOf, readBody, type PatchType } from "../body.js";
import { badRequest, conflict, notFound } from "../errors.js";
import { applyJsonPatch } from "../patch/json-patch.js";
import { applyMergePatch } from "../patch/merge-patch.js";
import { serverSideApply } from "../patch/apply.js";
import { strategicMergePatch } from "../patch/strategic-merge-patch.js";
import type { GroupVersionKind } from "../schema.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "../resource.js";
import type { ApiContext } from "./api-context.js";
import { checkTypeMeta, type HttpExchange } from "./resource-handlers.js";

export async function patchObject(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange, subresource: string | undefined): Promise<KubeObject> {
  const type = patchTypeOf(http.req.headers["content-type"]);
  const patch = decodePatch(await readBody(http.req), type);
  const force = http.query.get("force") === "true";
  if (type === "apply" && !http.query.get("fieldManager")) {
    throw badRequest("fieldManager is required for apply requests (kubectl apply --server-side sets it)");
  }
  if (force && type !== "apply") throw badRequest("force is only allowed for apply patches");
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  return api.registry.guaranteedUpdate(def, namespace, name, http.ctx, subresource, async (current) => {
    if (type === "apply") return applyConfiguration(api, def, current, patch, http, force);
    if (!current) throw notFound(def.plural, def.group, name);
    const patched = (await applyPatch(api, gvk, current, type, patch, http)) as KubeObject;
    const wanted = patched.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata?.resourceVersion) {
      throw conflict(def.plural, def.group, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) throw badRequest(`a patch cannot change metadata.name (from ${name} to ${patched.metadata.name})`);
    return patched;
  });
}

/** Applies a json, merge or strategic patch to a (private copy of an) object of the given kind. */
export async function applyPatch(api: ApiContext, gvk: GroupVersionKind, current: KubeObject, type: PatchType, patch: unknown, _http: HttpExchange): Promise<unknown> {
  switch (type) {
    case "json":
      return applyJsonPatch(current, patch);
    case "merge":
      return applyMergePatch(current, patch);
    case "strategic":
      return strategicMergePatch(current, patch, api.schemas.forKind(gvk), api.schemas);
    case "apply":
      throw badRequest("apply patches are only supported on the main resource and /status");
  }
}

function applyConfiguration(api: ApiContext, def: ResourceDef, live: KubeObject | undefined, patch: unknown, http: HttpExchange, force: boolean): KubeObject {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) throw badRequest("an apply patch must be an object (the YAML or JSON of the applied configuration)");
  const applied = checkTypeMeta(def, patch as Record<string, unknown>);
  const result = serverSideApply({
    live,
    applied,
    manager: http.ctx.fieldManager,
    force,
    apiVersion: apiVersionOf(def),
    schema: api.schemas.forKind({ group: def.group, version: def.version, kind: def.kind }),
    registry: api.schemas,
    now: api.now(),
  });
  http.ctx.applied = true;
  return result.object;
}
