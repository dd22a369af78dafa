// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and StatefulSets:
// `kubectl scale` patches it; the HPA reads and writes it.
import { decodeObject, decodePatch, patchTypeOf, readBody } from "../body.js";
import { badRequest, conflict, methodNotAllowed } from "../errors.js";
import type { Verb } from "../request-info.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import { writeJson, writeWarnings } from "../respond.js";
import { labelSelectorString } from "../selector-filter.js";
import type { ApiContext } from "./api-context.js";
import { applyPatch } from "../patch-resource.js";
import type { HttpExchange } from "./resource-handlers.js";

export async function serveScale(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, verb: Verb, http: HttpExchange): Promise<void> {
  if (verb === "get") return writeJson(http.res, 200, scaleOf(def, await api.registry.get(def, namespace, name)));
  if (verb !== "update" && verb !== "patch") throw methodNotAllowed(`${def.plural}/scale supports get, update and patch, not ${verb}`);
  const body = await readBody(http.req);
  const updated = await api.registry.guaranteedUpdate(def, namespace, name, http.ctx, "scale", async (current: KubeObject | undefined) => {
    if (!current) throw conflict(def.plural, def.group, name, "the object does not exist");
    const scale = scaleOf(def, current);
    const desired = verb === "update" ? await decodeObject(body, http.req.headers["content-type"]) : patchScale(api, scale, body, http);
    const wantedVersion = (desired.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
    if (wantedVersion && wantedVersion !== current.metadata?.resourceVersion) {
      throw conflict(def.plural, def.group, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    const replicas = (desired.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== "number" || !Number.isInteger(replicas)) throw badRequest("the Scale must set spec.replicas to an integer");
    return setPath(current, def.scale!.specReplicasPath, replicas);
  });
  writeWarnings(http.res, http.ctx.warnings);
  writeJson(http.res, 200, scaleOf(def, updated));
}

function patchScale(api: ApiContext, scale: KubeObject, body: Buffer, http: HttpExchange): Record<string, unknown> {
  const type = patchTypeOf(http.req.headers["content-type"]);
  return applyPatch(api, { group: "autoscaling", version: "v1", kind: "Scale" }, scale, type, decodePatch(body, type)) as Record<string, unknown>;
}

/** The autoscaling/v1 Scale view of an object with a scale subresource (also what admission sees for deployments/scale). */
export function scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
  const paths = def.scale!;
  const meta = obj.metadata ?? {};
  const status: Record<string, unknown> = { replicas: getPath(obj, paths.statusReplicasPath) ?? 0 };
  const selector = paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : undefined;
  if (selector && typeof selector === "object") status.selector = labelSelectorString(selector as Record<string, unknown>);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: getPath(obj, paths.specReplicasPath) ?? 0 },
    status,
  };
}

/** Reads a dotted path such as ".spec.replicas". */
function getPath(obj: unknown, path: string): unknown {
  let current = obj;
  for (const part of path.split(".").filter(Boolean)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function setPath(obj: KubeObject, path: string, value: unknown): KubeObject {
  const parts = path.split(".").filter(Boolean);
  const out = structuredClone(obj) as Record<string, unknown>;
  let current = out;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    current = (current[part] = next && typeof next === "object" ? next : {}) as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
  return out as KubeObject;
}
