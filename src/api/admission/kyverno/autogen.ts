// Kyverno's auto-generated rules for pod controllers: a validate rule that matches only Pods is
// copied for the controllers that carry a pod template, its pattern moved under the template
// (`spec.template` for Deployment, DaemonSet, StatefulSet, Job, ReplicaSet, ReplicationController;
// `spec.jobTemplate.spec.template` for CronJob) and its variables `request.object.spec` rewritten
// the same way, so a bad template is refused when applied rather than when its pods are created.
// The annotation pod-policies.kyverno.io/autogen-controllers chooses the controllers ("none": no rules).
import type { MatchResources, ResourceFilter, Rule } from "./policy.js";

export const AUTOGEN_ANNOTATION = "pod-policies.kyverno.io/autogen-controllers";
const TEMPLATE_CONTROLLERS = ["DaemonSet", "Deployment", "Job", "StatefulSet", "ReplicaSet", "ReplicationController"];
const ALL_CONTROLLERS = [...TEMPLATE_CONTROLLERS, "CronJob"];

/** The rules generated for a policy's rules, in Kyverno's order: the template controllers, then CronJob. */
export function autogenRules(rules: readonly Rule[], annotations: Readonly<Record<string, string>> | undefined): Rule[] {
  const wanted = controllersWanted(annotations?.[AUTOGEN_ANNOTATION]);
  if (wanted.length === 0) return [];
  const templateKinds = wanted.filter((kind) => kind !== "CronJob");
  const out: Rule[] = [];
  const eligible = rules.filter(matchesOnlyPods);
  if (templateKinds.length > 0) for (const rule of eligible) out.push(generate(rule, `autogen-${rule.name}`, templateKinds, ["spec", "template"]));
  if (wanted.includes("CronJob")) for (const rule of eligible) out.push(generate(rule, `autogen-cronjob-${rule.name}`, ["CronJob"], ["spec", "jobTemplate", "spec", "template"]));
  return out;
}

function controllersWanted(annotation: string | undefined): string[] {
  if (annotation === undefined || annotation === "" || annotation === "all") return ALL_CONTROLLERS;
  if (annotation === "none") return [];
  return annotation.split(",").map((s) => s.trim()).filter((kind) => ALL_CONTROLLERS.includes(kind));
}

/** Only validate rules whose every match filter names Pod alone (and no names or selector) are copied. */
function matchesOnlyPods(rule: Rule): boolean {
  if (!rule.validate || !rule.match) return false;
  const filters = filtersOf(rule.match);
  return filters.length > 0 && filters.every((f) => {
    const kinds = f.resources?.kinds ?? [];
    return kinds.length > 0 && kinds.every((kind) => kind === "Pod" || kind === "v1/Pod") && !f.resources?.selector && !f.resources?.names && !f.resources?.name;
  });
}

function filtersOf(match: MatchResources): ResourceFilter[] {
  if (match.any?.length) return match.any;
  if (match.all?.length) return match.all;
  return match.resources ? [match] : [];
}

function generate(rule: Rule, name: string, kinds: string[], templatePath: string[]): Rule {
  const generated: Rule = { ...structuredClone(rule), name };
  generated.match = withKinds(rule.match!, kinds);
  if (rule.exclude) generated.exclude = withKinds(rule.exclude, kinds);
  const validate = structuredClone(rule.validate!);
  if (validate.pattern !== undefined) validate.pattern = nest(validate.pattern, templatePath);
  if (validate.anyPattern !== undefined) validate.anyPattern = validate.anyPattern.map((p) => nest(p, templatePath));
  if (validate.deny?.conditions) validate.deny = { conditions: rewriteVariables(validate.deny.conditions, templatePath) };
  // foreach lists name the Pod's fields through variables; their patterns apply to the elements.
  if (validate.foreach) validate.foreach = rewriteVariables(validate.foreach, templatePath);
  generated.validate = validate;
  if (rule.preconditions) generated.preconditions = rewriteVariables(rule.preconditions, templatePath);
  return generated;
}

/** Replaces Pod kinds by the controllers' (filters that name other kinds keep them). */
function withKinds(match: MatchResources, kinds: string[]): MatchResources {
  const swap = (f: ResourceFilter): ResourceFilter => (f.resources?.kinds ? { ...f, resources: { ...f.resources, kinds } } : f);
  const out: MatchResources = { ...swap(match) };
  if (match.any) out.any = match.any.map(swap);
  if (match.all) out.all = match.all.map(swap);
  return out;
}

/** The Pod pattern's spec and metadata moved under the template. */
function nest(pattern: unknown, templatePath: string[]): unknown {
  if (typeof pattern !== "object" || pattern === null || Array.isArray(pattern)) return pattern;
  const inner: Record<string, unknown> = {};
  const outer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    if (/^([=X^(<+]*\()?(spec|metadata)\)?$/.test(key)) inner[key] = value;
    else outer[key] = value;
  }
  let node: Record<string, unknown> = inner;
  for (const key of [...templatePath].reverse()) node = { [key]: node };
  return { ...outer, ...node };
}

/** `request.object.spec` → `request.object.spec.template.spec` (and metadata) throughout `value`. */
function rewriteVariables<T>(value: T, templatePath: string[]): T {
  const prefix = `request.object.${templatePath.join(".")}`;
  return JSON.parse(JSON.stringify(value).replace(/request\.object\.(spec|metadata)\b/g, `${prefix}.$1`)) as T;
}
