// The node agent's HTTPS server for the kubelet's streaming paths: container logs, exec, attach,
// port-forward, and /healthz. Only clients with a certificate signed by the cluster CA (the API
// server's kubelet client certificate) are served; /healthz is open. Errors are Status JSON.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import type { Logger } from "../../log.js";
import { serveContainerLogs } from "./log-handler.js";
import { writeErrorOnSocket, writeErrorResponse, toErrorReply, type ErrorReply } from "./responses.js";
import { parseNodeRoute, type NodeRoute } from "./routes.js";
import type { PodStreamsSource } from "./streams-source.js";
import { serveExecOrAttach, servePortForwardUpgrade } from "./upgrade-handlers.js";

export interface NodeStreamServerOptions {
  source: PodStreamsSource;
  /** The Summary API, resource metrics and the agent's own metrics. */
  stats?: { summary(): Promise<unknown>; resourceMetrics(): Promise<string>; metrics(): Promise<string> };
  /** The serving certificate (SANs must cover the address the API server dials) and the cluster CA. */
  tls: { keyPem: string; certPem: string; caPem: string };
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** How often a followed log is checked for new lines. Default 200 ms. */
  logPollIntervalMs?: number;
  now?: () => Date;
  log?: Logger;
}

type Failure = ErrorReply;
const UNAUTHORIZED: Failure = { code: 401, reason: "Unauthorized", message: "Unauthorized: a client certificate signed by the cluster CA is required" };
const NOT_FOUND: Failure = { code: 404, reason: "NotFound", message: "the node has no such path" };

export class NodeStreamServer {
  private readonly server: Server;
  private readonly sockets = new Set<Duplex>();
  private boundPort = 0;

  constructor(private readonly options: NodeStreamServerOptions) {
    this.server = createServer(
      { key: options.tls.keyPem, cert: options.tls.certPem, ca: [options.tls.caPem], requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.handle(req, res),
    );
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head));
    this.server.on("secureConnection", (socket: Duplex) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => {
        this.server.off("error", reject);
        const address = this.server.address();
        this.boundPort = typeof address === "object" && address ? address.port : 0;
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Stops listening and drops every open stream. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://node");
    const route = parseNodeRoute(url.pathname);
    try {
      if (route?.kind === "healthz") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("ok");
        return;
      }
      if (!authorized(req)) return writeErrorResponse(res, UNAUTHORIZED);
      if (!route) return writeErrorResponse(res, NOT_FOUND);
      if (route.kind === "statsSummary" || route.kind === "metrics" || route.kind === "resourceMetrics") return await this.serveStats(route.kind, res);
      if (route.kind !== "containerLogs") {
        return writeErrorResponse(res, { code: 400, reason: "BadRequest", message: `${route.kind} needs an upgraded connection (WebSocket or SPDY/3.1)` });
      }
      if (req.method !== "GET") return writeErrorResponse(res, { code: 405, reason: "MethodNotAllowed", message: "containerLogs supports GET only" });
      await serveContainerLogs(
        { source: this.options.source, now: this.options.now ?? (() => new Date()), pollIntervalMs: this.options.logPollIntervalMs ?? 200 },
        route,
        url.searchParams,
        req,
        res,
      );
    } catch (err) {
      this.logFailure(err, route);
      writeErrorResponse(res, toErrorReply(err));
    }
  }

  private async serveStats(kind: "statsSummary" | "metrics" | "resourceMetrics", res: ServerResponse): Promise<void> {
    const stats = this.options.stats;
    if (!stats) return writeErrorResponse(res, NOT_FOUND);
    if (kind === "statsSummary") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(await stats.summary()));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(kind === "metrics" ? await stats.metrics() : await stats.resourceMetrics());
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => undefined);
    const url = new URL(req.url ?? "/", "https://node");
    const route = parseNodeRoute(url.pathname);
    try {
      if (!authorized(req)) return writeErrorOnSocket(socket, UNAUTHORIZED);
      const upgrade = { req, socket, head, query: url.searchParams };
      if (route?.kind === "exec" || route?.kind === "attach") return await serveExecOrAttach(this.options.source, route.kind, route, upgrade);
      if (route?.kind === "portForward") {
        return await servePortForwardUpgrade(this.options.source, route, upgrade, this.options.log);
      }
      writeErrorOnSocket(socket, NOT_FOUND);
    } catch (err) {
      this.logFailure(err, route);
      writeErrorOnSocket(socket, toErrorReply(err));
    }
  }

  private logFailure(err: unknown, route: NodeRoute | undefined): void {
    const reply = toErrorReply(err);
    if (reply.code >= 500) this.options.log?.warn("node stream request failed", { error: reply.message, route });
  }
}

function authorized(req: IncomingMessage): boolean {
  return req.socket instanceof TLSSocket && req.socket.authorized;
}
