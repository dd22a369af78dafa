// PATCH over HTTP: the patch type from Content-Type, the body, and the apply parameters
// (fieldManager is required for apply, as upstream requires it).
import { decodePatch, patchTypeOf, readBody } from "../body.js";
import { badRequest } from "../errors.js";
import { patchResource } from "../patch-resource.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import type { ApiContext } from "./api-context.js";
import type { HttpExchange } from "./resource-handlers.js";

export async function patchObject(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange, subresource: string | undefined): Promise<KubeObject> {
  const type = patchTypeOf(http.req.headers["content-type"]);
  const patch = decodePatch(await readBody(http.req), type);
  if (type === "apply" && !http.query.get("fieldManager")) {
    throw badRequest("fieldManager is required for apply requests (kubectl apply --server-side sets it)");
  }
  return patchResource(api, def, namespace, name, { type, patch, force: http.query.get("force") === "true", subresource, ctx: http.ctx });
}
