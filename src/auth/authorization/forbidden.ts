// The 403 a refused request gets, worded as upstream's responsewriters.Forbidden and
// errors.NewForbidden: `pods is forbidden: User "alice" cannot list resource "pods" in API group ""
// in the namespace "default"`, and for paths `forbidden: User "x" cannot get path "/foo"`.
import { qualifiedResource, StatusError } from "../../api/errors.js";
import type { Attributes } from "./attributes.js";

export function forbiddenMessage(attrs: Attributes): string {
  const user = attrs.user.name;
  if (attrs.kind === "nonResource") return `User ${JSON.stringify(user)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace ${JSON.stringify(attrs.namespace)}` : "at the cluster scope";
  return `User ${JSON.stringify(user)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${scope}`;
}

export function forbidden(attrs: Attributes, reason = ""): StatusError {
  const message = reason ? `${forbiddenMessage(attrs)}: ${reason}` : forbiddenMessage(attrs);
  if (attrs.kind === "nonResource") return new StatusError(403, "Forbidden", `forbidden: ${message}`, {});
  return forbiddenFor(attrs.resource, attrs.apiGroup, attrs.name, message);
}

/** upstream errors.NewForbidden(groupResource, name, err). */
export function forbiddenFor(resource: string, group: string, name: string, message: string): StatusError {
  const what = qualifiedResource(resource, group);
  const text = name ? `${what} ${JSON.stringify(name)} is forbidden: ${message}` : `${what} is forbidden: ${message}`;
  return new StatusError(403, "Forbidden", text, { name: name || undefined, group, kind: resource });
}
