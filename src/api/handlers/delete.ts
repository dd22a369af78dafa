// DELETE options (query or DeleteOptions body: grace period, propagation policy or the deprecated
// orphanDependents, preconditions) and deletecollection.
import { decodeObject, readBody } from "../body.js";
import { badRequest, StatusError } from "../errors.js";
import type { DeleteOptions } from "../registry.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import { buildListFilter } from "../selector-filter.js";
import { apiVersionOf } from "../resource.js";
import type { ApiContext } from "./api-context.js";
import { listItems } from "./list.js";
import { nonNegativeInt, type HttpExchange } from "./resource-handlers.js";

const PROPAGATION = ["Orphan", "Background", "Foreground"] as const;

export async function deleteOptionsFrom(http: HttpExchange): Promise<DeleteOptions> {
  const body = await readBody(http.req);
  const fromBody: Record<string, unknown> = body.length > 0 ? await decodeObject(body, http.req.headers["content-type"]) : {};
  const q = http.query;
  const grace = q.get("gracePeriodSeconds") ?? fromBody.gracePeriodSeconds;
  const propagation = q.get("propagationPolicy") ?? fromBody.propagationPolicy;
  const orphan = q.get("orphanDependents") ?? fromBody.orphanDependents;
  const options: DeleteOptions = {};
  if (grace !== undefined && grace !== null) options.gracePeriodSeconds = nonNegativeInt(String(grace), "gracePeriodSeconds");
  if (propagation !== undefined && propagation !== null) {
    if (!PROPAGATION.includes(propagation as (typeof PROPAGATION)[number])) {
      throw badRequest(`propagationPolicy must be one of Orphan, Background, Foreground; got ${JSON.stringify(propagation)}`);
    }
    options.propagationPolicy = propagation as DeleteOptions["propagationPolicy"];
  }
  if (orphan !== undefined && orphan !== null) options.propagationPolicy = fromOrphanDependents(orphan, options.propagationPolicy);
  const pre = fromBody.preconditions as DeleteOptions["preconditions"] | undefined;
  if (pre) options.preconditions = pre;
  return options;
}

/**
 * The deprecated orphanDependents as a propagation policy: true is Orphan, false is "not orphan"
 * (Background). Upstream's ValidateDeleteOptions refuses it together with propagationPolicy.
 */
function fromOrphanDependents(orphan: unknown, policy: DeleteOptions["propagationPolicy"]): DeleteOptions["propagationPolicy"] {
  if (policy !== undefined) {
    throw new StatusError(422, "Invalid", `DeleteOptions is invalid: propagationPolicy: Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`);
  }
  if (orphan === true || orphan === "true") return "Orphan";
  if (orphan === false || orphan === "false") return "Background";
  throw badRequest(`orphanDependents must be true or false; got ${JSON.stringify(orphan)}`);
}

/** Deletes every object matching the selectors; replies with the list of what was deleted. */
export async function deleteCollection(api: ApiContext, def: ResourceDef, namespace: string | undefined, http: HttpExchange): Promise<unknown> {
  const options = await deleteOptionsFrom(http);
  const listed = await listItems(api, def, { namespace, filter: buildListFilter(def, http.query.get("labelSelector"), http.query.get("fieldSelector")), limit: 0 });
  const deleted: KubeObject[] = [];
  for (const json of listed.items) {
    const obj = JSON.parse(json) as KubeObject;
    const name = obj.metadata?.name ?? "";
    try {
      deleted.push((await api.registry.delete(def, obj.metadata?.namespace, name, options, http.ctx)).object);
    } catch (err) {
      // Gone meanwhile: that is what was asked.
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(api.cache.revision) }, items: deleted };
}
