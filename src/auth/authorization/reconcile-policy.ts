// Puts the default policy in place at every server start, as upstream's RBAC post-start hook
// reconciles its bootstrap policy: missing roles and bindings are created; existing ones annotated
// `rbac.authorization.kubernetes.io/autoupdate: "true"` (or not annotated) get back the default
// rules, aggregation selectors and subjects they lack, keeping anything an administrator added;
// `autoupdate: "false"` leaves them alone. A binding whose roleRef changed is recreated.
import type { ApiContext } from "../../api/handlers/api-context.js";
import type { KubeObject, ResourceDef } from "../../api/resource.js";
import { systemContext } from "../../api/system-namespaces.js";
import { AUTOUPDATE_ANNOTATION } from "./policy-builders.js";
import { defaultClusterRoleBindings, defaultClusterRoles } from "./bootstrap-policy.js";

const RBAC = "rbac.authorization.k8s.io";

export async function reconcileDefaultPolicy(api: ApiContext): Promise<void> {
  const roles = rbacDef(api, "clusterroles");
  const bindings = rbacDef(api, "clusterrolebindings");
  // All at once: the store commits concurrent writes together (one fsync on a first start).
  await Promise.all([
    ...defaultClusterRoles().map((role) => reconcileObject(api, roles, role, withDefaultRules)),
    ...defaultClusterRoleBindings().map((binding) => reconcileObject(api, bindings, binding, withDefaultSubjects)),
  ]);
  await api.cache.waitFresh();
}

function rbacDef(api: ApiContext, plural: string): ResourceDef {
  const def = api.discovery.find(RBAC, "v1", plural);
  if (!def) throw new Error(`the ${plural} resource is not registered`);
  return def;
}

/** Returns the object to write, or undefined when nothing must change (or it must be recreated: "recreate"). */
type Reconcile = (existing: KubeObject, wanted: KubeObject) => KubeObject | undefined | "recreate";

async function reconcileObject(api: ApiContext, def: ResourceDef, wanted: KubeObject, reconcile: Reconcile): Promise<void> {
  const name = wanted.metadata?.name ?? "";
  const ctx = systemContext("kube-apiserver");
  const cached = api.cache.get(api.registry.storageResource(def)).get(api.registry.key(def, undefined, name));
  if (!cached) {
    await api.registry.create(def, undefined, wanted, ctx);
    return;
  }
  const existing = cached.object ?? (JSON.parse(cached.json) as KubeObject);
  if (existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === "false") return;
  const next = reconcile(existing, wanted);
  if (next === "recreate") {
    await api.registry.delete(def, undefined, name, {}, ctx);
    await api.registry.create(def, undefined, wanted, ctx);
  } else if (next) {
    await api.registry.update(def, undefined, name, next, ctx);
  }
}

function withDefaultRules(existing: KubeObject, wanted: KubeObject): KubeObject | undefined {
  const current = existing as KubeObject & { rules?: unknown[]; aggregationRule?: { clusterRoleSelectors?: unknown[] } };
  const target = wanted as typeof current;
  const rules = current.rules ?? [];
  const missingRules = target.aggregationRule ? [] : (target.rules ?? []).filter((r) => !containsJson(rules, r));
  const selectors = current.aggregationRule?.clusterRoleSelectors ?? [];
  const missingSelectors = (target.aggregationRule?.clusterRoleSelectors ?? []).filter((s) => !containsJson(selectors, s));
  const missingLabels = Object.entries(wanted.metadata?.labels ?? {}).filter(([k, v]) => existing.metadata?.labels?.[k] !== v);
  if (missingRules.length === 0 && missingSelectors.length === 0 && missingLabels.length === 0) return undefined;
  const next = structuredClone(existing) as typeof current;
  next.metadata = { ...next.metadata, labels: { ...next.metadata?.labels, ...Object.fromEntries(missingLabels) } };
  if (missingRules.length > 0) next.rules = [...rules, ...missingRules];
  if (missingSelectors.length > 0) next.aggregationRule = { clusterRoleSelectors: [...selectors, ...missingSelectors] };
  return next;
}

function withDefaultSubjects(existing: KubeObject, wanted: KubeObject): KubeObject | undefined | "recreate" {
  const current = existing as KubeObject & { subjects?: unknown[]; roleRef?: unknown };
  const target = wanted as typeof current;
  if (JSON.stringify(current.roleRef) !== JSON.stringify(target.roleRef)) return "recreate";
  const subjects = current.subjects ?? [];
  const missing = (target.subjects ?? []).filter((s) => !containsJson(subjects, s));
  if (missing.length === 0) return undefined;
  return { ...structuredClone(existing), subjects: [...subjects, ...missing] } as KubeObject;
}

function containsJson(list: readonly unknown[], item: unknown): boolean {
  const wanted = canonical(item);
  return list.some((x) => canonical(x) === wanted);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}
