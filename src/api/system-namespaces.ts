// The namespaces every cluster has from the start, as upstream's system namespaces controller keeps:
// default, kube-system, kube-public and kube-node-lease.
import type { UserInfo } from "../auth/authenticate.js";
import type { ApiContext } from "./handlers/api-context.js";
import type { RequestContext } from "./request-context.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** The identity the API server uses for what it does on its own. */
export const API_SERVER_USER: UserInfo = { name: "system:apiserver", groups: ["system:masters", "system:authenticated"] };

export function systemContext(fieldManager: string): RequestContext {
  return { user: API_SERVER_USER, dryRun: false, fieldManager, fieldValidation: "Strict", warnings: [] };
}

export async function ensureSystemNamespaces(api: ApiContext): Promise<void> {
  const def = api.discovery.find("", "v1", "namespaces");
  if (!def) throw new Error("the namespaces resource is not registered");
  const cache = api.cache.get(api.registry.storageResource(def));
  const missing = SYSTEM_NAMESPACES.filter((name) => !cache.get(api.registry.key(def, undefined, name)));
  // Created together, they share one commit.
  await Promise.all(missing.map((name) => api.registry.create(def, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, systemContext("kube-apiserver"))));
}
