// The API server's request entry: authentication, impersonation and authorization, then the non-resource endpoints (version, health,
// metrics, discovery, OpenAPI) and the resource handlers. Every failure becomes a Status reply here;
// nothing a client sends can take the process down.
import { ServerResponse, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { allowsAnonymous, type Authenticator, type UserInfo } from "../auth/authenticate.js";
import { nonResourceAttributes, resourceAttributes } from "../auth/authorization/attributes.js";
import { impersonate, wantsImpersonation } from "../auth/authorization/impersonation.js";
import type { AuditLogger, AuditRecord } from "./audit/audit-logger.js";
import type { ApiMetrics } from "./metrics.js";
import { Discovery } from "./discovery.js";
import { StatusError, unauthorized } from "./errors.js";
import type { ApiContext } from "./handlers/api-context.js";
import { serveResource } from "./handlers/resource-handlers.js";
import type { UpgradeExchange } from "./handlers/pod-streams.js";
import type { OpenAPIDocuments } from "./openapi.js";
import { defaultFieldManager, type FieldValidation, type RequestContext } from "./request-context.js";
import { parseResourceRequest } from "./request-info.js";
import { SECRETS_ENCRYPTION_PATH, type SecretsEncryption } from "./secrets-encryption.js";
import { toStatusError, writeJson, writeRaw } from "./respond.js";

export interface ApiServerDeps {
  api: ApiContext;
  authenticator: Authenticator;
  openapi: OpenAPIDocuments;
  metrics: ApiMetrics;
  /** host:port clients use to reach this server (for APIVersions). */
  serverAddress: string;
  /** Named readiness checks; /readyz fails while any returns false. */
  readyChecks: Record<string, () => boolean>;
  version: Record<string, string>;
  /** Encryption at rest of Secrets (status and key rotation on kubelite's own path). */
  secretsEncryption?: SecretsEncryption;
  /** The audit log; absent: requests are not audited. */
  audit?: AuditLogger;
}

export class ApiServer {
  constructor(private readonly deps: ApiServerDeps) {}

  /** The https server's request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, upgrade?: UpgradeExchange): void => {
    const started = process.hrtime.bigint();
    const audit = this.deps.audit?.begin(req, res);
    this.serve(req, res, upgrade, audit)
      .catch((err: unknown) => {
        const status = toStatusError(err, (message, error) => this.deps.api.log.error(message, { error, method: req.method, url: req.url }));
        writeJson(res, status.code, status.toStatus());
      })
      .finally(() => this.deps.metrics.observe(req, res, started));
  };

  /**
   * The https server's `upgrade` listener (exec, attach, portforward). The request is served like
   * any other, with a response bound to the raw socket so that errors are ordinary Status replies;
   * a handler that switches protocols takes the socket over.
   */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => undefined);
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on("finish", () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    this.handle(req, res, { socket, head });
  };

  private async serve(req: IncomingMessage, res: ServerResponse, upgrade: UpgradeExchange | undefined, audit: AuditRecord | undefined): Promise<void> {
    const url = new URL(req.url ?? "/", "https://kubelite");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const authenticated = await this.deps.authenticator.authenticate(req);
    if (audit) audit.user = authenticated;
    if (!authenticated && !allowsAnonymous(path)) throw unauthorized();
    const request = parseResourceRequest(method, path, url.searchParams);
    // Anonymous requests reach only the public paths (system:public-info-viewer), unchecked.
    const user = authenticated && (wantsImpersonation(req.headers) ? impersonate(authenticated, req.headersDistinct, this.deps.api.authorization) : authenticated);
    if (user) await this.deps.api.authorization.check(request ? resourceAttributes(user, request) : nonResourceAttributes(user, method, path));
    if (path.startsWith(`${SECRETS_ENCRYPTION_PATH}`)) return this.serveSecretsEncryption(req, res, path, user!);
    if (this.serveNonResource(req, res, url)) return;
    if (!request) throw new StatusError(404, "NotFound", `the server could not find the requested resource (${req.method} ${path})`);
    if (audit) audit.request = request;
    const ctx = requestContext(req, url.searchParams, user!);
    await serveResource(this.deps.api, request, { req, res, query: url.searchParams, ctx, upgrade });
  }

  /** Status (GET) and key rotation (POST …/rotate-key), for cluster administrators (system:masters) only. */
  private async serveSecretsEncryption(req: IncomingMessage, res: ServerResponse, path: string, user: UserInfo): Promise<void> {
    const encryption = this.deps.secretsEncryption;
    if (!encryption) throw new StatusError(404, "NotFound", "this server does not encrypt Secrets at rest");
    if (!user.groups.includes("system:masters")) throw new StatusError(403, "Forbidden", `forbidden: User "${user.name}" cannot ${req.method === "GET" ? "get" : "create"} path "${path}": only cluster administrators (group system:masters) manage encryption keys`);
    if (req.method === "GET" && path === SECRETS_ENCRYPTION_PATH) return void this.json(res, await encryption.status());
    if (req.method === "POST" && path === `${SECRETS_ENCRYPTION_PATH}/rotate-key`) return void this.json(res, await encryption.rotate());
    throw new StatusError(404, "NotFound", `the server could not find the requested resource (${req.method} ${path})`);
  }

  /** Serves version, health, metrics, discovery and OpenAPI paths; false when the path is none of them. */
  private serveNonResource(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const path = url.pathname;
    const { api } = this.deps;
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    if (trimmed === "/version") return this.json(res, this.deps.version);
    if (trimmed === "/healthz" || trimmed === "/livez" || trimmed.startsWith("/healthz/") || trimmed.startsWith("/livez/")) return this.text(res, 200, "ok");
    if (trimmed === "/readyz" || trimmed.startsWith("/readyz/")) return this.readyz(res, url.searchParams.has("verbose"));
    if (trimmed === "/metrics") {
      void this.deps.metrics.render().then((body) => writeRaw(res, 200, body, this.deps.metrics.contentType));
      return true;
    }
    if (trimmed.startsWith("/openapi/")) return this.serveOpenAPI(req, res, trimmed, url.searchParams.get("hash"));
    const parts = trimmed.split("/").filter(Boolean);
    const aggregated = Discovery.aggregatedMediaType(req.headers.accept);
    if (parts[0] === "api" && parts.length === 1) {
      if (aggregated) return this.json(res, api.discovery.aggregated(true), aggregated);
      return this.json(res, api.discovery.apiVersions(this.deps.serverAddress));
    }
    if (parts[0] === "apis" && parts.length === 1) {
      if (aggregated) return this.json(res, api.discovery.aggregated(false), aggregated);
      return this.json(res, api.discovery.apiGroupList());
    }
    if (parts[0] === "apis" && parts.length === 2) return this.jsonOr404(res, api.discovery.apiGroupDocument(parts[1]!), path);
    if (parts[0] === "api" && parts.length === 2) return this.jsonOr404(res, api.discovery.apiResourceList("", parts[1]!), path);
    if (parts[0] === "apis" && parts.length === 3) return this.jsonOr404(res, api.discovery.apiResourceList(parts[1]!, parts[2]!), path);
    return false;
  }

  private serveOpenAPI(req: IncomingMessage, res: ServerResponse, path: string, hash: string | null): boolean {
    const { openapi } = this.deps;
    if (path === "/openapi/v2") {
      const doc = openapi.v2(req.headers.accept);
      res.setHeader("Etag", `"${doc.hash}"`);
      res.setHeader("Vary", "Accept");
      if (req.headers["if-none-match"] === `"${doc.hash}"`) {
        res.writeHead(304);
        res.end();
        return true;
      }
      writeRaw(res, 200, doc.body, doc.contentType);
      return true;
    }
    if (path === "/openapi/v3") return this.json(res, openapi.v3Index());
    const doc = openapi.v3Document(path.slice("/openapi/v3/".length));
    if (!doc) return this.jsonOr404(res, undefined, path);
    // As upstream: a URL with the current hash is immutable; a stale hash redirects to the current one.
    if (hash !== null && hash !== doc.hash) {
      res.writeHead(301, { Location: `${path}?hash=${doc.hash}` });
      res.end();
      return true;
    }
    res.setHeader("Etag", `"${doc.hash}"`);
    res.setHeader("Cache-Control", hash === null ? "no-cache, private" : "public, immutable");
    writeRaw(res, 200, doc.body, "application/json");
    return true;
  }

  private readyz(res: ServerResponse, verbose: boolean): boolean {
    const results = Object.entries(this.deps.readyChecks).map(([name, check]) => [name, check()] as const);
    const ok = results.every(([, passed]) => passed);
    if (!verbose) return this.text(res, ok ? 200 : 500, ok ? "ok" : "readyz check failed");
    const lines = results.map(([name, passed]) => `[${passed ? "+" : "-"}]${name} ${passed ? "ok" : "failed"}`);
    return this.text(res, ok ? 200 : 500, `${lines.join("\n")}\nreadyz check ${ok ? "passed" : "failed"}\n`);
  }

  private json(res: ServerResponse, body: unknown, contentType = "application/json"): true {
    writeJson(res, 200, body, contentType);
    return true;
  }

  private jsonOr404(res: ServerResponse, body: string | undefined, path: string): true {
    if (body === undefined) {
      writeJson(res, 404, new StatusError(404, "NotFound", `the server could not find the requested resource (${path})`).toStatus());
      return true;
    }
    return this.json(res, body);
  }

  private text(res: ServerResponse, code: number, body: string): true {
    writeRaw(res, code, body, "text/plain; charset=utf-8");
    return true;
  }
}

function requestContext(req: IncomingMessage, query: URLSearchParams, user: UserInfo): RequestContext {
  const dryRun = query.getAll("dryRun");
  if (dryRun.some((d) => d !== "All")) throw new StatusError(400, "BadRequest", `dryRun must be "All" when given, got ${JSON.stringify(dryRun.join(","))}`);
  const validation = query.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(validation)) {
    throw new StatusError(400, "BadRequest", `fieldValidation must be one of Strict, Warn or Ignore, got ${JSON.stringify(validation)}`);
  }
  return {
    user,
    dryRun: dryRun.length > 0,
    fieldManager: query.get("fieldManager") || defaultFieldManager(req.headers["user-agent"]),
    fieldValidation: validation as FieldValidation,
    warnings: [],
  };
}
