// What an authorizer decides about: who asks, the verb, and either a resource (API group,
// resource, subresource, namespace, name) or a non-resource path. Mirrors upstream's
// authorizer.Attributes as the API server's RequestInfo fills them in.
import type { UserInfo } from "../authenticate.js";
import type { ResourceRequest } from "../../api/request-info.js";

export interface ResourceAttributes {
  kind: "resource";
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface NonResourceAttributes {
  kind: "nonResource";
  user: UserInfo;
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

/** pods/exec, attach and portforward are authorised as `create`, whatever the HTTP method (upstream since 1.30 for WebSocket GETs). */
const CREATE_SUBRESOURCES = new Set(["exec", "attach", "portforward"]);

export function resourceAttributes(user: UserInfo, request: Pick<ResourceRequest, "group" | "resource" | "subresource" | "namespace" | "name" | "verb">): ResourceAttributes {
  const subresource = request.subresource ?? "";
  let verb: string = request.verb;
  if (request.group === "" && request.resource === "pods" && CREATE_SUBRESOURCES.has(subresource)) verb = "create";
  return {
    kind: "resource",
    user,
    verb,
    apiGroup: request.group,
    resource: request.resource,
    subresource,
    namespace: request.namespace ?? "",
    name: request.name ?? "",
  };
}

/** Non-resource requests: the verb is the lower-cased HTTP method, GET/HEAD being `get` (upstream). */
export function nonResourceAttributes(user: UserInfo, method: string, path: string): NonResourceAttributes {
  const verb = method === "HEAD" ? "get" : method.toLowerCase();
  return { kind: "nonResource", user, verb, path };
}
