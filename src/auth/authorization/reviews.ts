// The access review APIs: computed on create, never stored (upstream's authorization.k8s.io/v1
// SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview
// and authentication.k8s.io/v1 SelfSubjectReview). `kubectl auth can-i` asks the first, `can-i
// --list` the rules review, `auth whoami` the last.
import { invalidObject, invalid, required, type FieldError } from "../../api/validation/field-errors.js";
import type { KubeObject, ResourceDef } from "../../api/resource.js";
import type { UserInfo } from "../authenticate.js";
import type { Attributes } from "./attributes.js";
import type { ClusterAuthorization } from "./cluster-authorization.js";

type Json = Record<string, unknown>;

const AUTHORIZATION = "authorization.k8s.io";
const AUTHENTICATION = "authentication.k8s.io";

function reviewDef(group: string, kind: string, namespaced: boolean, compute: NonNullable<ResourceDef["computeCreate"]>): ResourceDef {
  const plural = `${kind.toLowerCase()}s`;
  return { group, version: "v1", kind, plural, singular: kind.toLowerCase(), namespaced, verbs: ["create"], computeCreate: compute };
}

export function reviewResources(authorization: ClusterAuthorization): ResourceDef[] {
  return [
    reviewDef(AUTHORIZATION, "SelfSubjectAccessReview", false, (obj, request) => accessReview(authorization, obj, request.user, "SelfSubjectAccessReview")),
    reviewDef(AUTHORIZATION, "SubjectAccessReview", false, (obj) => accessReview(authorization, obj, subjectOf(obj), "SubjectAccessReview")),
    reviewDef(AUTHORIZATION, "LocalSubjectAccessReview", true, (obj, request) => localAccessReview(authorization, obj, request.namespace ?? "")),
    reviewDef(AUTHORIZATION, "SelfSubjectRulesReview", false, (obj, request) => rulesReview(authorization, obj, request.user)),
    reviewDef(AUTHENTICATION, "SelfSubjectReview", false, (obj, request) => ({ ...obj, metadata: obj.metadata ?? {}, status: { userInfo: userInfoJson(request.user) } })),
  ];
}

function specOf(obj: KubeObject): Json {
  const spec = (obj as { spec?: unknown }).spec;
  return spec && typeof spec === "object" ? (spec as Json) : {};
}

function accessReview(authorization: ClusterAuthorization, obj: KubeObject, user: UserInfo, kind: string): KubeObject {
  const spec = specOf(obj);
  const errors = specErrors(spec, kind);
  if (errors.length > 0) throw invalidObject(kind, AUTHORIZATION, obj.metadata?.name ?? "", errors);
  const attrs = attributesOf(spec, user);
  const result = authorization.authorize(attrs);
  const status: Json = { allowed: result.decision === "allow" };
  if (result.decision === "deny") status.denied = true;
  if (result.reason) status.reason = result.reason;
  return { ...obj, metadata: obj.metadata ?? {}, status };
}

function localAccessReview(authorization: ClusterAuthorization, obj: KubeObject, namespace: string): KubeObject {
  const spec = specOf(obj);
  const resource = (spec.resourceAttributes ?? {}) as Json;
  if (spec.nonResourceAttributes !== undefined) {
    throw invalidObject("LocalSubjectAccessReview", AUTHORIZATION, "", [invalid("spec.nonResourceAttributes", spec.nonResourceAttributes, "disallowed on this kind of request")]);
  }
  if (resource.namespace !== undefined && resource.namespace !== "" && resource.namespace !== namespace) {
    throw invalidObject("LocalSubjectAccessReview", AUTHORIZATION, "", [invalid("spec.resourceAttributes.namespace", resource.namespace, "must match metadata.namespace")]);
  }
  const withNamespace = { ...obj, spec: { ...spec, resourceAttributes: { ...resource, namespace } } } as KubeObject;
  const reviewed = accessReview(authorization, withNamespace, subjectOf(withNamespace), "LocalSubjectAccessReview");
  return { ...reviewed, metadata: { ...reviewed.metadata, namespace } };
}

function specErrors(spec: Json, kind: string): FieldError[] {
  const errors: FieldError[] = [];
  if ((spec.resourceAttributes === undefined) === (spec.nonResourceAttributes === undefined)) {
    errors.push(invalid("spec.resourceAttributes", spec.resourceAttributes ?? null, "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
  }
  if (kind !== "SelfSubjectAccessReview" && !spec.user && !(Array.isArray(spec.groups) && spec.groups.length > 0)) {
    errors.push(required("spec.user", "at least one of user or group must be specified"));
  }
  return errors;
}

function attributesOf(spec: Json, user: UserInfo): Attributes {
  const text = (record: Json, field: string) => (typeof record[field] === "string" ? (record[field] as string) : "");
  if (spec.nonResourceAttributes) {
    const attrs = spec.nonResourceAttributes as Json;
    return { kind: "nonResource", user, verb: text(attrs, "verb"), path: text(attrs, "path") };
  }
  const attrs = (spec.resourceAttributes ?? {}) as Json;
  return {
    kind: "resource", user, verb: text(attrs, "verb"), apiGroup: text(attrs, "group"), resource: text(attrs, "resource"),
    subresource: text(attrs, "subresource"), namespace: text(attrs, "namespace"), name: text(attrs, "name"),
  };
}

/** The subject a SubjectAccessReview asks about. */
function subjectOf(obj: KubeObject): UserInfo {
  const spec = specOf(obj);
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === "string") : [];
  const user: UserInfo = { name: typeof spec.user === "string" ? spec.user : "", groups };
  if (typeof spec.uid === "string") user.uid = spec.uid;
  if (spec.extra && typeof spec.extra === "object") user.extra = spec.extra as Record<string, string[]>;
  return user;
}

function rulesReview(authorization: ClusterAuthorization, obj: KubeObject, user: UserInfo): KubeObject {
  const namespace = typeof specOf(obj).namespace === "string" ? (specOf(obj).namespace as string) : "";
  const { rules, errors } = authorization.rulesFor(user, namespace);
  const resourceRules = rules.filter((r) => !r.nonResourceURLs).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  const status: Json = { resourceRules, nonResourceRules, incomplete: errors.length > 0 };
  if (errors.length > 0) status.evaluationError = errors.join(", ");
  return { ...obj, metadata: obj.metadata ?? {}, status };
}

function userInfoJson(user: UserInfo): Json {
  return { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) };
}
