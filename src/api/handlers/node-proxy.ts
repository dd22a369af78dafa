// GET nodes/{name}/proxy/{path}: the API server forwards the request to the node's agent, as
// upstream's node proxy does for the kubelet (`kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`,
// /metrics, /metrics/resource, /healthz). The agent's answer (status, type, body) is passed back.
import type { ResourceDef } from "../resource.js";
import { methodNotAllowed } from "../errors.js";
import type { HttpExchange } from "./resource-handlers.js";
import type { ApiContext } from "./api-context.js";
import { agentEndpoint, agentRequest } from "./node-connection.js";
import { noAgent } from "./pod-stream-checks.js";

export async function serveNodeProxy(api: ApiContext, def: ResourceDef, nodeName: string, subpath: string, verb: string, http: HttpExchange): Promise<void> {
  if (verb !== "get") throw methodNotAllowed(`nodes/proxy supports GET only, not ${verb}`);
  const node = await api.registry.get(def, undefined, nodeName);
  const base = agentEndpoint(node);
  const credentials = api.nodeClient;
  if (!credentials) throw noAgent(nodeName, "cannot be reached: this API server has no client certificate for agents");
  const query = http.query.toString();
  await new Promise<void>((resolve, reject) => {
    const upstream = agentRequest(base, `${subpath}${query ? `?${query}` : ""}`, credentials, { method: "GET" });
    upstream.on("error", (err) => reject(noAgent(nodeName, `agent at ${base.origin} failed: ${err.message}`)));
    http.res.on("close", () => upstream.destroy());
    upstream.on("response", (response) => {
      upstream.setTimeout(0);
      http.res.writeHead(response.statusCode ?? 502, { "Content-Type": response.headers["content-type"] ?? "application/octet-stream" });
      response.pipe(http.res);
      response.on("end", resolve);
      response.on("error", () => {
        http.res.destroy();
        resolve();
      });
    });
    upstream.end();
  });
}
