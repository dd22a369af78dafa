// Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-User, -Group, -Uid and
// -Extra-<key> headers replace the requester's identity, each value checked first with the
// `impersonate` verb as upstream's impersonation filter does: users (or serviceaccounts for
// system:serviceaccount:<ns>:<name>), groups, uids, and userextras/<key> in authentication.k8s.io.
import type { IncomingHttpHeaders } from "node:http";
import { badRequest } from "../../api/errors.js";
import { AUTHENTICATED_GROUP, type UserInfo } from "../authenticate.js";
import type { ResourceAttributes } from "./attributes.js";
import type { Authorizer } from "./authorizer.js";
import { forbidden } from "./forbidden.js";
import { serviceAccountOf } from "./service-account-user.js";

const EXTRA_PREFIX = "impersonate-extra-";

/** Headers as node gives each one's every value (IncomingMessage.headersDistinct). */
export type DistinctHeaders = Record<string, string[] | undefined>;

export function wantsImpersonation(headers: IncomingHttpHeaders): boolean {
  return Object.keys(headers).some((h) => h.startsWith("impersonate-"));
}

/** The identity the request acts as: the impersonated one, once every part of it is allowed. */
export function impersonate(requester: UserInfo, headers: DistinctHeaders, authorizer: Authorizer): UserInfo {
  const name = headers["impersonate-user"]?.[0];
  const groups = headers["impersonate-group"] ?? [];
  const uid = headers["impersonate-uid"]?.[0];
  const extra: Record<string, string[]> = {};
  for (const [header, values] of Object.entries(headers)) {
    if (header.startsWith(EXTRA_PREFIX) && values) extra[decodeURIComponent(header.slice(EXTRA_PREFIX.length)).toLowerCase()] = values;
  }
  if (name === undefined || name === "") {
    const asked = [...groups.map((g) => `groups=${g}`), ...(uid ? [`uid=${uid}`] : []), ...Object.keys(extra).map((k) => `extra=${k}`)];
    throw badRequest(`requested [${asked.join(" ")}] without impersonating a user`);
  }
  const check = (attrs: Omit<ResourceAttributes, "kind" | "user" | "verb">) => {
    const full: ResourceAttributes = { kind: "resource", user: requester, verb: "impersonate", ...attrs };
    const result = authorizer.authorize(full);
    if (result.decision !== "allow") throw forbidden(full, result.reason);
  };
  const serviceAccount = serviceAccountOf(name);
  if (serviceAccount) check({ apiGroup: "", resource: "serviceaccounts", subresource: "", namespace: serviceAccount.namespace, name: serviceAccount.name });
  else check({ apiGroup: "", resource: "users", subresource: "", namespace: "", name });
  for (const g of groups) check({ apiGroup: "", resource: "groups", subresource: "", namespace: "", name: g });
  if (uid) check({ apiGroup: "authentication.k8s.io", resource: "uids", subresource: "", namespace: "", name: uid });
  for (const [key, values] of Object.entries(extra)) {
    for (const value of values) check({ apiGroup: "authentication.k8s.io", resource: "userextras", subresource: key, namespace: "", name: value });
  }
  const impersonatedGroups = [...groups];
  if (serviceAccount && groups.length === 0) impersonatedGroups.push("system:serviceaccounts", `system:serviceaccounts:${serviceAccount.namespace}`);
  if (name === "system:anonymous") {
    if (!impersonatedGroups.includes("system:unauthenticated")) impersonatedGroups.push("system:unauthenticated");
  } else if (!impersonatedGroups.includes(AUTHENTICATED_GROUP)) {
    impersonatedGroups.push(AUTHENTICATED_GROUP);
  }
  return { name, groups: impersonatedGroups, ...(uid ? { uid } : {}), ...(Object.keys(extra).length > 0 ? { extra } : {}) };
}
