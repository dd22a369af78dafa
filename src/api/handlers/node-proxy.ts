// GET nodes/{name}/proxy/{path}: the API server forwards the request to the node's agent, as
// upstream's node proxy does for the kubelet (`kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`,
// /metrics, /metrics/resource, /healthz). A 200 answer is streamed back with its type; any other
// becomes a Status error with the agent's words.
import type { ResourceDef } from "../resource.js";
import { methodNotAllowed } from "../errors.js";
import type { HttpExchange } from "./resource-handlers.js";
import type { ApiContext } from "./api-context.js";
import { agentEndpoint, relayAgentGet } from "./node-connection.js";
import { noAgent } from "./pod-stream-checks.js";

export async function serveNodeProxy(api: ApiContext, def: ResourceDef, nodeName: string, subpath: string, verb: string, http: HttpExchange): Promise<void> {
  if (verb !== "get") throw methodNotAllowed(`nodes/proxy supports GET only, not ${verb}`);
  const node = await api.registry.get(def, undefined, nodeName);
  const base = agentEndpoint(node);
  const credentials = api.nodeClient;
  if (!credentials) throw noAgent(nodeName, "cannot be reached: this API server has no client certificate for agents");
  const query = http.query.toString();
  await relayAgentGet({ base, path: `${subpath}${query ? `?${query}` : ""}`, credentials, nodeName, http, contentType: (response) => response.headers["content-type"] ?? "application/octet-stream" });
}
