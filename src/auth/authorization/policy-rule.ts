// RBAC PolicyRules and how they match a request, as upstream's rbac authorizer (RuleAllows and its
// helpers): `*` in verbs, apiGroups, resources and nonResourceURLs; `*/sub` and `res/*` forms of
// resources; resourceNames limiting named requests (never a list or create without a name); a
// trailing `*` in nonResourceURLs matching a prefix.
import type { Attributes, ResourceAttributes } from "./attributes.js";

export interface PolicyRule {
  verbs: readonly string[];
  apiGroups?: readonly string[];
  resources?: readonly string[];
  resourceNames?: readonly string[];
  nonResourceURLs?: readonly string[];
}

const ALL = "*";

export function ruleAllows(attrs: Attributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (attrs.kind === "nonResource") return nonResourceURLMatches(rule, attrs.path);
  return apiGroupMatches(rule, attrs.apiGroup) && resourceMatches(rule, attrs.resource, attrs.subresource) && resourceNameMatches(rule, attrs.name);
}

/** Whether the rule would allow the request whatever its name: decisions of such rules can be cached per name-less request. */
export function ruleAllowsAnyName(attrs: ResourceAttributes, rule: PolicyRule): boolean {
  return (rule.resourceNames ?? []).length === 0 && ruleAllows(attrs, rule);
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === ALL || g === group);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === "" ? resource : `${resource}/${subresource}`;
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource === "") continue;
    // `*/scale` is any resource's scale subresource; `pods/*` any subresource of pods.
    if (r === `${ALL}/${subresource}` || r === `${resource}/${ALL}`) return true;
  }
  return false;
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return name !== "" && names.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const url of rule.nonResourceURLs ?? []) {
    if (url === ALL || url === path) return true;
    if (url.endsWith(ALL) && path.startsWith(url.slice(0, -1))) return true;
  }
  return false;
}

/** The rules of a Role or ClusterRole object, read defensively (stored objects passed validation). */
export function rulesOf(obj: { rules?: unknown } | undefined): PolicyRule[] {
  const rules = obj?.rules;
  if (!Array.isArray(rules)) return [];
  return rules.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null).map(toRule);
}

function toRule(raw: Record<string, unknown>): PolicyRule {
  const rule: { -readonly [K in keyof PolicyRule]: PolicyRule[K] } = { verbs: strings(raw.verbs) };
  for (const field of ["apiGroups", "resources", "resourceNames", "nonResourceURLs"] as const) {
    const values = strings(raw[field]);
    if (values.length > 0) rule[field] = values;
  }
  return rule;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** upstream PolicyRule.CompactString: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
export function compactRule(rule: PolicyRule): string {
  const parts: string[] = [];
  const quoted = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
  if (rule.apiGroups?.length) parts.push(`APIGroups:${quoted(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${quoted(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${quoted(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${quoted(rule.verbs)}`);
  return `{${parts.join(", ")}}`;
}
