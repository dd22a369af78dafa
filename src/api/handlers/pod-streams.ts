// pods/log, pods/exec, pods/attach and pods/portforward: the API server checks the request
// (pod, container, node, state) with upstream's messages, then hands it to the agent of the pod's
// node. Logs are streamed back as they come (chunked while following); exec, attach and
// port-forward are upgrades: the client's upgrade request is replayed to the agent and, once the
// agent switches protocols, the two sockets are joined byte for byte (WebSocket channel protocol,
// WebSocket-tunnelled SPDY or plain SPDY: the API server does not need to understand them).
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { badRequest, methodNotAllowed, StatusError } from "../errors.js";
import type { KubeObject, ResourceDef } from "../resource.js";
import type { ApiContext } from "./api-context.js";
import { agentEndpoint, agentFailure, agentRequest, readAll, relayAgentGet, type NodeClientCredentials } from "./node-connection.js";
import { assignedNode, checkContainerState, chooseContainer, noAgent, type StreamKind } from "./pod-stream-checks.js";
import type { HttpExchange } from "./resource-handlers.js";

export const POD_STREAM_SUBRESOURCES: readonly string[] = ["log", "exec", "attach", "portforward"];

/** For discovery: what upstream lists for these subresources. */
export const POD_STREAM_DISCOVERY = [
  { name: "log", kind: "Pod", verbs: ["get"] },
  { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
  { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
  { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
];

/** The upgraded connection of a request that asked to switch protocols. */
export interface UpgradeExchange {
  socket: Duplex;
  head: Buffer;
}

export async function servePodStream(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, sub: string, verb: string, http: HttpExchange): Promise<void> {
  const kind = sub as StreamKind;
  if (kind === "log" ? verb !== "get" : verb !== "get" && verb !== "create") throw methodNotAllowed(`pods/${sub} does not support ${http.req.method}`);
  if (kind !== "log" && !http.upgrade) throw badRequest("Upgrade request required");
  const pod = await api.registry.get(def, namespace, name);
  const previous = http.query.get("previous") === "true";
  const container = kind === "portforward" ? undefined : chooseContainer(pod, http.query.get("container"));
  const nodeName = assignedNode(pod);
  if (container !== undefined) checkContainerState(pod, container, kind, previous);
  else checkContainerState(pod, "", kind, false);
  if (kind !== "log") {
    const object = connectOptions(kind, container, http.query);
    await api.registry.admission.validate({ operation: "CONNECT", def, subresource: sub, namespace, name, object, ctx: http.ctx });
  }
  const base = agentEndpoint(await nodeObject(api, nodeName));
  const credentials = api.nodeClient;
  if (!credentials) throw noAgent(nodeName, "cannot be reached: this API server has no client certificate for agents");
  const path = agentPath(kind, namespace ?? "default", name, container, http.query);
  if (kind === "log") return relayAgentGet({ base, path, credentials, nodeName, http, contentType: () => "text/plain" });
  return proxyUpgrade(base, path, credentials, nodeName, http);
}

async function nodeObject(api: ApiContext, nodeName: string): Promise<KubeObject> {
  const nodes = api.discovery.find("", "v1", "nodes");
  if (!nodes) throw noAgent(nodeName, "cannot be looked up");
  try {
    return await api.registry.get(nodes, undefined, nodeName);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) throw noAgent(nodeName, "does not exist");
    throw err;
  }
}

/** The kubelet path and query for the request; pods/* query names map to the kubelet's. */
function agentPath(kind: StreamKind, namespace: string, pod: string, container: string | undefined, query: URLSearchParams): string {
  const seg = (s: string) => encodeURIComponent(s);
  const q = new URLSearchParams(query);
  q.delete("container");
  const suffix = q.toString() ? `?${q.toString()}` : "";
  switch (kind) {
    case "log":
      return `/containerLogs/${seg(namespace)}/${seg(pod)}/${seg(container!)}${suffix}`;
    case "exec":
    case "attach":
      return `/${kind}/${seg(namespace)}/${seg(pod)}/${seg(container!)}${suffix}`;
    case "portforward":
      return `/portForward/${seg(namespace)}/${seg(pod)}${suffix}`;
  }
}

function proxyUpgrade(base: URL, path: string, credentials: NodeClientCredentials, nodeName: string, http: HttpExchange): Promise<void> {
  const client = http.upgrade!;
  return new Promise((resolve, reject) => {
    const upstream = agentRequest(base, path, credentials, { method: http.req.method ?? "GET", headers: upgradeHeaders(http.req) });
    upstream.on("error", (err) => reject(noAgent(nodeName, `agent at ${base.origin} failed: ${err.message}`)));
    upstream.on("response", (response) => {
      upstream.setTimeout(0);
      void readAll(response).then((body) => reject(agentFailure(response.statusCode ?? 500, body, nodeName)), reject);
    });
    upstream.on("upgrade", (response, agentSocket, agentHead) => {
      upstream.setTimeout(0);
      agentSocket.setTimeout(0);
      client.socket.write(responseHead(response));
      if (agentHead.length > 0) client.socket.write(agentHead);
      if (client.head.length > 0) agentSocket.write(client.head);
      join(client.socket, agentSocket);
      resolve();
    });
    upstream.end();
  });
}

/** The client's headers that matter to the agent's upgrade; authentication is ours, not the client's. */
function upgradeHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "authorization" || name === "host" || name === "content-length") continue;
    if (name === "sec-websocket-protocol") {
      // The bearer-token subprotocol carries the client's credentials: it stays here.
      const kept = String(value).split(",").map((p) => p.trim()).filter((p) => !p.startsWith("base64url.bearer.authorization.k8s.io."));
      if (kept.length > 0) headers[name] = kept.join(", ");
      continue;
    }
    headers[name] = value;
  }
  return headers;
}

function responseHead(response: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${response.statusCode ?? 101} ${response.statusMessage ?? "Switching Protocols"}`];
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function join(a: Duplex, b: Duplex): void {
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  a.on("close", () => b.destroy());
  b.on("close", () => a.destroy());
  a.pipe(b);
  b.pipe(a);
}

/** The options object a CONNECT carries into admission, as upstream's PodExecOptions and its siblings. */
function connectOptions(kind: StreamKind, container: string | undefined, query: URLSearchParams): KubeObject {
  const flag = (name: string) => query.get(name) === "true" || query.get(name) === "1";
  if (kind === "portforward") return { apiVersion: "v1", kind: "PodPortForwardOptions", ports: query.getAll("port").map(Number) };
  const options: KubeObject = { apiVersion: "v1", kind: kind === "exec" ? "PodExecOptions" : "PodAttachOptions", container, stdin: flag("stdin"), stdout: flag("stdout"), stderr: flag("stderr"), tty: flag("tty") };
  if (kind === "exec") options.command = query.getAll("command");
  return options;
}
