// Which requests an admission policy or webhook applies to (upstream's admission/plugin/webhook/
// predicates and policy matching): rules on operation, group, version, resource ("*", "*/*",
// "res/sub", "*/sub") and scope, then the namespace selector (the namespace's labels; a Namespace is
// matched on its own labels, other cluster-scoped objects always match) and the object selector
// (the new or the old object's labels).
import type { ClusterCache } from "../cluster-cache.js";
import type { LabelSelector } from "../label-selector.js";
import { isRecord, recordsAt, stringAt, stringsAt, type JsonRecord } from "../resources/object-fields.js";
import { selectorOf } from "../resources/label-selectors.js";
import type { AdmissionAttributes } from "./attributes.js";

/** One RuleWithOperations / NamedRuleWithOperations. */
export function ruleMatches(rule: JsonRecord, attrs: AdmissionAttributes): boolean {
  const { request, resource } = attrs;
  const has = (list: string[], value: string) => list.includes("*") || list.includes(value);
  if (!has(stringsAt(rule, "operations"), request.operation)) return false;
  if (!has(stringsAt(rule, "apiGroups"), resource.group)) return false;
  if (!has(stringsAt(rule, "apiVersions"), resource.version)) return false;
  if (!stringsAt(rule, "resources").some((r) => resourceMatches(r, resource.resource, attrs.subResource))) return false;
  const names = stringsAt(rule, "resourceNames");
  if (names.length > 0 && !names.includes(request.name)) return false;
  const scope = stringAt(rule, "scope") ?? "*";
  if (scope === "Cluster") return !request.def.namespaced;
  if (scope === "Namespaced") return request.def.namespaced;
  return true;
}

function resourceMatches(pattern: string, resource: string, subresource: string): boolean {
  if (pattern === "*/*") return true;
  const [res, sub = ""] = pattern.split("/", 2) as [string, string?];
  if (res !== "*" && res !== resource) return false;
  if (sub === "*") return true;
  return sub === subresource;
}

export function anyRuleMatches(rules: JsonRecord[], attrs: AdmissionAttributes): boolean {
  return rules.some((rule) => ruleMatches(rule, attrs));
}

/** The labels namespace selectors are matched against, or undefined when the selector does not apply (cluster-scoped). */
export function namespaceLabels(attrs: AdmissionAttributes, cache: ClusterCache): Record<string, string> | undefined {
  const { def, namespace } = attrs.request;
  if (def.group === "" && def.plural === "namespaces") return (attrs.object ?? attrs.oldObject)?.metadata?.labels ?? {};
  if (!def.namespaced || !namespace) return undefined;
  return { ...(cache.get("namespaces").get(`/registry/namespaces/${namespace}`)?.labels ?? {}) };
}

/** A selector field; an absent one matches everything, an invalid one nothing. */
function selector(value: unknown): LabelSelector | undefined {
  return selectorOf(isRecord(value) ? value : {});
}

export function selectorsMatch(config: JsonRecord, attrs: AdmissionAttributes, cache: ClusterCache): boolean {
  const nsLabels = namespaceLabels(attrs, cache);
  if (nsLabels !== undefined && !selector(config.namespaceSelector)?.matches(nsLabels)) return false;
  const objects = [attrs.object, attrs.oldObject].filter((o) => o !== null);
  const objectSelector = selector(config.objectSelector);
  if (!objectSelector) return false;
  return objects.length === 0 ? objectSelector.isEmpty() : objects.some((o) => objectSelector.matches(o?.metadata?.labels ?? {}));
}

/**
 * upstream MatchResources: selectors, then resourceRules, then not excludeResourceRules. A binding's
 * matchResources without resourceRules narrows nothing by resource (`emptyRulesMatch`).
 */
export function matchResourcesMatch(match: JsonRecord, attrs: AdmissionAttributes, cache: ClusterCache, emptyRulesMatch = false): boolean {
  if (!selectorsMatch(match, attrs, cache)) return false;
  const rules = recordsAt(match, "resourceRules");
  if (!(emptyRulesMatch && rules.length === 0) && !anyRuleMatches(rules, attrs)) return false;
  return !anyRuleMatches(recordsAt(match, "excludeResourceRules"), attrs);
}
