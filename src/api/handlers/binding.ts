// pods/binding: the scheduler's way to assign a pod to a node (sets spec.nodeName once).
import { decodeObject, readBody } from "../body.js";
import { badRequest, conflict, notFound } from "../errors.js";
import type { RequestContext } from "../request-context.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import { successStatus, writeJson } from "../respond.js";
import type { ApiContext } from "./api-context.js";
import type { HttpExchange } from "./resource-handlers.js";
import { rfc3339 } from "../meta-time.js";

export async function bindPod(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange): Promise<void> {
  const binding = await decodeObject(await readBody(http.req), http.req.headers["content-type"]);
  await assignNode(api, def, namespace, name, binding, http.ctx);
  writeJson(http.res, 201, successStatus());
}

/** Applies a Binding: the pod gets spec.nodeName, unless it is already bound or being deleted. */
export async function assignNode(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, body: Record<string, unknown>, ctx: RequestContext): Promise<KubeObject> {
  const binding = body as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
  const node = binding.target?.name;
  if (!node) throw badRequest("the Binding must name its target node in target.name");
  if (binding.target?.kind && binding.target.kind !== "Node") throw badRequest(`a pod can only be bound to a Node, not a ${binding.target.kind}`);
  if (binding.metadata?.name && binding.metadata.name !== name) throw badRequest(`the Binding is for pod ${binding.metadata.name}, but the URL names pod ${name}`);
  return api.registry.guaranteedUpdate(def, namespace, name, ctx, "binding", (current: KubeObject | undefined) => {
    if (!current) throw notFound(def.plural, def.group, name);
    const spec = (current.spec ?? {}) as { nodeName?: string };
    if (current.metadata?.deletionTimestamp) throw conflict(def.plural, def.group, name, "the pod is being deleted");
    if (spec.nodeName) throw conflict(def.plural, def.group, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    return { ...current, spec: { ...spec, nodeName: node }, status: withScheduledCondition(current.status, api.now()) };
  }, { readsCurrent: true });
}

/** Upstream's assignPod also records PodScheduled=True. */
function withScheduledCondition(status: unknown, now: Date): Record<string, unknown> {
  const current = (status ?? {}) as { conditions?: { type: string }[] };
  const condition = { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: rfc3339(now) };
  return { ...current, conditions: [...(current.conditions ?? []).filter((c) => c.type !== "PodScheduled"), condition] };
}
