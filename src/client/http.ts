// The HTTP Client: the same Client over HTTPS, for agents on other hosts and for tools. Keep-alive
// connections, client-certificate or bearer-token authentication, JSON bodies, watch streams read
// line by line; Status replies become StatusErrors with the server's code and message.
import { Agent, request } from "node:https";
import { StatusError, type Status } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import type { Client, DeleteOptions, ListOptions, ObjectList, PatchOptions, PatchType, ResourceRef, WatchCallbacks, WatchEventType, WatchHandle, WatchOptions, WriteOptions } from "./client.js";

export interface HttpClientConfig {
  /** https://host:port */
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  userAgent?: string;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

interface Reply {
  status: number;
  body: string;
}

export class HttpClient implements Client {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(private readonly config: HttpClientConfig) {
    this.base = new URL(config.server);
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, ca: config.caPem, cert: config.certPem, key: config.keyPem });
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.json("GET", objectPath(ref, namespace, name));
  }

  async list(ref: ResourceRef, options: ListOptions = {}): Promise<ObjectList> {
    const query = queryString({ labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, limit: options.limit, continue: options.continue, resourceVersion: options.resourceVersion });
    const list = await this.json<{ items: KubeObject[]; metadata: { resourceVersion: string; continue?: string } }>("GET", collectionPath(ref, options.namespace) + query);
    return { items: list.items, resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue || undefined };
  }

  watch(ref: ResourceRef, options: WatchOptions, callbacks: WatchCallbacks): WatchHandle {
    const query = queryString({ watch: "1", resourceVersion: options.resourceVersion, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, allowWatchBookmarks: options.allowBookmarks ? "true" : undefined });
    let closed = false;
    const close = (reason: { expired: boolean; error?: Error }) => {
      if (closed) return;
      closed = true;
      callbacks.onClose(reason);
    };
    const req = request({ ...this.requestOptions("GET", collectionPath(ref, options.namespace) + query) }, (res) => {
      if (res.statusCode !== 200) {
        collect(res, (body) => close({ expired: res.statusCode === 410, error: toError(res.statusCode ?? 0, body) }));
        return;
      }
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf("\n"); nl >= 0 && !closed; nl = buffer.indexOf("\n")) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) this.dispatch(line, callbacks, close);
        }
      });
      res.on("end", () => close({ expired: false }));
      res.on("error", (error) => close({ expired: false, error }));
    });
    req.on("error", (error) => close({ expired: false, error }));
    req.end();
    return {
      stop: () => {
        closed = true;
        req.destroy();
      },
    };
  }

  async create(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.json("POST", collectionPath(ref, namespace) + writeQuery(options), JSON.stringify(object));
  }

  async update(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const name = object.metadata?.name ?? "";
    return this.json("PUT", objectPath(ref, namespace, name, options.subresource) + writeQuery(options), JSON.stringify(object));
  }

  async patch(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options: PatchOptions = {}): Promise<KubeObject> {
    const query = writeQuery(options, options.force ? { force: "true" } : {});
    return this.json("PATCH", objectPath(ref, namespace, name, options.subresource) + query, JSON.stringify(patch), PATCH_CONTENT_TYPES[type]);
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<void> {
    await this.json("DELETE", objectPath(ref, namespace, name), JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", ...options }));
  }

  async createSubresource(ref: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    return this.json("POST", objectPath(ref, namespace, name, subresource), JSON.stringify(body));
  }

  /** A JSON request to any path (non-resource endpoints, e.g. kubelite's own); a Status reply throws. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.json<T>(method, path, body === undefined ? undefined : JSON.stringify(body));
  }

  /** Stops reusing connections (open watches end). */
  close(): void {
    this.agent.destroy();
  }

  private dispatch(line: string, callbacks: WatchCallbacks, close: (reason: { expired: boolean; error?: Error }) => void): void {
    const event = JSON.parse(line) as { type: WatchEventType | "ERROR"; object: KubeObject };
    if (event.type !== "ERROR") return callbacks.onEvent(event.type, event.object);
    const status = event.object as unknown as Status;
    close({ expired: status.code === 410, error: new StatusError(status.code, status.reason ?? "InternalError", status.message) });
  }

  private async json<T = KubeObject>(method: string, path: string, body?: string, contentType = "application/json"): Promise<T> {
    const reply = await this.send(method, path, body, contentType);
    if (reply.status >= 400) throw toError(reply.status, reply.body);
    return JSON.parse(reply.body) as T;
  }

  private send(method: string, path: string, body: string | undefined, contentType: string): Promise<Reply> {
    return new Promise((done, fail) => {
      const options = this.requestOptions(method, path);
      if (body !== undefined) options.headers = { ...options.headers, "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) };
      const req = request(options, (res) => collect(res, (text) => done({ status: res.statusCode ?? 0, body: text })));
      req.on("error", fail);
      req.end(body);
    });
  }

  private requestOptions(method: string, path: string) {
    const headers: Record<string, string | number> = { Accept: "application/json", "User-Agent": this.config.userAgent ?? "kubelite" };
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    return { host: this.base.hostname.replace(/^\[|\]$/g, ""), port: this.base.port || 443, method, path, agent: this.agent, headers };
  }
}

function collect(res: NodeJS.ReadableStream, done: (text: string) => void): void {
  const chunks: Buffer[] = [];
  res.on("data", (c: Buffer) => chunks.push(c));
  res.on("end", () => done(Buffer.concat(chunks).toString("utf8")));
}

function toError(code: number, body: string): StatusError {
  try {
    const status = JSON.parse(body) as Partial<Status>;
    if (status.kind === "Status") return new StatusError(code, status.reason ?? "InternalError", status.message ?? body, status.details);
  } catch {
    // not a Status: report the text as it came
  }
  return new StatusError(code, "InternalError", body.slice(0, 500) || `HTTP ${code}`);
}

function groupVersionPath(ref: ResourceRef): string {
  return ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
}

function collectionPath(ref: ResourceRef, namespace: string | undefined): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${groupVersionPath(ref)}${ns}/${ref.resource}`;
}

function objectPath(ref: ResourceRef, namespace: string | undefined, name: string, subresource?: string): string {
  return `${collectionPath(ref, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ""}`;
}

function writeQuery(options: WriteOptions, extra: Record<string, string> = {}): string {
  return queryString({ dryRun: options.dryRun ? "All" : undefined, fieldManager: options.fieldManager, ...extra });
}

function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== "") q.set(key, String(value));
  const text = q.toString();
  return text ? `?${text}` : "";
}
