// Kyverno's match and exclude (pkg/engine/utils MatchesResourceDescription): a filter matches when
// every part it sets matches — kinds (`Pod`, `v1/Pod`, `apps/v1/Deployment`, `Pod/exec`, wildcards),
// names and namespaces (wildcards), annotations, label selector, namespace selector, operations, and
// who asks (subjects, roles, clusterRoles). `any` needs one filter, `all` every filter; a rule
// applies when `match` matches and `exclude` does not.
import { selectorOf } from "../../resources/label-selectors.js";
import type { UserInfo } from "../../../auth/authenticate.js";
import type { MatchResources, ResourceDescription, ResourceFilter, Subject } from "./policy.js";
import { wildcardMatch } from "./wildcard.js";

/** What a filter is matched against. Lookups that cost something are functions, called only when a filter needs them. */
export interface MatchTarget {
  group: string;
  version: string;
  kind: string;
  subresource: string | undefined;
  name: string;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
  operation: string;
  user: UserInfo;
  namespaceLabels(): Readonly<Record<string, string>>;
  /** "namespace:role" names of the Roles bound to the user in the target's namespace. */
  roles(): readonly string[];
  clusterRoles(): readonly string[];
}

const DEFAULT_OPERATIONS = ["CREATE", "UPDATE"];

export function ruleApplies(match: MatchResources | undefined, exclude: MatchResources | undefined, target: MatchTarget): boolean {
  if (!match || !matches(match, target)) return false;
  return !exclude || !matchesAnything(exclude) || !matches(exclude, target);
}

function matchesAnything(m: MatchResources): boolean {
  return Boolean(m.any?.length || m.all?.length || m.resources || m.subjects || m.roles || m.clusterRoles);
}

function matches(m: MatchResources, target: MatchTarget): boolean {
  if (m.any?.length) return m.any.some((f) => filterMatches(f, target));
  if (m.all?.length) return m.all.every((f) => filterMatches(f, target));
  return filterMatches(m, target);
}

function filterMatches(filter: ResourceFilter, target: MatchTarget): boolean {
  if (filter.resources && !resourceMatches(filter.resources, target)) return false;
  if (filter.subjects && !filter.subjects.some((s) => subjectMatches(s, target.user))) return false;
  if (filter.roles && !filter.roles.some((r) => target.roles().includes(r))) return false;
  if (filter.clusterRoles && !filter.clusterRoles.some((r) => target.clusterRoles().includes(r))) return false;
  return true;
}

function resourceMatches(r: ResourceDescription, target: MatchTarget): boolean {
  if (!(r.operations ?? DEFAULT_OPERATIONS).includes(target.operation)) return false;
  if (r.kinds && !r.kinds.some((kind) => kindMatches(kind, target))) return false;
  // Without kinds a filter never names a subresource, so subresource writes stay out.
  if (!r.kinds && target.subresource !== undefined) return false;
  const names = r.names ?? (r.name ? [r.name] : undefined);
  if (names && !names.some((n) => wildcardMatch(n, target.name))) return false;
  if (r.namespaces && !r.namespaces.some((n) => target.namespace !== undefined && wildcardMatch(n, target.namespace))) return false;
  if (r.annotations && !Object.entries(r.annotations).every(([k, v]) => Object.entries(target.annotations).some(([ak, av]) => wildcardMatch(k, ak) && wildcardMatch(v, av)))) return false;
  if (r.selector !== undefined && !selectorOf(r.selector)?.matches(target.labels)) return false;
  if (r.namespaceSelector !== undefined && (target.namespace === undefined || !selectorOf(r.namespaceSelector)?.matches(target.namespaceLabels()))) return false;
  return true;
}

/** `Kind`, `Kind/subresource`, `version/Kind`, `group/version/Kind` (and `group/version/Kind/subresource`), each part a wildcard. */
export function kindMatches(text: string, target: Pick<MatchTarget, "group" | "version" | "kind" | "subresource">): boolean {
  const parts = text.split("/");
  let group = "*";
  let version = "*";
  let kind: string;
  let subresource: string | undefined;
  if (parts.length === 1) [kind] = parts as [string];
  else if (parts.length === 2) {
    const [first, second] = parts as [string, string];
    if (/^[A-Z*]/.test(first)) [kind, subresource] = [first, second];
    else [version, kind] = [first, second];
  } else if (parts.length === 3) [group, version, kind] = parts as [string, string, string];
  else [group, version, kind, subresource] = parts as [string, string, string, string];
  if (!wildcardMatch(group, target.group) || !wildcardMatch(version, target.version) || !wildcardMatch(kind, target.kind)) return false;
  if (target.subresource === undefined) return subresource === undefined;
  return subresource !== undefined && wildcardMatch(subresource, target.subresource);
}

function subjectMatches(subject: Subject, user: UserInfo): boolean {
  switch (subject.kind) {
    case "User":
      return wildcardMatch(subject.name, user.name);
    case "Group":
      return user.groups.some((g) => wildcardMatch(subject.name, g));
    case "ServiceAccount":
      return user.name === `system:serviceaccount:${subject.namespace ?? ""}:${subject.name}`;
    default:
      return false;
  }
}
