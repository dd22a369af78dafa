// The API server's audit log (upstream's audit.k8s.io/v1 Event, stage ResponseComplete): who did
// what to which object and how it ended, one JSON line per request. The policy is a level for all
// requests — Metadata (user, verb, object reference, response code, timing) or Request (plus the
// body of writes) — with upstream's usual exceptions built in: health checks are not logged, and
// Secrets, ConfigMaps and token requests never go beyond Metadata, so no secret reaches the log.
// In-process components are not audited (their writes never cross HTTP), as upstream's loopback.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { yamlPackage } from "../../lazy-require.js";
import { isHealthCheckPath, type UserInfo } from "../../auth/authenticate.js";
import type { AuditLevel } from "../../server-options.js";
import { decodeObject, requestBodyOf } from "../body.js";
import type { ResourceRequest } from "../request-info.js";
import type { AuditLogFile } from "./audit-log-file.js";


/** Resources whose bodies are never logged. */
const METADATA_ONLY = new Set(["secrets", "configmaps", "tokenreviews", "tokenrequests"]);
const WRITE_VERBS = new Set(["create", "update", "patch"]);

export class AuditLogger {
  constructor(
    private readonly file: AuditLogFile,
    readonly level: AuditLevel,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Starts the record of one request; undefined when the policy logs nothing for it. */
  begin(req: IncomingMessage, res: ServerResponse): AuditRecord | undefined {
    if (this.level === "None" || isHealthCheckPath((req.url ?? "/").split("?", 1)[0] ?? "")) return undefined;
    const record = new AuditRecord(req, this.now());
    res.once("close", () => {
      const completed = this.now();
      void record.event(res.statusCode, completed, this.level).then((event) => this.file.append(JSON.stringify(event)));
    });
    return record;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

export class AuditRecord {
  readonly auditID = randomUUID();
  user?: UserInfo;
  request?: ResourceRequest;

  constructor(
    private readonly req: IncomingMessage,
    private readonly received: Date,
  ) {}

  async event(code: number, completed: Date, level: AuditLevel): Promise<Record<string, unknown>> {
    const { req, request } = this;
    const bodyLogged = level === "Request" && request !== undefined && WRITE_VERBS.has(request.verb) && !METADATA_ONLY.has(request.resource) && request.subresource !== "token";
    const requestObject = bodyLogged ? await decodeBody(req) : undefined;
    return {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: bodyLogged ? "Request" : "Metadata",
      auditID: this.auditID,
      stage: "ResponseComplete",
      requestURI: req.url,
      verb: request?.verb ?? nonResourceVerb(req.method),
      user: this.user ? { username: this.user.name, ...(this.user.uid ? { uid: this.user.uid } : {}), groups: this.user.groups } : { username: "system:anonymous", groups: ["system:unauthenticated"] },
      sourceIPs: [req.socket.remoteAddress ?? ""],
      ...(req.headers["user-agent"] ? { userAgent: req.headers["user-agent"] } : {}),
      ...(request ? { objectRef: objectRef(request) } : {}),
      responseStatus: { metadata: {}, ...(code >= 400 ? { status: "Failure" } : {}), code },
      ...(requestObject !== undefined ? { requestObject } : {}),
      requestReceivedTimestamp: this.received.toISOString(),
      stageTimestamp: completed.toISOString(),
    };
  }
}

function objectRef(request: ResourceRequest): Record<string, string> {
  const ref: Record<string, string> = { resource: request.resource };
  if (request.namespace) ref.namespace = request.namespace;
  if (request.name) ref.name = request.name;
  ref.apiGroup = request.group;
  ref.apiVersion = request.version;
  if (request.subresource) ref.subresource = request.subresource;
  return ref;
}

/** The request's body as an object, decoded again from what the handler read (JSON, YAML, protobuf, patches). */
async function decodeBody(req: IncomingMessage): Promise<unknown> {
  const body = requestBodyOf(req);
  if (!body || body.length === 0) return undefined;
  const type = req.headers["content-type"] ?? "";
  try {
    if (type.includes("patch")) return type.includes("yaml") ? yamlPackage().parse(body.toString("utf8")) : JSON.parse(body.toString("utf8"));
    return await decodeObject(body, type);
  } catch {
    return undefined;
  }
}

function nonResourceVerb(method: string | undefined): string {
  return (method ?? "GET").toLowerCase();
}
