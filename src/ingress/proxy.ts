// Forwards one request (or protocol upgrade, such as a WebSocket) to the pods behind the Ingress
// rule it matches. Endpoints are taken round robin; when connecting to one fails (nothing reached
// the backend), the next is tried, each at most once. Responses stream through as they come
// (chunked, long-lived, server-sent events), and upgraded connections are spliced byte for byte.
// Problems are answered in plain text that says what is wrong: 404 when no rule matches, 503 when
// the Service, its port or ready endpoints are missing, 502 when no endpoint could be reached.
import { request, type ClientRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";
import type { Endpoint, ServiceBackends } from "./backends.js";
import type { IngressMetrics } from "./ingress-metrics.js";
import { endToEndHeaders, forwardedRequestHeaders, requestHead, type ForwardedFor } from "./forwarded-headers.js";
import { PodAgent, PodDialError, type PodDialer, type PodRequestArgs } from "./pod-agent.js";
import type { RouteTable } from "./routes.js";

export interface IngressProxyOptions {
  /** The current routing table (rebuilt when served Ingresses change). */
  routes(): RouteTable;
  backends: ServiceBackends;
  dial: PodDialer;
  log: Logger;
  metrics?: IngressMetrics;
}

type Routed = { ingress: string; endpoints: Endpoint[]; service: string };
type Target = Routed | { ingress: string; status: number; message: string };

/** Requests without a body: safe to send again on a fresh connection when a kept-alive one was stale. */
const BODYLESS = new Set(["GET", "HEAD", "OPTIONS", "DELETE"]);
const MAX_STALE_RETRIES = 2;
/** A backend silent this long (no response, or no data mid-response) is given up, as nginx's proxy_read_timeout. */
const BACKEND_IDLE_TIMEOUT_MS = 60_000;

export class IngressProxy {
  private readonly agent: PodAgent;

  constructor(private readonly options: IngressProxyOptions) {
    this.agent = new PodAgent(options.dial);
  }

  handle(req: IncomingMessage, res: ServerResponse, via: ForwardedFor): void {
    const started = process.hrtime.bigint();
    const target = this.target(req);
    const { metrics } = this.options;
    if (metrics) res.once("close", () => metrics.observe(target.ingress, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    if ("status" in target) return respondText(res, target.status, target.message);
    this.forward(req, res, target, via);
  }

  /** Sends the request to the endpoints in turn until one answers; the answer streams back. */
  private forward(req: IncomingMessage, res: ServerResponse, target: Routed, via: ForwardedFor): void {
    const headers = forwardedRequestHeaders(req, via, false);
    const bodyless = BODYLESS.has(req.method ?? "GET") && req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined;
    const failures: string[] = [];
    let stale = 0;
    let current: ClientRequest | undefined;
    res.once("close", () => {
      if (!res.writableFinished) current?.destroy();
    });
    const attempt = (index: number): void => {
      const endpoint = target.endpoints[index]!;
      const args: PodRequestArgs = { agent: this.agent, host: endpoint.ip, port: endpoint.port, nodeName: endpoint.nodeName, method: req.method, path: req.url, headers };
      const upstream = (current = request(args));
      upstream.setTimeout(BACKEND_IDLE_TIMEOUT_MS, () => upstream.destroy(new Error(`no data from the backend for ${BACKEND_IDLE_TIMEOUT_MS / 1000} s`)));
      let connected = false;
      let responded = false;
      upstream.once("socket", () => {
        connected = true;
        if (!bodyless) req.pipe(upstream);
      });
      if (bodyless) upstream.end();
      upstream.once("response", (response) => {
        responded = true;
        res.writeHead(response.statusCode ?? 502, response.statusMessage, endToEndHeaders(response.headers));
        response.pipe(res);
        response.once("error", () => res.destroy());
      });
      upstream.once("error", (error: NodeJS.ErrnoException) => {
        // A client gone (res closed) aborts the attempt: nothing more to try or answer.
        if (responded || res.destroyed) return void res.destroy();
        if (!connected || (bodyless && upstream.reusedSocket && stale++ < MAX_STALE_RETRIES)) {
          if (!connected) failures.push(error instanceof PodDialError ? error.message : `${endpoint.ip}:${endpoint.port}: ${error.message}`);
          const next = connected ? index : index + 1;
          if (next < target.endpoints.length) return attempt(next);
        }
        this.options.log.debug("ingress backend failed", { service: target.service, endpoint: `${endpoint.ip}:${endpoint.port}`, error: error.message });
        if (res.headersSent) return void res.destroy();
        const detail = failures.length > 0 ? failures.join("; ") : error.message;
        respondText(res, 502, `could not get a response from ${target.service}: ${detail}`);
      });
    };
    attempt(0);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, via: ForwardedFor): void {
    socket.on("error", () => socket.destroy());
    const target = this.target(req);
    if ("status" in target) return writeRawResponse(socket, target.status, target.message);
    void this.dialFirst(target.endpoints).then(
      (upstream) => {
        if (socket.destroyed) return void upstream.destroy(); // the client left while we dialed
        upstream.on("error", () => socket.destroy());
        upstream.on("close", () => socket.destroy());
        socket.on("close", () => upstream.destroy());
        upstream.write(requestHead(req, forwardedRequestHeaders(req, via, true)));
        if (head.length > 0) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      },
      (error: Error) => writeRawResponse(socket, 502, `could not connect to ${target.service}: ${error.message}`),
    );
  }

  close(): void {
    this.agent.destroy();
  }

  /** The matched rule's endpoints, in the order to try them, or the answer when there are none. */
  private target(req: IncomingMessage): Target {
    const host = hostWithoutPort(req.headers.host ?? "");
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    const route = this.options.routes().match(host, path);
    if (!route) return { ingress: "", status: 404, message: `no Ingress rule matches host "${host}" and path "${path}"` };
    const ingress = `${route.namespace}/${route.ingress}`;
    const backend = route.backend.service;
    if (!backend) return { ingress, status: 503, message: `Ingress ${ingress}: only service backends are served, not resource backends` };
    const resolution = this.options.backends.resolve(route.namespace, backend);
    if (resolution.problem !== undefined) return { ingress, status: 503, message: `Ingress ${ingress}: ${resolution.problem}` };
    return { ingress, endpoints: this.options.backends.next(route.namespace, backend, resolution.endpoints), service: `service "${route.namespace}/${backend.name}"` };
  }

  private async dialFirst(endpoints: readonly Endpoint[]): Promise<Duplex> {
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      try {
        return await this.options.dial(endpoint.nodeName, endpoint.ip, endpoint.port);
      } catch (error) {
        failures.push(`${endpoint.ip}:${endpoint.port}: ${(error as Error).message}`);
      }
    }
    throw new Error(failures.join("; "));
  }
}

/** "example.com:8080" → "example.com"; "[::1]:80" → "::1". */
function hostWithoutPort(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]") < 0 ? undefined : host.indexOf("]"));
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}

function respondText(res: ServerResponse, status: number, message: string): void {
  const body = `${message}\n`;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const REASONS: Record<number, string> = { 404: "Not Found", 502: "Bad Gateway", 503: "Service Unavailable" };

function writeRawResponse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? ""}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
