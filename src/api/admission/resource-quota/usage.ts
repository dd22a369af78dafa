// What one object consumes of a ResourceQuota (upstream's quota evaluators, pkg/quota/v1/evaluator/core):
// pods count pods and their requests/limits (terminal pods nothing), claims count storage requests
// (also per storage class), services count node ports and load balancers, and every kind counts
// as `count/<resource>[.<group>]` (plus the legacy names of core kinds). Scopes and scopeSelector
// (PriorityClass In/NotIn/Exists, BestEffort, Terminating, CrossNamespacePodAffinity) narrow which pods a
// quota covers. Shared by quota admission and the quota controller.
import { Quantity } from "../../quantity.js";
import type { KubeObject } from "../../resource.js";
import { recordAt, recordsAt, stringAt, stringsAt } from "../../resources/object-fields.js";
import { podResources, resourceList, type ResourceList } from "../resource-list.js";

export interface GroupResource {
  group: string;
  resource: string;
}

/** Core kinds whose object count also has a bare legacy name ("pods", "services"...). */
const LEGACY_COUNTS = new Set(["pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims"]);
const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

export function countName(gr: GroupResource): string {
  return gr.group ? `count/${gr.resource}.${gr.group}` : `count/${gr.resource}`;
}

/** The usage of one object; an empty list when it consumes nothing. */
export function objectUsage(gr: GroupResource, obj: KubeObject): ResourceList {
  if (gr.group === "" && gr.resource === "pods") return podUsage(obj);
  const usage: ResourceList = new Map([[countName(gr), one()]]);
  if (gr.group === "" && LEGACY_COUNTS.has(gr.resource)) usage.set(gr.resource, one());
  if (gr.group === "" && gr.resource === "persistentvolumeclaims") addClaimUsage(obj, usage);
  if (gr.group === "" && gr.resource === "services") addServiceUsage(obj, usage);
  return usage;
}

function one(): Quantity {
  return Quantity.fromInt(1);
}

/** Succeeded and Failed pods hold no quota (upstream QuotaV1Pod). */
export function isTerminalPod(pod: KubeObject): boolean {
  const phase = stringAt(pod, "status", "phase");
  return phase === "Succeeded" || phase === "Failed";
}

function podUsage(pod: KubeObject): ResourceList {
  if (isTerminalPod(pod)) return new Map();
  const spec = recordAt(pod, "spec");
  const usage: ResourceList = new Map([["pods", one()], ["count/pods", one()]]);
  for (const [name, q] of podResources(spec, "requests")) {
    usage.set(`requests.${name}`, q);
    if (name === "cpu" || name === "memory" || name === "ephemeral-storage") usage.set(name, q);
  }
  for (const [name, q] of podResources(spec, "limits")) {
    if (name === "cpu" || name === "memory" || name === "ephemeral-storage") usage.set(`limits.${name}`, q);
  }
  return usage;
}

function addClaimUsage(claim: KubeObject, usage: ResourceList): void {
  const storage = resourceList(recordAt(claim, "spec", "resources", "requests")).get("storage");
  const className = stringAt(claim, "spec", "storageClassName");
  if (className) usage.set(`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, one());
  if (!storage) return;
  usage.set("requests.storage", storage);
  if (className) usage.set(`${className}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
}

function addServiceUsage(service: KubeObject, usage: ResourceList): void {
  const type = stringAt(service, "spec", "type") ?? "ClusterIP";
  const ports = recordsAt(service, "spec", "ports");
  if (type === "LoadBalancer") usage.set("services.loadbalancers", one());
  if (type === "NodePort" || type === "LoadBalancer") usage.set("services.nodeports", Quantity.fromInt(ports.length));
}

interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values: string[];
}

/** spec.scopes (each an Exists) and spec.scopeSelector's expressions, all of which must match. */
function scopeRequirements(quota: KubeObject): ScopeRequirement[] {
  const fromScopes = stringsAt(quota, "spec", "scopes").map((scopeName) => ({ scopeName, operator: "Exists", values: [] }));
  const fromSelector = recordsAt(quota, "spec", "scopeSelector", "matchExpressions").map((e) => ({ scopeName: stringAt(e, "scopeName") ?? "", operator: stringAt(e, "operator") ?? "", values: stringsAt(e, "values") }));
  return [...fromScopes, ...fromSelector];
}

/** Whether a quota's scopes cover the object (scopes only ever match pods). */
export function scopesMatch(quota: KubeObject, gr: GroupResource, obj: KubeObject): boolean {
  const requirements = scopeRequirements(quota);
  if (requirements.length === 0) return true;
  if (!(gr.group === "" && gr.resource === "pods")) return false;
  return requirements.every((requirement) => podMatchesScope(requirement, obj));
}

function podMatchesScope(requirement: ScopeRequirement, pod: KubeObject): boolean {
  const spec = recordAt(pod, "spec");
  const terminating = spec?.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null;
  switch (requirement.scopeName) {
    case "Terminating":
      return terminating;
    case "NotTerminating":
      return !terminating;
    case "BestEffort":
      return isBestEffort(pod);
    case "NotBestEffort":
      return !isBestEffort(pod);
    case "CrossNamespacePodAffinity":
      return usesCrossNamespaceAffinity(pod);
    case "PriorityClass":
      return priorityClassMatches(requirement, stringAt(pod, "spec", "priorityClassName") ?? "");
    default:
      return false;
  }
}

/** upstream: Exists asks for a priority class; other operators match the name as a label value. */
function priorityClassMatches(requirement: ScopeRequirement, name: string): boolean {
  switch (requirement.operator) {
    case "Exists":
      return name !== "";
    case "In":
      return requirement.values.includes(name);
    case "NotIn":
      return !requirement.values.includes(name);
    default:
      return false;
  }
}

function usesCrossNamespaceAffinity(pod: KubeObject): boolean {
  const affinity = recordAt(pod, "spec", "affinity");
  const terms = ["podAffinity", "podAntiAffinity"].flatMap((kind) => [
    ...recordsAt(affinity, kind, "requiredDuringSchedulingIgnoredDuringExecution"),
    ...recordsAt(affinity, kind, "preferredDuringSchedulingIgnoredDuringExecution").map((w) => recordAt(w, "podAffinityTerm") ?? {}),
  ]);
  return terms.some((term) => term.namespaceSelector !== undefined || stringsAt(term, "namespaces").length > 0);
}

function isBestEffort(pod: KubeObject): boolean {
  const spec = recordAt(pod, "spec");
  return podResources(spec, "requests").size === 0 && podResources(spec, "limits").size === 0;
}

/** upstream podConstraints: quotas on cpu or memory need every container to state them. */
export function missingPodResources(pod: KubeObject, restricted: Iterable<string>): string | undefined {
  const missing = new Map<string, Set<string>>();
  const wanted = [...restricted].filter((r) => ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].includes(r));
  const spec = recordAt(pod, "spec");
  for (const c of [...recordsAt(spec, "containers"), ...recordsAt(spec, "initContainers")]) {
    for (const name of wanted) {
      const [field, resource] = name.startsWith("limits.") ? (["limits", name.slice(7)] as const) : (["requests", name.replace("requests.", "")] as const);
      if (resourceList(recordAt(c, "resources", field)).has(resource)) continue;
      missing.set(name, (missing.get(name) ?? new Set()).add(stringAt(c, "name") ?? ""));
    }
  }
  if (missing.size === 0) return undefined;
  return `must specify ${[...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`).join("; ")}`;
}

/** upstream Evaluator.MatchingResources: the quota resource names this kind's usage is measured in. */
export function matchingResources(gr: GroupResource, names: Iterable<string>): string[] {
  return [...names].filter((name) => tracks(gr, name));
}

function tracks(gr: GroupResource, name: string): boolean {
  if (name === countName(gr) || (gr.group === "" && LEGACY_COUNTS.has(gr.resource) && name === gr.resource)) return true;
  if (gr.group !== "") return false;
  if (gr.resource === "pods") return ["cpu", "memory", "ephemeral-storage"].includes(name) || name.startsWith("requests.") || name.startsWith("limits.") || name.startsWith("hugepages-");
  if (gr.resource === "persistentvolumeclaims") return name === "requests.storage" || name.includes(STORAGE_CLASS_SUFFIX);
  if (gr.resource === "services") return name === "services.nodeports" || name === "services.loadbalancers";
  return false;
}
