// pods/binding: the scheduler's way to assign a pod to a node (sets spec.nodeName once).
import { decodeObject, readBody } from "../body.js";
import { badRequest, conflict } from "../errors.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import { successStatus, writeJson } from "../respond.js";
import type { ApiContext } from "./api-context.js";
import type { HttpExchange } from "./resource-handlers.js";

export async function bindPod(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange): Promise<void> {
  const binding = (await decodeObject(await readBody(http.req), http.req.headers["content-type"])) as { target?: { kind?: string; name?: string }; metadata?: { name?: string } };
  const node = binding.target?.name;
  if (!node) throw badRequest("the Binding must name its target node in target.name");
  if (binding.target?.kind && binding.target.kind !== "Node") throw badRequest(`a pod can only be bound to a Node, not a ${binding.target.kind}`);
  if (binding.metadata?.name && binding.metadata.name !== name) throw badRequest(`the Binding is for pod ${binding.metadata.name}, but the URL names pod ${name}`);
  await api.registry.guaranteedUpdate(def, namespace, name, http.ctx, "binding", (current: KubeObject | undefined) => {
    if (!current) throw conflict(def.plural, def.group, name, "the pod does not exist");
    const spec = (current.spec ?? {}) as { nodeName?: string };
    if (current.metadata?.deletionTimestamp) throw conflict(def.plural, def.group, name, "the pod is being deleted");
    if (spec.nodeName) throw conflict(def.plural, def.group, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
    return { ...current, spec: { ...spec, nodeName: node } };
  });
  writeJson(http.res, 201, successStatus());
}
