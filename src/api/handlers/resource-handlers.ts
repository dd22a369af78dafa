// Serves /api/v1/... and /apis/<group>/<version>/... resource requests: resolves the ResourceDef,
// parses the query, and dispatches the verb (get, list, watch, create, update, patch, delete,
// deletecollection) and the status, scale, binding and namespace finalize subresources, and the
// pods/log, exec, attach and portforward streams.
import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeObject, readBody } from "../body.js";
import { badRequest, methodNotAllowed, StatusError } from "../errors.js";
import { buildListFilter } from "../selector-filter.js";
import type { RequestContext } from "../request-context.js";
import type { ResourceRequest } from "../request-info.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "../resource.js";
import { writeJson, writeWarnings } from "../respond.js";
import { table, tableRow, wantsTable, type IncludeObject } from "../table.js";
import type { ApiContext } from "./api-context.js";
import { deleteCollection, deleteOptionsFrom } from "./delete.js";
import { listItems, writeList } from "./list.js";
import { patchObject } from "./patch.js";
import { withTypeMeta } from "../patch-resource.js";
import { serveScale } from "./scale.js";
import { bindPod } from "./binding.js";
import { serveNodeProxy } from "./node-proxy.js";
import { serveWatch } from "./watch.js";
import { serveTokenRequest } from "./token-request.js";
import { POD_STREAM_SUBRESOURCES, servePodStream, type UpgradeExchange } from "./pod-streams.js";

export interface HttpExchange {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  ctx: RequestContext;
  /** Set when the request asked to switch protocols (exec, attach, portforward). */
  upgrade?: UpgradeExchange;
}

export async function serveResource(api: ApiContext, request: ResourceRequest, http: HttpExchange): Promise<void> {
  const def = api.discovery.find(request.group, request.version, request.resource);
  if (!def) throw resourceNotFound(request);
  const namespace = def.namespaced ? request.namespace : undefined;
  if (def.namespaced && !namespace && request.verb !== "list" && request.verb !== "watch") {
    throw new StatusError(404, "NotFound", `${def.plural} must be addressed within a namespace: /…/namespaces/<namespace>/${def.plural}`);
  }
  if (def.computeCreate) return serveComputed(def, namespace, request, http);
  if (request.subresource) return serveSubresource(api, def, namespace, request, http);
  switch (request.verb) {
    case "get":
      return serveGet(api, def, namespace, request.name!, http);
    case "list":
      return serveList(api, def, namespace, http);
    case "watch":
      return serveWatch(api, def, watchRequest(api, def, namespace, request.name, http), http.req, http.res);
    case "create":
      return serveCreate(api, def, namespace, http);
    case "update":
      return serveUpdate(api, def, namespace, request.name!, http, undefined);
    case "patch":
      return replyObject(api, def, http, 200, await patchObject(api, def, namespace, request.name!, http, undefined));
    case "delete": {
      const options = await deleteOptionsFrom(http);
      const result = await api.registry.delete(def, namespace, request.name!, options, http.ctx);
      return reply(http, result.deleted ? 200 : 202, result.object);
    }
    case "deletecollection":
      return reply(http, 200, await deleteCollection(api, def, namespace, http));
  }
}

async function serveSubresource(api: ApiContext, def: ResourceDef, namespace: string | undefined, request: ResourceRequest, http: HttpExchange): Promise<void> {
  const name = request.name!;
  const sub = request.subresource!;
  if (sub === "status" && def.statusSubresource) {
    if (request.verb === "get") return reply(http, 200, await api.registry.get(def, namespace, name));
    if (request.verb === "update") return serveUpdate(api, def, namespace, name, http, "status");
    if (request.verb === "patch") return replyObject(api, def, http, 200, await patchObject(api, def, namespace, name, http, "status"));
    throw methodNotAllowed(`${def.plural}/status supports get, update and patch, not ${request.verb}`);
  }
  if (def.partialSubresources?.[sub]) {
    if (request.verb === "get") return reply(http, 200, await api.registry.get(def, namespace, name));
    if (request.verb === "update") return serveUpdate(api, def, namespace, name, http, sub);
    if (request.verb === "patch") return replyObject(api, def, http, 200, await patchObject(api, def, namespace, name, http, sub));
    throw methodNotAllowed(`${def.plural}/${sub} supports get, update and patch, not ${request.verb}`);
  }
  if (sub === "proxy" && def.group === "" && def.kind === "Node") return serveNodeProxy(api, def, name, request.subpath ?? "/", request.verb, http);
  if (sub === "scale" && def.scale) return serveScale(api, def, namespace, name, request.verb, http);
  if (sub === "binding" && def.group === "" && def.kind === "Pod" && request.verb === "create") return bindPod(api, def, namespace, name, http);
  if (sub === "token" && def.group === "" && def.kind === "ServiceAccount" && request.verb === "create") return serveTokenRequest(api, def, namespace, name, http);
  if (def.group === "" && def.kind === "Pod" && POD_STREAM_SUBRESOURCES.includes(sub)) return servePodStream(api, def, namespace, name, sub, request.verb, http);
  // PUT namespaces/<name>/finalize: the registry writes only spec.finalizers (upstream's FinalizeREST).
  if (sub === "finalize" && def.group === "" && def.kind === "Namespace" && request.verb === "update") return serveUpdate(api, def, namespace, name, http, "finalize");
  throw resourceNotFound(request);
}

async function serveGet(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange): Promise<void> {
  const cached = await api.registry.getCached(def, namespace, name);
  const obj = def.conversion ? api.registry.toServedVersion(def, JSON.parse(cached.json) as KubeObject) : undefined;
  if (wantsTable(http.req.headers.accept)) {
    const parsed = obj ?? (JSON.parse(cached.json) as KubeObject);
    return writeJson(http.res, 200, table(def, [tableRow(def, parsed, includeObject(http.query), api.now())], { resourceVersion: String(cached.revision) }));
  }
  writeJson(http.res, 200, obj ?? cached.json);
}

async function serveList(api: ApiContext, def: ResourceDef, namespace: string | undefined, http: HttpExchange): Promise<void> {
  const q = http.query;
  const listed = await listItems(api, def, {
    namespace,
    filter: buildListFilter(def, q.get("labelSelector"), q.get("fieldSelector")),
    limit: nonNegativeInt(q.get("limit"), "limit") ?? 0,
    continueToken: q.get("continue") || undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
  });
  if (wantsTable(http.req.headers.accept)) {
    const include = includeObject(q);
    const now = api.now();
    const rows = listed.items.map((json) => tableRow(def, JSON.parse(json) as KubeObject, include, now));
    const meta: Record<string, unknown> = { resourceVersion: String(listed.revision) };
    if (listed.continueToken) meta.continue = listed.continueToken;
    if (listed.remainingItemCount !== undefined) meta.remainingItemCount = listed.remainingItemCount;
    return writeJson(http.res, 200, table(def, rows, meta));
  }
  await writeList(http.res, def, listed);
}

async function serveCreate(api: ApiContext, def: ResourceDef, namespace: string | undefined, http: HttpExchange): Promise<void> {
  const obj = withTypeMeta(def, await decodeObject(await readBody(http.req), http.req.headers["content-type"]));
  replyObject(api, def, http, 201, await api.registry.create(def, namespace, obj, http.ctx));
}

/** Create-only computed resources (access reviews): the reply is computed from the request, nothing is stored. */
async function serveComputed(def: ResourceDef, namespace: string | undefined, request: ResourceRequest, http: HttpExchange): Promise<void> {
  if (request.verb !== "create" || request.name !== undefined) throw methodNotAllowed(`${def.plural}.${def.group} supports only create`);
  const obj = withTypeMeta(def, await decodeObject(await readBody(http.req), http.req.headers["content-type"]));
  reply(http, 201, def.computeCreate!(obj, { user: http.ctx.user, namespace }));
}

async function serveUpdate(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string, http: HttpExchange, subresource: string | undefined): Promise<void> {
  const obj = withTypeMeta(def, await decodeObject(await readBody(http.req), http.req.headers["content-type"]));
  replyObject(api, def, http, 200, await api.registry.update(def, namespace, name, obj, http.ctx, subresource));
}

/** A written object's reply: the watch cache's bytes of that revision when it has them. */
function replyObject(api: ApiContext, def: ResourceDef, http: HttpExchange, code: number, obj: KubeObject): void {
  // A dry run's object was never stored: the cache holds the live one, at the same revision.
  reply(http, code, (!http.ctx.dryRun && api.registry.cachedJson(def, obj)) || obj);
}

function reply(http: HttpExchange, code: number, body: unknown): void {
  writeWarnings(http.res, http.ctx.warnings);
  writeJson(http.res, code, body);
}

function watchRequest(api: ApiContext, def: ResourceDef, namespace: string | undefined, name: string | undefined, http: HttpExchange) {
  const q = http.query;
  // The legacy /watch/.../<name> form is a watch filtered to one name.
  const fieldSelector = name ? [q.get("fieldSelector"), `metadata.name=${name}`].filter(Boolean).join(",") : q.get("fieldSelector");
  const sendInitial = q.get("sendInitialEvents");
  return {
    namespace,
    filter: buildListFilter(def, q.get("labelSelector"), fieldSelector),
    resourceVersion: q.get("resourceVersion") ?? undefined,
    allowBookmarks: q.get("allowWatchBookmarks") === "true",
    sendInitialEvents: sendInitial === null ? undefined : sendInitial === "true",
    timeoutSeconds: nonNegativeInt(q.get("timeoutSeconds"), "timeoutSeconds"),
    table: wantsTable(http.req.headers.accept) ? { include: includeObject(q) } : undefined,
  };
}

function includeObject(q: URLSearchParams): IncludeObject {
  const value = q.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}

export function nonNegativeInt(raw: string | null, name: string): number | undefined {
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

function resourceNotFound(request: ResourceRequest): StatusError {
  const what = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const gv = request.group ? `${request.group}/${request.version}` : request.version;
  return new StatusError(404, "NotFound", `the server could not find the requested resource: ${gv} has no resource "${what}"`, { name: request.name, group: request.group, kind: request.resource });
}
