// How the API server reaches the agent of a pod's node: the Node's `kubelite.io/agent-endpoint`
// annotation (an https URL) if present, else https://<InternalIP>:<daemonEndpoints.kubeletEndpoint.Port>
// as upstream dials the kubelet. The connection presents the API server's kubelet client
// certificate and verifies the agent against the cluster CA. Simulated nodes have no agent.
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import { StatusError } from "../errors.js";
import type { HttpExchange } from "./resource-handlers.js";
import type { KubeObject } from "../resource.js";
import { noAgent } from "./pod-stream-checks.js";

export const AGENT_ENDPOINT_ANNOTATION = "kubelite.io/agent-endpoint";
/** Marks a simulated node: it runs nothing, so it has no agent to dial. */
export const SIMULATED_ANNOTATION = "kubelite.io/simulated";
/** A node whose agent does not answer within this long is reported, not waited for. */
const CONNECT_TIMEOUT_MS = 10_000;

/** The credentials the API server uses towards agents (kubeadm's apiserver-kubelet-client). */
export interface NodeClientCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface NodeView {
  metadata?: { name?: string; annotations?: Record<string, string> };
  status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
}

/** The agent's base URL for a Node object; a StatusError when it has none. */
export function agentEndpoint(node: KubeObject): URL {
  const view = node as NodeView;
  const name = view.metadata?.name ?? "";
  const annotations = view.metadata?.annotations ?? {};
  const annotated = annotations[AGENT_ENDPOINT_ANNOTATION];
  if (annotated) {
    try {
      const url = new URL(annotated);
      if (url.protocol === "https:") return url;
    } catch {
      // reported below
    }
    throw noAgent(name, `has an invalid ${AGENT_ENDPOINT_ANNOTATION} annotation ${JSON.stringify(annotated)}: it must be an https URL`);
  }
  if (annotations[SIMULATED_ANNOTATION] === "true") throw noAgent(name, "is simulated: it runs no containers, so it has no logs, exec, attach or port-forward");
  const ip = view.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const port = view.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!ip || !port) throw noAgent(name, "reports no agent endpoint (no InternalIP address or kubelet port)");
  return new URL(`https://${ip.includes(":") ? `[${ip}]` : ip}:${port}`);
}

/** An HTTPS request to the agent with the API server's client certificate; errors are the caller's to handle. */
export function agentRequest(
  base: URL,
  path: string,
  credentials: NodeClientCredentials,
  options: { method: string; headers?: RequestOptions["headers"] },
): ClientRequest {
  const req = httpsRequest({
    protocol: "https:",
    hostname: base.hostname.replace(/^\[|\]$/g, ""),
    port: base.port || 443,
    path,
    method: options.method,
    headers: options.headers,
    ca: [credentials.caPem],
    cert: credentials.certPem,
    key: credentials.keyPem,
    agent: false,
    timeout: CONNECT_TIMEOUT_MS,
  });
  req.on("timeout", () => req.destroy(new Error(`no answer from ${base.origin} within ${CONNECT_TIMEOUT_MS / 1000}s`)));
  return req;
}

export interface RelayRequest {
  base: URL;
  path: string;
  credentials: NodeClientCredentials;
  nodeName: string;
  http: HttpExchange;
  /** The reply's content type, given the agent's response. */
  contentType(response: IncomingMessage): string;
}

/**
 * GETs a path from the agent and streams a 200 answer to the client as it arrives (a followed log
 * never ends by itself); any other answer becomes a Status error with the agent's words.
 */
export function relayAgentGet(request: RelayRequest): Promise<void> {
  const { base, path, credentials, nodeName, http } = request;
  return new Promise((resolve, reject) => {
    const upstream = agentRequest(base, path, credentials, { method: "GET" });
    upstream.on("error", (err) => reject(noAgent(nodeName, `agent at ${base.origin} failed: ${err.message}`)));
    http.res.on("close", () => upstream.destroy());
    upstream.on("response", (response) => {
      upstream.setTimeout(0);
      if (response.statusCode !== 200) {
        void readAll(response).then((body) => reject(agentFailure(response.statusCode ?? 500, body, nodeName)), reject);
        return;
      }
      http.res.writeHead(200, { "Content-Type": request.contentType(response), "Transfer-Encoding": "chunked" });
      http.res.flushHeaders();
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

export function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

/** The agent's Status (its code and words) when it sent one, else a plain message. */
export function agentFailure(code: number, body: string, nodeName: string): StatusError {
  try {
    const status = JSON.parse(body) as { kind?: string; message?: string; reason?: string; code?: number };
    if (status.kind === "Status" && status.message) {
      return new StatusError(status.code ?? code, (status.reason as never) ?? "InternalError", status.message);
    }
  } catch {
    // not JSON
  }
  return new StatusError(code >= 400 ? code : 500, "InternalError", `the agent of node "${nodeName}" answered ${code}: ${body.trim() || "(no body)"}`);
}
