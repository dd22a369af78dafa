// Parses an API path into what it asks for, as upstream's RequestInfoFactory does:
// /api/v1/namespaces/ns/pods/name/log → group "", version v1, namespace ns, resource pods, name, subresource log.

/** Subresources of a Namespace itself, which must not be read as a resource inside it. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface ResourceRequest {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** The path after a `proxy` subresource (nodes/{name}/proxy/stats/summary → "/stats/summary"). */
  subpath?: string;
  verb: Verb;
}

/** Returns undefined for paths that are not resource requests (discovery, health, openapi...). */
export function parseResourceRequest(method: string, pathname: string, query: URLSearchParams): ResourceRequest | undefined {
  const parts = pathname.split("/").filter((p) => p.length > 0).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    rest = parts.slice(1);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1] ?? "";
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const version = rest[0] ?? "";
  let segments = rest.slice(1);
  let legacyWatch = false;
  if (segments[0] === "watch") {
    legacyWatch = true;
    segments = segments.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}... addresses namespaced resources; /namespaces and /namespaces/{name}[/sub] the Namespace itself.
  if (segments[0] === "namespaces" && segments.length >= 2) {
    namespace = segments[1];
    const next = segments[2];
    if (next !== undefined && !NAMESPACE_SUBRESOURCES.has(next)) segments = segments.slice(2);
  }
  const [resource, name, subresource, ...extra] = segments;
  if (!resource || (extra.length > 0 && subresource !== "proxy")) return undefined;
  const verb = verbFor(method, name, legacyWatch || isWatch(query));
  if (!verb) return undefined;
  const subpath = subresource === "proxy" ? `/${extra.map(encodeURIComponent).join("/")}` : undefined;
  return { group, version, namespace, resource, name, subresource, ...(subpath ? { subpath } : {}), verb };
}

function isWatch(query: URLSearchParams): boolean {
  const watch = query.get("watch");
  return watch === "true" || watch === "1";
}

function verbFor(method: string, name: string | undefined, watch: boolean): Verb | undefined {
  switch (method) {
    case "GET":
    case "HEAD":
      if (watch) return "watch";
      return name ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return name ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}
