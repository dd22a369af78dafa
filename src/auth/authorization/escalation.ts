// Privilege escalation prevention on RBAC writes, as upstream's RBAC REST storage: a user may
// create or update a Role or ClusterRole only with rules it already holds (in that namespace, or
// cluster-wide), unless it may `escalate` that role; it may bind a role only if it holds the role's
// permissions, unless it may `bind` it. system:masters may do both. Refusals are 403s worded as
// upstream: `... is attempting to grant RBAC permissions not currently held:\n{APIGroups:...}`.
import type { KubeObject, ResourceDef } from "../../api/resource.js";
import { RBAC_GROUP } from "../../api/resources/rbac-rules.js";
import type { UserInfo } from "../authenticate.js";
import { MASTERS_GROUP } from "../pki.js";
import type { Attributes } from "./attributes.js";
import type { Authorizer } from "./authorizer.js";
import { forbiddenFor } from "./forbidden.js";
import { compactRule, ruleAllows, rulesOf, type PolicyRule } from "./policy-rule.js";
import type { RbacAuthorizer } from "./rbac-authorizer.js";

const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
  { verbs: ["*"], nonResourceURLs: ["*"] },
];

/** The parts of `wanted` that `held` does not cover, one verb/group/resource/name each (upstream Covers). */
export function uncoveredRules(held: readonly PolicyRule[], wanted: readonly PolicyRule[]): PolicyRule[] {
  return wanted.flatMap(simpleRules).filter((simple) => !held.some((rule) => ruleAllows(asAttributes(simple), rule)));
}

function simpleRules(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        for (const name of names) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
      }
    }
  }
  return out;
}

/** A simple rule as the request it grants, so that "is it covered" is "would it be allowed". */
function asAttributes(simple: PolicyRule): Attributes {
  const user = { name: "", groups: [] };
  const verb = simple.verbs[0] ?? "";
  if (simple.nonResourceURLs) return { kind: "nonResource", user, verb, path: simple.nonResourceURLs[0] ?? "" };
  const [resource = "", subresource = ""] = (simple.resources?.[0] ?? "").split("/", 2);
  return { kind: "resource", user, verb, apiGroup: simple.apiGroups?.[0] ?? "", resource, subresource, namespace: "", name: simple.resourceNames?.[0] ?? "" };
}

export class EscalationGuard {
  constructor(
    private readonly rbac: RbacAuthorizer,
    private readonly authorizer: Authorizer,
  ) {}

  /** Roles and ClusterRoles: upstream ConfirmNoEscalation unless `escalate` is allowed. */
  checkRole(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined, user: UserInfo): void {
    if (user.groups.includes(MASTERS_GROUP)) return;
    if (old && sameJson(policyOf(obj), policyOf(old))) return;
    const namespace = def.namespaced ? (obj.metadata?.namespace ?? "") : "";
    const name = obj.metadata?.name ?? "";
    if (this.allowed(user, "escalate", def.plural, namespace, name)) return;
    const aggregated = (obj as { aggregationRule?: unknown }).aggregationRule !== undefined;
    if (aggregated && uncoveredRules(this.rbac.rulesFor(user, namespace).rules, FULL_AUTHORITY).length > 0) {
      throw forbiddenFor(def.plural, RBAC_GROUP, name, "must have cluster-admin privileges to use the aggregationRule");
    }
    this.confirmNoEscalation(def, name, user, namespace, rulesOf(obj as { rules?: unknown }));
  }

  /** RoleBindings and ClusterRoleBindings: `bind` on the role, or hold everything it grants. */
  checkBinding(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined, user: UserInfo): void {
    if (user.groups.includes(MASTERS_GROUP)) return;
    const binding = obj as KubeObject & { roleRef?: { kind?: string; name?: string }; subjects?: unknown };
    if (old && sameJson(binding.subjects, (old as typeof binding).subjects)) return;
    const namespace = def.namespaced ? (obj.metadata?.namespace ?? "") : "";
    const roleKind = binding.roleRef?.kind ?? "";
    const roleName = binding.roleRef?.name ?? "";
    const name = obj.metadata?.name ?? "";
    const rolePlural = roleKind === "Role" ? "roles" : "clusterroles";
    if (this.allowed(user, "bind", rolePlural, namespace, roleName)) return;
    const rules = roleKind === "Role" ? this.rbac.index.roleRules(namespace, roleName) : this.rbac.index.clusterRoleRules(roleName);
    if (!rules) throw forbiddenFor(def.plural, RBAC_GROUP, name, `${rolePlural}.${RBAC_GROUP} ${JSON.stringify(roleName)} not found`);
    this.confirmNoEscalation(def, name, user, namespace, rules);
  }

  private confirmNoEscalation(def: ResourceDef, name: string, user: UserInfo, namespace: string, wanted: readonly PolicyRule[]): void {
    const held = this.rbac.rulesFor(user, namespace);
    const missing = uncoveredRules(held.rules, wanted);
    if (missing.length === 0) return;
    let message = `user ${JSON.stringify(user.name)} (groups=[${user.groups.map((g) => JSON.stringify(g)).join(" ")}]) is attempting to grant RBAC permissions not currently held:\n${missing.map(compactRule).join("\n")}`;
    if (held.errors.length > 0) message += `; resolution errors: [${held.errors.join(" ")}]`;
    throw forbiddenFor(def.plural, RBAC_GROUP, name, message);
  }

  private allowed(user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean {
    return this.authorizer.authorize({ kind: "resource", user, verb, apiGroup: RBAC_GROUP, resource, subresource: "", namespace, name }).decision === "allow";
  }
}

/** Installs the checks on the four RBAC kinds' definitions (they run after validation, on the final object). */
export function guardRbacWrites(resources: ResourceDef[], guard: EscalationGuard): void {
  for (const def of resources) {
    if (def.group !== RBAC_GROUP) continue;
    if (def.kind === "Role" || def.kind === "ClusterRole") def.authorizeWrite = (obj, old, user) => guard.checkRole(def, obj, old, user);
    if (def.kind === "RoleBinding" || def.kind === "ClusterRoleBinding") def.authorizeWrite = (obj, old, user) => guard.checkBinding(def, obj, old, user);
  }
}

function policyOf(obj: KubeObject): unknown {
  const role = obj as { rules?: unknown; aggregationRule?: unknown };
  return { rules: role.rules, aggregationRule: role.aggregationRule };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
